/**
 * BMP and DIB (Pillow's BmpImagePlugin): the bitmap header (./header.ts), raw rows through the
 * shared tile decoder (bottom-up unless the height is negative, rows padded to 4 bytes), RLE4 /
 * RLE8 through Pillow 12's run decoder (./rle.ts). DIB is the same bitmap without the 14-byte
 * file header.
 */
import { DecodeError, TruncatedImageError } from '../../core/errors.js';
import { u32le } from '../../core/bytes.js';
import type { Input } from '../../core/input.js';
import { allocate, type ArrayOf, type Mode } from '../../core/modes.js';
import { unpacker } from '../../pixels/unpack.js';
import type { Codec, Decoding, FuzzField, Header, OpenOptions } from '../codec.js';
import { decodeRawTile } from '../shared/tile.js';
import { RLE4, RLE8, bitmapBytesNeeded, parseBitmap, type Bitmap } from './header.js';
import { decodeBmpRle } from './rle.js';

/** Reads enough of the input for the header at `at`, then parses it. */
async function readBitmap(input: Input, at: number, offset: number, cur32: boolean, name: string): Promise<Bitmap> {
  const head = await input.prefix(at + 4);
  return parseBitmap(await input.prefix(bitmapBytesNeeded(head, at)), at, offset, cur32, name);
}

/** Decodes a parsed bitmap's pixels from `input` into the image's storage. */
export async function loadBitmap(input: Input, b: Bitmap, into: ArrayOf<Mode> | undefined, name: string, loadTruncated: boolean, fileOffset = 0): Promise<ArrayOf<Mode>> {
  if (b.mode === 'P' && b.colors > 256) throw new DecodeError(`invalid palette size: ${name} has ${b.colors} palette entries`);
  const out = into ?? allocate(b.mode, b.width, b.height);
  const target = { out, mode: b.mode, width: b.width, height: b.height };
  if (b.compression !== RLE8 && b.compression !== RLE4) {
    await decodeRawTile(input, { offset: b.dataOffset, rawmode: b.rawmode, stride: b.stride, bottomUp: b.bottomUp }, target, name, loadTruncated);
    return out;
  }
  const src = await input.bytes();
  const { data, length } = decodeBmpRle(src, b.dataOffset, fileOffset, b.width, b.height, b.compression === RLE4);
  const rows = Math.min(b.height, Math.floor(length / b.width));
  const unpack = unpacker(b.mode, b.mode === 'L' ? 'L' : 'P');
  if (unpack === undefined) throw new DecodeError(`${name}: RLE data for a mode ${b.mode} bitmap`);
  for (let r = 0; r < rows; r++) unpack.unpack(data, r * b.width, out, (b.bottomUp ? b.height - 1 - r : r) * b.width, b.width, 1);
  if (length < b.width * b.height && !loadTruncated) {
    const why = `${Math.floor(length / b.width)} of ${b.height} rows of RLE data from offset ${b.dataOffset}`;
    throw new TruncatedImageError(`image file is truncated (not enough image data): ${name} (${why})`);
  }
  return out;
}

function decoding(input: Input, b: Bitmap, format: 'BMP' | 'DIB', options: Required<OpenOptions>, name: string): Decoding {
  const header: Header = { format, mode: b.mode, width: b.width, height: b.height, info: b.info, nFrames: 1 };
  if (b.palette !== undefined) header.palette = b.palette;
  return {
    header,
    load: ({ into } = {}) => loadBitmap(input, b, into, name, options.loadTruncated),
    close: () => input.close(),
  };
}

const BMP_MODES: Mode[] = ['1', 'L', 'P', 'RGB', 'RGBA'];

/** Data offset, header size, width, height, bit depth, compression, palette size, bitfield masks. */
const BMP_FIELDS: FuzzField[] = [{ at: 10, bytes: 4, littleEndian: true }, { at: 14, bytes: 4, littleEndian: true }, { at: 18, bytes: 4, littleEndian: true }, { at: 22, bytes: 4, littleEndian: true }, { at: 28, bytes: 2, littleEndian: true }, { at: 30, bytes: 4, littleEndian: true }, { at: 46, bytes: 4, littleEndian: true }, { at: 54, bytes: 4, littleEndian: true }, { at: 58, bytes: 4, littleEndian: true }];
/** The same fields of a DIB (no 14-byte file header). */
const DIB_FIELDS: FuzzField[] = BMP_FIELDS.slice(1).map((f) => ({ ...f, at: f.at - 14 }));

export const bmpCodec = {
  format: 'BMP',
  description: 'Windows and OS/2 bitmap (raw, RLE4, RLE8, bitfields)',
  extensions: ['.bmp'],
  mimeTypes: ['image/bmp'],
  modes: BMP_MODES,
  fuzz: { cases: 800, minSeeds: 40, fields: BMP_FIELDS, truncation: ['bmp/g/pal8.bmp', 'bmp/g/rgb24.bmp', 'bmp/g/pal4rle.bmp', 'bmp/g/pal1.bmp'], cuts: 600 },
  accept: (p) => p[0] === 0x42 && p[1] === 0x4d,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const head = await input.prefix(18);
    if (head.length < 14) throw new TruncatedImageError(`Truncated File Read: ${name}: ${head.length}-byte BMP file header`);
    return decoding(input, await readBitmap(input, 14, u32le(head, 10), false, name), 'BMP', options, name);
  },
} satisfies Codec;

export const dibCodec = {
  format: 'DIB',
  description: 'Windows device-independent bitmap (a BMP without its file header)',
  extensions: ['.dib'],
  mimeTypes: [],
  modes: BMP_MODES,
  fuzz: { cases: 800, minSeeds: 1, fields: DIB_FIELDS, truncation: ['dib/clipboard.dib'], cuts: 300 },
  accept: (p) => p.length >= 4 && [12, 40, 52, 56, 64, 108, 124].includes(u32le(p, 0)),
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    return decoding(input, await readBitmap(input, 0, 0, false, name), 'DIB', options, name);
  },
} satisfies Codec;
