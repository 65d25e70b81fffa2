/**
 * The raw encoder: an image's pixels as bytes in any raw layout, written in blocks of whole
 * rows straight into one destination (the Uploadcare "two copies" idea, with zero joins):
 *
 *   tobytes(img, rawmode?)             one exact allocation, filled block by block
 *   encodeInto(img, dest, rawmode?)    fills the caller's buffer (an ndarray's, a socket's...)
 *   encoder(img, rawmode).encode(64K)  Pillow's chunk API: yields blocks of whole rows
 *
 * A (mode, rawmode) pair Pillow can pack uses Pillow's packer (./pack.ts). Any other pair is
 * converted first, block by block, to the first of BASES that packs it, exactly as
 * `img.convert(base).tobytes('raw', rawmode)` in Pillow (e.g. RGB -> 'L', 'BGRA', 'I;16B').
 */
import { InvalidArgumentError, UnsupportedError, invalidArgument } from '../core/errors.js';
import type { Raster } from '../core/types.js';
import { DTYPES, MODES, bandCount, type Mode } from '../core/modes.js';
import { BLOCK_BYTES, convertedRows, rowSource, rowsPerBlock } from './blocks.js';
import { isContiguous } from '../core/ndarray.js';
import { planImageConversion, type ConvertOptions } from './convert/index.js';
import type { Kernel } from './convert/kernels.js';
import { findPacker, IDENTITY, RAWMODES, type PackerInfo } from './pack.js';

/** Base modes tried, in order, for a raw mode the image's own mode cannot pack. */
const BASES: readonly Mode[] = ['RGB', 'RGBA', 'L', '1', 'I;16', 'I', 'F', 'CMYK', 'LA'];

interface Plan {
  rowBytes: number;
  /** Writes rows [y0, y1) into `dst` from byte `di`. */
  run(y0: number, y1: number, dst: Uint8Array, di: number): void;
}

function plan(img: Raster, rawmode: string, options?: ConvertOptions): Plan {
  const w = img.width;
  let base: Mode = img.mode;
  let packer: PackerInfo | undefined = findPacker(img.mode, rawmode);
  let convert: Kernel | undefined;
  if (packer === undefined) {
    for (const candidate of BASES) {
      const p = findPacker(candidate, rawmode);
      if (p === undefined || candidate === img.mode) continue;
      try {
        convert = planImageConversion(img, candidate, options).kernel;
      } catch (err) {
        if (err instanceof UnsupportedError) continue;
        throw err;
      }
      base = candidate;
      packer = p;
      break;
    }
  }
  if (packer === undefined) {
    if (!RAWMODES.has(rawmode)) throw invalidArgument('rawmode', `a raw mode (${[...RAWMODES].join(', ')})`, rawmode);
    throw new UnsupportedError(`No packer found from ${img.mode} to ${rawmode}`);
  }
  const pack = packer;
  const rowBytes = Math.ceil((w * pack.bits) / 8);
  const rows = rowSource(img.pixels);
  const baseBands = bandCount(base);
  const Ctor = DTYPES[MODES[base].dtype];
  const bitPacked = pack.bits % 8 !== 0;
  // A conversion whose packed result already is the raw layout writes straight into dst.
  const direct = convert !== undefined && rawmode === base && Ctor === Uint8Array && !bitPacked;
  const source = convertedRows(rows, w, convert, Ctor, baseBands);

  return {
    rowBytes,
    run(y0, y1, dst, di) {
      const n = (y1 - y0) * w;
      if (direct && convert !== undefined) {
        const block = rows(y0, y1);
        convert(block.data, block.offset, dst, di, n);
        return;
      }
      const block = source(y0, y1);
      if (!bitPacked) {
        pack.pack(block.data, block.offset, dst, di, n);
        return;
      }
      for (let y = y0, si = block.offset; y < y1; y++, si += w * baseBands, di += rowBytes) pack.pack(block.data, si, dst, di, w);
    },
  };
}

function bytesOf(dest: ArrayBufferView | ArrayBufferLike): Uint8Array {
  if (ArrayBuffer.isView(dest)) return new Uint8Array(dest.buffer, dest.byteOffset, dest.byteLength);
  if (dest instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && dest instanceof SharedArrayBuffer)) {
    return new Uint8Array(dest);
  }
  throw invalidArgument('dest', 'a TypedArray, Buffer, DataView, ArrayBuffer or SharedArrayBuffer', dest);
}

/** @throws InvalidArgumentError unless `bytes` holds `need` bytes from `offset` (an integer >= 0) */
function checkRoom(bytes: Uint8Array, offset: number, need: number, rawmode: string): void {
  if (!Number.isInteger(offset) || offset < 0) throw invalidArgument('offset', 'an integer >= 0', offset);
  if (bytes.length - offset < need) {
    throw new InvalidArgumentError(`dest has ${bytes.length - offset} bytes from offset ${offset}; ${rawmode} needs ${need}`);
  }
}

