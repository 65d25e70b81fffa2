/**
 * XBM, X11 bitmaps (Pillow's XbmImagePlugin and XbmDecode.c): the `#define` width / height
 * (and hotspot) header matched in the first 512 bytes, then hex bytes after each `x`, rows of
 * least-significant-bit-first pixels; mode `1`.
 */
import { TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import { allocate } from '../../core/modes.js';
import type { Input } from '../../core/input.js';
import type { ImageInfo } from '../../core/types.js';
import { unpacker } from '../../pixels/unpack.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';

// Python's bytes regex, with its meanings: \s is [ \t\n\r\f\v], `.` is anything but \n
const WS = '[ \\t\\n\\r\\f\\v]';
const HEAD = new RegExp(
  `^${WS}*#define[ \\t]+[^\\n]*_width[ \\t]+([0-9]+)[\\r\\n]+#define[ \\t]+[^\\n]*_height[ \\t]+([0-9]+)[\\r\\n]+` +
    '(#define[ \\t]+[^_]*_x_hot[ \\t]+([0-9]+)[\\r\\n]+#define[ \\t]+[^_]*_y_hot[ \\t]+([0-9]+)[\\r\\n]+)?' +
    '[\\x00-\\xff]*_bits\\[\\]',
);
const latin1 = new TextDecoder('latin1');

const hex = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : 0);

/** XbmDecode.c: each `x` starts a byte of two hex digits; returns the rows filled. */
function decodeXbm(src: Uint8Array, start: number, out: Uint8Array, width: number, height: number): number {
  const rowBytes = Math.ceil(width / 8);
  const row = new Uint8Array(rowBytes);
  const unpack = unpacker('1', '1;R')!.unpack;
  let x = 0;
  let y = 0;
  for (let p = start; y < height; ) {
    while (p < src.length && src[p] !== 0x78) p++;
    if (src.length - p < 3) break;
    row[x] = (hex(src[p + 1]) << 4) + hex(src[p + 2]);
    p += 3;
    if (++x >= rowBytes) {
      unpack(row, 0, out, y * width, width, 1);
      x = 0;
      y++;
    }
  }
  return y;
}

export const xbmCodec = {
  format: 'XBM',
  description: 'X11 Bitmap',
  extensions: ['.xbm'],
  mimeTypes: ['image/x-xbitmap'],
  modes: ['1'],
  fuzz: { cases: 400, minSeeds: 3, truncation: ['xbm/hopper.xbm'], cuts: 400 },
  accept(p) {
    let i = 0;
    while (i < p.length && (p[i] === 0x20 || (p[i] >= 0x09 && p[i] <= 0x0d))) i++;
    return latin1.decode(p.subarray(i, i + 7)) === '#define';
  },
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const m = HEAD.exec(latin1.decode(await input.prefix(512)));
    if (m === null) throw new UnidentifiedImageError(`cannot identify image file ${name}: not a XBM file`);
    const width = Number(m[1]);
    const height = Number(m[2]);
    if (width <= 0 || height <= 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: size ${width}x${height}`);
    const info: ImageInfo = m[3] === undefined ? {} : { hotspot: [Number(m[4]), Number(m[5])] };
    const offset = m[0].length;
    const header: Header = { format: 'XBM', mode: '1', width, height, info, nFrames: 1 };
    return {
      header,
      async load({ into } = {}) {
        const out = (into ?? allocate('1', width, height)) as Uint8Array;
        const rows = decodeXbm(await input.bytes(), offset, out, width, height);
        if (rows < height && !options.loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name} (${rows} of ${height} rows)`);
        return out;
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
