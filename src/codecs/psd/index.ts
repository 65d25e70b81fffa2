/**
 * PSD, Adobe Photoshop (Pillow 12's PsdImagePlugin): the merged composite image at open, in
 * Pillow's modes (`1`, `L`, `P` with the colour-mode palette, `RGB`, `RGBA` with 4 channels,
 * `CMYK`), planar channels raw or PackBits; `nFrames` is the layer count as Pillow counts it.
 * Layers themselves (Pillow's `seek(1..n)`) are not decoded yet.
 */
import { TruncatedImageError, UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import { i16be as i16, u16be, u32be } from '../../core/bytes.js';
import type { Input } from '../../core/input.js';
import { allocate, bandCount, type Mode } from '../../core/modes.js';
import type { ImageInfo, Palette } from '../../core/types.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { unpackBits } from '../shared/rle.js';
import { unpacker } from '../../pixels/unpack.js';

const bitRow = unpacker('1', '1')!.unpack;

const MODES: Readonly<Record<string, [Mode, number]>> = {
  '0 1': ['1', 1], '0 8': ['L', 1], '1 8': ['L', 1], '2 8': ['P', 1], '3 8': ['RGB', 3], '4 8': ['CMYK', 4], '7 8': ['L', 1], '8 8': ['L', 1],
};


/** Pillow's `_layerinfo` count: layer records with at most 4 channels (others are skipped). */
function layerCount(s: Uint8Array, at: number, size: number): number {
  const ct = Math.abs(i16(s, at));
  if (size < ct * 20) throw new UnidentifiedImageError('Layer block too short for number of layers requested');
  let p = at + 2;
  let n = 0;
  for (let k = 0; k < ct; k++) {
    p += 16;
    const types = u16be(s, p);
    p += 2;
    if (types > 4) {
      p += types * 6 + 12;
      p += 4 + u32be(s, p);
      continue;
    }
    p += types * 6 + 12;
    const extra = u32be(s, p);
    p += 4 + extra;
    n++;
  }
  return n;
}

export const psdCodec = {
  format: 'PSD',
  description: 'Adobe Photoshop (the merged composite image)',
  extensions: ['.psd'],
  mimeTypes: ['image/vnd.adobe.photoshop'],
  modes: ['1', 'L', 'P', 'RGB', 'RGBA', 'CMYK'],
  fuzz: { cases: 300, minSeeds: 8, fields: [{ at: 12, bytes: 2 }, { at: 14, bytes: 4 }, { at: 18, bytes: 4 }, { at: 22, bytes: 2 }, { at: 24, bytes: 2 }, { at: 26, bytes: 4 }], truncation: ['psd/hopper.psd'], cuts: 300 },
  accept: (p) => p.length >= 4 && p[0] === 0x38 && p[1] === 0x42 && p[2] === 0x50 && p[3] === 0x53,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const s = await input.bytes();
    const bad = (why: string): never => {
      throw new UnidentifiedImageError(`cannot identify image file ${name}: ${why}`);
    };
    if (s.length < 26 || u16be(s, 4) !== 1) bad('not a PSD file');
    const channels = u16be(s, 12);
    const height = u32be(s, 14);
    const width = u32be(s, 18);
    const bits = u16be(s, 22);
    const psdMode = u16be(s, 24);
    const key = `${psdMode} ${bits}`;
    if (!Object.hasOwn(MODES, key)) throw new UnsupportedError(`PSD colour mode ${psdMode} at ${bits} bits is not supported (${name})`);
    let [mode, bands] = MODES[key];
    if (bands > channels) throw new UnsupportedError(`not enough channels in ${name}`);
    if (mode === 'RGB' && channels === 4) [mode, bands] = ['RGBA', 4];
    if (width === 0 || height === 0) bad(`size ${width}x${height}`);
    const info: ImageInfo = {};
    let palette: Palette | undefined;
    try {
      let p = 26;
      const cm = u32be(s, p);
      if (mode === 'P' && cm === 768) {
        const colors = new Uint8Array(768);
        for (let i = 0; i < 256; i++) for (let c = 0; c < 3; c++) colors[i * 3 + c] = s[p + 4 + c * 256 + i];
        palette = { mode: 'RGB', colors };
      }
      p += 4 + cm;
      const resources = u32be(s, p);
      const resEnd = p + 4 + resources;
      for (let q = p + 4; q < resEnd; ) {
        const id = u16be(s, q + 4);
        const nameLen = s[q + 6];
        q += 7 + nameLen;
        if ((nameLen & 1) === 0) q++;
        const len = u32be(s, q);
        if (id === 1039) info.icc_profile = s.slice(q + 4, q + 4 + len);
        q += 4 + len + (len & 1);

      }
      p = resEnd;
      const layerSize = u32be(s, p);
      let frames = 1;
      if (layerSize > 0) {
        const inner = u32be(s, p + 4);
        if (inner > 0) frames = layerCount(s, p + 8, inner);
      }
      p += 4 + layerSize;
      const compression = u16be(s, p);
      p += 2;
      const header: Header = { format: 'PSD', mode, width, height, info, nFrames: Math.max(1, frames) };
      if (palette !== undefined) header.palette = palette;
      const dataAt = compression === 1 ? p + bands * height * 2 : p;
      return {
        header,
        load({ into } = {}) {
          const out = into ?? allocate(mode, width, height);
          const step = bandCount(mode);
          // mode 1: one bit a pixel, rows padded to a byte (Pillow's raw '1' rawmode, 1 = white)
          const rowBytes = mode === '1' ? Math.ceil(width / 8) : width;
          const plane = new Uint8Array(rowBytes * height);
          let q = dataAt;
          let complete = true;
          for (let c = 0; c < bands; c++) {
            let got: number;
            if (compression === 1) {
              const r = unpackBits(s, q, plane, 0, plane.length);
              got = r.written;
              q += r.read;
            } else if (compression === 0) {
              got = Math.max(0, Math.min(plane.length, s.length - q));
              plane.set(s.subarray(q, q + got));
              q += plane.length;
            } else {
              throw new UnsupportedError(`PSD compression ${compression} is not supported (${name})`);
            }
            if (got < plane.length) complete = false;
            if (mode === '1') for (let y = 0; y < Math.floor(got / rowBytes); y++) bitRow(plane, y * rowBytes, out, y * width, width, 1);
            else for (let i = 0; i < got; i++) out[i * step + c] = mode === 'CMYK' ? 255 - plane[i] : plane[i];
          }
          if (!complete && !options.loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name} (composite image data ends at offset ${q})`);
          return Promise.resolve(out);
        },
        close: () => input.close(),
      };
    } catch (e) {
      if (e instanceof RangeError) throw new TruncatedImageError(`Truncated File Read: ${name}: ${e.message}`, { cause: e });
      throw e;
    }
  },
} satisfies Codec;
