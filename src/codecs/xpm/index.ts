/**
 * XPM, X11 pixmaps (Pillow 12's XpmImagePlugin): the `"W H N BPP` values line, N colour lines
 * (`c #RRGGBB` or `c None`), then the pixel strings. Up to 256 colours -> `P` with the palette in
 * the file's colour order (transparent `None` keys take no entry; a pixel using one fails, as in
 * Pillow 12), more -> `RGB`.
 */
import { DecodeError, TruncatedImageError, UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import { startsWith } from '../../core/bytes.js';
import type { Input } from '../../core/input.js';
import type { ImageInfo, Palette } from '../../core/types.js';
import { allocate, type Mode } from '../../core/modes.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';

const latin1 = new TextDecoder('latin1');

/** Lines as Python's readline gives them (each with its `\n`, the last one may lack it). */
function lines(s: string, from: number): { text: string; end: number }[] {
  const out: { text: string; end: number }[] = [];
  for (let p = from; p < s.length; ) {
    const nl = s.indexOf('\n', p);
    const end = nl < 0 ? s.length : nl + 1;
    out.push({ text: s.slice(p, end), end });
    p = end;
  }
  return out;
}

export const xpmCodec = {
  format: 'XPM',
  description: 'X11 Pixmap',
  extensions: ['.xpm'],
  mimeTypes: ['image/xpm'],
  modes: ['P', 'RGB'],
  fuzz: { cases: 300, minSeeds: 3, truncation: ['xpm/two_chars.xpm'], cuts: 200 },
  accept: (p) => startsWith(p, '/* XPM */'),
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const text = latin1.decode(await input.bytes());
    const all = lines(text, 9);
    let i = 0;
    let m: RegExpExecArray | null = null;
    for (; i < all.length && m === null; i++) m = /^"([0-9]*) ([0-9]*) ([0-9]*) ([0-9]*)/.exec(all[i].text);
    if (m === null) throw new UnidentifiedImageError(`cannot identify image file ${name}: broken XPM file (no values line)`);
    const width = Number(m[1]);
    const height = Number(m[2]);
    const count = Number(m[3]);
    const bpp = Number(m[4]);
    if (!(width > 0 && height > 0 && bpp > 0)) throw new UnidentifiedImageError(`cannot identify image file ${name}: XPM size ${width}x${height}, ${bpp} characters a pixel`);
    const colors = new Map<string, [number, number, number]>();
    const info: ImageInfo = {};
    for (let k = 0; k < count; k++, i++) {
      if (i >= all.length) throw new TruncatedImageError(`Truncated File Read: ${name}: colour ${k} of ${count}`);
      const line = all[i].text.replace(/[ \t\n\r\f\v]+$/, '');
      const key = line.slice(1, bpp + 1);
      const fields = line.slice(bpp + 1, -2).split(/[ \t\n\r\f\v]+/).filter((f) => f !== '');
      let found = false;
      for (let f = 0; f + 1 < fields.length || f < fields.length; f += 2) {
        if (fields[f] !== 'c') continue;
        const value = fields[f + 1] ?? '';
        if (value === 'None') info.transparency_key = key;
        else if (value.startsWith('#') && /^#[0-9a-fA-F]+$/.test(value)) {
          const v = parseInt(value.slice(1), 16);
          colors.set(key, [Math.floor(v / 65536) & 255, (v >> 8) & 255, v & 255]);
        } else throw new UnsupportedError(`cannot read this XPM file: ${name} colour ${JSON.stringify(value)}`);
        found = true;
        break;
      }
      if (!found) throw new UnsupportedError(`cannot read this XPM file: ${name} colour line ${k} has no "c" value`);
    }
    const mode: Mode = count > 256 ? 'RGB' : 'P';
    const keys = [...colors.keys()];
    let palette: Palette | undefined;
    if (mode === 'P') {
      const bytes = new Uint8Array(keys.length * 3);
      keys.forEach((k, j) => { bytes.set(colors.get(k)!, j * 3); });
      palette = { mode: 'RGB', colors: bytes };
    }
    const header: Header = { format: 'XPM', mode, width, height, info, nFrames: 1 };
    if (palette !== undefined) header.palette = palette;
    const dataLine = i;
    return {
      header,
      load({ into } = {}) {
        const out = (into ?? allocate(mode, width, height)) as Uint8Array;
        const index = new Map(keys.map((k, j) => [k, j]));
        let n = 0;
        let header = false;
        for (let l = dataLine; l < all.length && n < out.length; l++) {
          const raw = all[l].text;
          if (!header && raw.replace(/[ \t\n\r\f\v]+$/, '') === '/* pixels */') {
            header = true;
            continue;
          }
          const parts = raw.split('"');
          const line = parts.slice(1, -1).join('"');
          for (let c = 0; c < line.length && n < out.length; c += bpp) {
            const key = line.slice(c, c + bpp);
            if (mode === 'RGB') {
              const rgb = colors.get(key);
              if (rgb === undefined) throw new DecodeError(`${name}: pixel key ${JSON.stringify(key)} is not in the colour table`);
              out.set(rgb, n);
              n += 3;
            } else {
              const j = index.get(key);
              if (j === undefined) throw new DecodeError(`${name}: pixel key ${JSON.stringify(key)} is not in the colour table`);
              out[n++] = j;
            }
          }
        }
        if (n < out.length && !options.loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name} (${n} of ${out.length} samples)`);
        return Promise.resolve(out);
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
