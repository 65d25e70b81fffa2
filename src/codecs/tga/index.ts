/**
 * TGA / Targa (Pillow 12's TgaImagePlugin): colour-mapped (types 1/9) -> `P` (`L` without a
 * map), grey (3/11) -> `L`, `1` or `LA`, true colour (2/10) -> `RGB` at 24 bits, else `RGBA`
 * (16-bit as BGRA;15Z); raw rows through the tile decoder, RLE through ./rle.ts; the four
 * origins; the v2 footer's "no alpha" attribute makes alpha 255.
 */
import { TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import { u16le, u32le, startsWith } from '../../core/bytes.js';
import { Input } from '../../core/input.js';
import { allocate, bandCount, type ArrayOf, type Mode } from '../../core/modes.js';
import type { ImageInfo, Palette } from '../../core/types.js';
import { rowBytes, unpacker } from '../../pixels/unpack.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { decodeRawTile } from '../shared/tile.js';
import { decodeTgaRle } from './rle.js';

const RAWMODES: Readonly<Record<string, string>> = { '1 8': 'P', '3 1': '1', '3 8': 'L', '3 16': 'LA', '2 16': 'BGRA;15Z', '2 24': 'BGR', '2 32': 'BGRA' };

interface TgaHeader {
  mode: Mode;
  width: number;
  height: number;
  depth: number;
  rle: boolean;
  /** undefined: Pillow has no decoder for this layout and leaves the image blank. */
  rawmode: string | undefined;
  bottomUp: boolean;
  flipX: boolean;
  dataOffset: number;
  info: ImageInfo;
  palette?: Palette;
}

function parse(s: Uint8Array, name: string): TgaHeader {
  const bad = (why: string): never => {
    throw new UnidentifiedImageError(`cannot identify image file ${name}: ${why}`);
  };
  if (s.length < 18) bad('not a TGA file (header cut short)');
  const idLen = s[0];
  const mapType = s[1];
  const type = s[2];
  const depth = s[16];
  const flags = s[17];
  const width = u16le(s, 12);
  const height = u16le(s, 14);
  if ((mapType !== 0 && mapType !== 1) || width <= 0 || height <= 0 || ![1, 8, 16, 24, 32].includes(depth)) bad('not a TGA file');
  let mode: Mode = 'L';
  if (type === 3 || type === 11) mode = depth === 1 ? '1' : depth === 16 ? 'LA' : 'L';
  else if (type === 1 || type === 9) mode = mapType === 1 ? 'P' : 'L';
  else if (type === 2 || type === 10) mode = depth === 24 ? 'RGB' : 'RGBA';
  else bad(`unknown TGA mode (image type ${type})`);
  const orient = flags & 0x30;
  const info: ImageInfo = { orientation: orient === 0x20 || orient === 0x30 ? 1 : -1 };
  if ((type & 8) !== 0) info.compression = 'tga_rle';
  let p = 18;
  if (idLen > 0) {
    info.id_section = s.slice(p, p + idLen);
    p += idLen;
  }
  let palette: Palette | undefined;
  if (mapType === 1) {
    const start = u16le(s, 3);
    const size = u16le(s, 5);
    const mapDepth = s[7];
    if (mapDepth !== 16 && mapDepth !== 24 && mapDepth !== 32) bad(`unknown TGA map depth ${mapDepth}`);
    const entry = mapDepth / 8;
    const raw = s.subarray(p, Math.min(s.length, p + size * entry));
    p += size * entry;
    const n = start + Math.floor(raw.length / entry);
    if (mapDepth === 16) {
      const colors = new Uint8Array(n * 4);
      unpacker('RGBA', 'BGRA;15Z')!.unpack(raw, 0, colors, start * 4, n - start, 4);
      palette = { mode: 'RGBA', colors };
    } else {
      const colors = new Uint8Array(n * 3);
      for (let i = 0; i < n - start; i++) {
        colors[(start + i) * 3] = raw[i * entry + 2];
        colors[(start + i) * 3 + 1] = raw[i * entry + 1];
        colors[(start + i) * 3 + 2] = raw[i * entry];
      }
      palette = { mode: 'RGB', colors };
    }
  }
  const key = `${type & 7} ${depth}`;
  const h: TgaHeader = {
    mode, width, height, depth, rle: (type & 8) !== 0,
    rawmode: Object.hasOwn(RAWMODES, key) ? RAWMODES[key] : undefined,
    bottomUp: info.orientation === -1, flipX: orient === 0x10 || orient === 0x30, dataOffset: p, info,
  };
  if (palette !== undefined) h.palette = palette;
  return h;
}

/** Mirrors each row in place (Pillow's FLIP_LEFT_RIGHT after load). */
function flipRows(out: ArrayOf<Mode>, width: number, height: number, bands: number): void {
  for (let y = 0; y < height; y++) {
    for (let a = y * width, b = a + width - 1; a < b; a++, b--) {
      for (let c = 0; c < bands; c++) {
        const t = out[a * bands + c];
        out[a * bands + c] = out[b * bands + c];
        out[b * bands + c] = t;
      }
    }
  }
}

export const tgaCodec = {
  format: 'TGA',
  description: 'Truevision Targa (raw and RLE)',
  extensions: ['.tga', '.icb', '.vda', '.vst'],
  mimeTypes: ['image/x-tga'],
  modes: ['1', 'L', 'LA', 'P', 'RGB', 'RGBA'],
  fuzz: {
    cases: 600,
    minSeeds: 30,
    // id length, map type, image type, map start / length / depth, size, depth, flags
    fields: [{ at: 0, bytes: 1 }, { at: 1, bytes: 1 }, { at: 2, bytes: 1 }, { at: 3, bytes: 2, littleEndian: true }, { at: 5, bytes: 2, littleEndian: true }, { at: 7, bytes: 1 }, { at: 12, bytes: 2, littleEndian: true }, { at: 14, bytes: 2, littleEndian: true }, { at: 16, bytes: 1 }, { at: 17, bytes: 1 }], truncation: ['tga/tga_rgb_rle.tga', 'tga/tga_p.tga'], cuts: 400 },
  // TGA has no magic: Pillow's TgaImagePlugin has no _accept and checks the header in _open;
  // imarray checks what the 16 identifying bytes hold (map type, image type, size; open checks
  // the depth) and lists TGA last, after every format with a magic
  accept(p) {
    return p.length >= 16 && (p[1] === 0 || p[1] === 1) && [1, 2, 3, 9, 10, 11].includes(p[2]) && u16le(p, 12) > 0 && u16le(p, 14) > 0;
  },
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const h = parse(await input.prefix(18 + 255 + 65536 * 4), name);
    const header: Header = { format: 'TGA', mode: h.mode, width: h.width, height: h.height, info: h.info, nFrames: 1 };
    if (h.palette !== undefined) header.palette = h.palette;
    return {
      header,
      async load({ into } = {}) {
        const out = into ?? allocate(h.mode, h.width, h.height);
        const bands = bandCount(h.mode);
        const unpack = h.rawmode === undefined ? undefined : unpacker(h.mode, h.rawmode);
        // RLE data and an RGBA file's footer need the whole file: read it once for both
        const all = h.rle || h.mode === 'RGBA' ? await input.bytes() : undefined;
        if (h.rawmode !== undefined && unpack !== undefined) {
          if (all !== undefined && h.rle) {
            const rows = decodeTgaRle(all, h.dataOffset, Math.floor(h.depth / 8), rowBytes(unpack, h.width), unpack.unpack, out, h.width, h.height, bands, h.bottomUp, name);
            if (rows < h.height && !options.loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name} (${rows} of ${h.height} rows of RLE data)`);
          } else {
            await decodeRawTile(all === undefined ? input : Input.from(all), { offset: h.dataOffset, rawmode: h.rawmode, bottomUp: h.bottomUp }, { out, mode: h.mode, width: h.width, height: h.height }, name, options.loadTruncated);
          }
        }
        if (all !== undefined && h.mode === 'RGBA') {
          // v2 footer: extension area's attributes type 0 means "no alpha"
          const f = all.length - 26;
          if (f >= 0 && startsWith(all, 'TRUEVISION-XFILE.\0', f + 8)) {
            const ext = u32le(all, f);
            if (ext !== 0 && ext + 494 < all.length && all[ext + 494] === 0) for (let i = 3; i < out.length; i += 4) out[i] = 255;
          }
        }
        if (h.flipX) flipRows(out, h.width, h.height, bands);
        return out;
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
