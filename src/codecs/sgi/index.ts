/**
 * SGI / IRIS images (Pillow 12's SgiImagePlugin and SgiRleDecode.c): `L`, `RGB` or `RGBA`, 8 or
 * 16 bits a sample (16-bit keeps the high byte, as Pillow's `;16B` rawmodes do), planar and
 * bottom-up. RLE rows come through the offset and length tables, each expanded into one row
 * buffer that is not cleared between rows (Pillow's), and stop silently at a row whose last
 * byte is not the terminator, as Pillow's decoder does.
 */
import { DecodeError, TruncatedImageError, UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import { u16be, u32be } from '../../core/bytes.js';
import type { Input } from '../../core/input.js';
import { allocate, bandCount, type Mode } from '../../core/modes.js';
import { unpacker } from '../../pixels/unpack.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';

const HEADER = 512;
const MODES: Readonly<Record<string, string>> = {
  '1 1 1': 'L', '1 2 1': 'L', '2 1 1': 'L;16B', '2 2 1': 'L;16B', '1 3 3': 'RGB', '2 3 3': 'RGB;16B', '1 3 4': 'RGBA', '2 3 4': 'RGBA;16B',
};

/**
 * SgiRleDecode.c's expandrow / expandrow2: one channel of one row into `dest` (every `z`-th
 * sample); 0 ok, 1 stop, -1 a run past the row, -2 a read past the end of the data (both are
 * Pillow's overrun; -2 is reported as truncation).
 */
function expandRow(src: Uint8Array, p: number, n: number, dest: Uint8Array, d: number, z: number, xsize: number, bpc: number): number {
  const last = src.length - 1;
  let x = 0;
  for (; n > 0; n--) {
    if (p + bpc - 1 > last) return -2;
    const pixel = src[p + bpc - 1];
    p += bpc;
    if (n === 1 && pixel !== 0) return n;
    const count = pixel & 0x7f;
    if (count === 0) return 0;
    if (x + count > xsize) return -1;
    x += count;
    if ((pixel & 0x80) !== 0) {
      if (p + bpc * count > last) return -2;
      for (let k = 0; k < count; k++, p += bpc, d += z * bpc) for (let b = 0; b < bpc; b++) dest[d + b] = src[p + b];
    } else {
      if (p + bpc > last) return -2;
      for (let k = 0; k < count; k++, d += z * bpc) for (let b = 0; b < bpc; b++) dest[d + b] = src[p + b];
      p += bpc;
    }
  }
  return 0;
}

export const sgiCodec = {
  format: 'SGI',
  description: 'SGI / IRIS image (raw and RLE, 8 and 16 bits)',
  extensions: ['.bw', '.rgb', '.rgba', '.sgi'],
  mimeTypes: ['image/sgi', 'image/rgb'],
  modes: ['L', 'RGB', 'RGBA'],
  fuzz: {
    cases: 300,
    minSeeds: 4,
    fields: [{ at: 2, bytes: 1 }, { at: 3, bytes: 1 }, { at: 4, bytes: 2 }, { at: 6, bytes: 2 }, { at: 8, bytes: 2 }, { at: 10, bytes: 2 }, { at: 512, bytes: 4 }, { at: 516, bytes: 4 }],
    truncation: ['sgi/rgb_rle.sgi', 'sgi/l16.sgi'],
    cuts: 300,
  },
  accept: (p) => p.length >= 2 && p[0] === 0x01 && p[1] === 0xda,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const s = await input.prefix(HEADER);
    if (s.length < 12) throw new UnidentifiedImageError(`cannot identify image file ${name}: SGI header cut short`);
    const compression = s[2];
    const bpc = s[3];
    const key = `${bpc} ${u16be(s, 4)} ${u16be(s, 10)}`;
    if (!Object.hasOwn(MODES, key)) throw new UnsupportedError(`Unsupported SGI image mode (${key}) in ${name}`);
    const rawmode = MODES[key];
    const mode = rawmode.split(';')[0] as Mode;
    const width = u16be(s, 6);
    const height = u16be(s, 8);
    if (width === 0 || height === 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: size ${width}x${height}`);
    if (compression !== 0 && compression !== 1) throw new UnsupportedError(`SGI compression ${compression} (${name})`);
    const header: Header = { format: 'SGI', mode, width, height, info: {}, nFrames: 1 };
    return {
      header,
      async load({ into } = {}) {
        const out = (into ?? allocate(mode, width, height)) as Uint8Array;
        const bands = bandCount(mode);
        const all = await input.bytes();
        if (compression === 0) {
          const page = width * height * bpc;
          for (let c = 0; c < bands; c++) {
            const at = HEADER + c * page;
            if (at + page > all.length && !options.loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name} (band ${c} of ${bands} ends past offset ${all.length})`);
            for (let i = 0; i < width * height; i++) {
              const q = at + i * bpc; // high byte of a 16-bit sample
              if (q >= all.length) break;
              const y = height - 1 - Math.floor(i / width);
              out[(y * width + (i % width)) * bands + c] = all[q];
            }
          }
          return out;
        }
        const ptr = all.subarray(HEADER);
        const tablen = bands * height;
        if (ptr.length < 8 * tablen) throw new DecodeError(`buffer overrun when reading image file ${name} (RLE tables need ${8 * tablen} bytes)`);
        const row = new Uint8Array(width * bands * 2);
        const unpack = unpacker(mode, rawmode)!.unpack;
        for (let r = 0; r < height; r++) {
          for (let c = 0; c < bands; c++) {
            const start = u32be(ptr, 4 * (r + c * height));
            const length = u32be(ptr, 4 * (tablen + r + c * height));
            if (start < HEADER) throw new DecodeError(`buffer overrun when reading image file ${name} (row ${r} starts at ${start})`);
            const status = expandRow(ptr, start - HEADER, length, row, c * bpc, bands, width, bpc);
            if (status === -1) throw new DecodeError(`buffer overrun when reading image file ${name} (row ${r}, channel ${c})`);
            if (status === -2) {
              if (options.loadTruncated) return out;
              throw new TruncatedImageError(`image file is truncated: ${name} (row ${r}, channel ${c} runs past offset ${all.length})`);
            }
            if (status === 1) return out; // Pillow stops without an error: later rows stay 0
          }
          unpack(row, 0, out, (height - 1 - r) * width * bands, width, bands);
        }
        return out;
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