/**
 * The image's storage bytes, when `rawmode` packs them unchanged (RGB as 'RGB', I;16 as 'I;16',
 * F as 'F') and they are one packed run; else undefined. `tobytes` and `encodeInto` copy these
 * without planning an encoder: the copy before a call evicts the caches, so planning per call
 * is a visible share of a small image's copy.
 */
function plainBytes(img: Raster, rawmode: string): Uint8Array | undefined {
  const packer = findPacker(img.mode, rawmode);
  if (packer === undefined || !IDENTITY.has(packer.pack)) return undefined;
  const px = img.pixels;
  if (!isContiguous(px)) return undefined;
  const bpe = px.data.BYTES_PER_ELEMENT;
  return new Uint8Array(px.data.buffer, px.data.byteOffset + px.offset * bpe, px.size * bpe);
}

/** Pillow's `ImageFile` raw encoder for one image and raw mode. */
export class RawEncoder {
  readonly rawmode: string;
  /** Bytes of one encoded row (bit-packed rows are padded to a byte, as in Pillow). */
  readonly rowBytes: number;
  /** Bytes of the whole encoded image. */
  readonly byteLength: number;
  readonly #plan: Plan;
  readonly #height: number;
  /** The storage's own bytes where they are the encoding (`plainBytes`): written in one copy. */
  readonly #plain: Uint8Array | undefined;

  constructor(img: Raster, rawmode: string = img.mode, options?: ConvertOptions) {
    if (typeof rawmode !== 'string') throw invalidArgument('rawmode', 'a string', rawmode);
    this.rawmode = rawmode;
    this.#plan = plan(img, rawmode, options);
    this.#plain = plainBytes(img, rawmode);
    this.#height = img.height;
    this.rowBytes = this.#plan.rowBytes;
    this.byteLength = this.rowBytes * img.height;
  }

  /**
   * Yields the encoded image in blocks of whole rows of about `bufsize` bytes (at least one
   * row per block), each a new Uint8Array the caller may keep.
   */
  *encode(bufsize = 65536): Generator<Uint8Array, void, undefined> {
    if (!Number.isInteger(bufsize) || bufsize < 1) throw invalidArgument('bufsize', 'a positive integer', bufsize);
    const step = rowsPerBlock(this.rowBytes, bufsize);
    for (let y0 = 0; y0 < this.#height; y0 += step) {
      const y1 = Math.min(this.#height, y0 + step);
      const block = new Uint8Array((y1 - y0) * this.rowBytes);
      this.#plan.run(y0, y1, block, 0);
      yield block;
    }
  }

  /** Writes the whole image into `dest` from byte `offset`; returns the bytes written. */
  encodeInto(dest: ArrayBufferView | ArrayBufferLike, offset = 0): number {
    const bytes = bytesOf(dest);
    checkRoom(bytes, offset, this.byteLength, this.rawmode);
    if (this.#plain !== undefined) { // one copy (large copies use non-temporal stores)
      bytes.set(this.#plain, offset);
      return this.byteLength;
    }
    // cache-sized blocks, so a conversion's or a view's scratch stays small and hot
    const step = rowsPerBlock(this.rowBytes, BLOCK_BYTES);
    for (let y0 = 0; y0 < this.#height; y0 += step) {
      const y1 = Math.min(this.#height, y0 + step);
      this.#plan.run(y0, y1, bytes, offset + y0 * this.rowBytes);
    }
    return this.byteLength;
  }
}

/** Pillow's `Image._getencoder('raw', rawmode)`: `encoder(img, 'BGR').encode(65536)`. */
export function encoder(img: Raster, rawmode?: string, options?: ConvertOptions): RawEncoder {
  return new RawEncoder(img, rawmode, options);
}

/** Pillow `img.tobytes('raw', rawmode)`: one allocation of the exact size, no join. */
export function tobytes(img: Raster, rawmode?: string, options?: ConvertOptions): Uint8Array {
  const plain = plainBytes(img, rawmode ?? img.mode);
  if (plain !== undefined) return plain.slice();
  const enc = new RawEncoder(img, rawmode, options);
  const out = new Uint8Array(enc.byteLength);
  enc.encodeInto(out);
  return out;
}

/** Fills `dest` with `img` encoded as `rawmode` (default: the image's own); returns the byte count. */
export function encodeInto(img: Raster, dest: ArrayBufferView | ArrayBufferLike, rawmode?: string, options?: ConvertOptions): number {
  const plain = plainBytes(img, rawmode ?? img.mode);
  if (plain !== undefined) {
    const bytes = bytesOf(dest);
    checkRoom(bytes, 0, plain.length, rawmode ?? img.mode);
    bytes.set(plain);
    return plain.length;
  }
  return new RawEncoder(img, rawmode, options).encodeInto(dest);
}
