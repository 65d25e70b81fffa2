/**
 * TIFF's lossless compressions and predictors as libtiff decodes them (Pillow hands every
 * compressed TIFF to libtiff): LZW (new-style MSB codes with the early width change, and the
 * old-style LSB variant libtiff still reads), Deflate (zlib), PackBits, the horizontal
 * differencing predictor (8, 16, 32 bits) and the floating-point predictor. Each decoder fills
 * a strip or tile buffer and returns how many bytes it wrote; libtiff's rule is that a strip
 * short of its size is an error ("Not enough data"), which the caller applies.
 */
import { constants, inflateSync } from 'node:zlib';
import { nativeDeflate, nativeLzma, nativeStrips } from '../../kernels/native.js';

/** Thrown for data libtiff rejects (a corrupt LZW table, a zlib data error, a bad predictor). */
export class StripError extends Error {}

const CLEAR = 256;
const EOI = 257;
const TABLE = 4096 + 1024;

/**
 * LZW into `out`; returns the bytes written (a string cut by the end of `out` is cut, as
 * libtiff's residue is dropped). Every table entry is the previous code's string plus one byte,
 * and both already sit side by side in `out`: an entry is kept as a position and a length in
 * the output, and emitting it is a copy from there.
 */
export function lzwDecode(src: Uint8Array, out: Uint8Array): number {
  const native = nativeStrips('lzw');
  if (native !== null) {
    // the same decoder in C (strips.c), held equal to this one by test/codecs/tiff
    try {
      return native.decodeSync(src, out);
    } catch (e) {
      throw new StripError(e instanceof Error ? e.message : String(e));
    }
  }
  const oldStyle = src.length >= 2 && src[0] === 0 && (src[1] & 1) === 1;
  return oldStyle ? lzwLsb(src, out) : lzwMsb(src, out);
}

/** New-style TIFF LZW: codes most significant bit first, the width growing one code early. */
function lzwMsb(src: Uint8Array, out: Uint8Array): number {
  const start = new Int32Array(TABLE);
  const length = new Int32Array(TABLE);
  const n = src.length;
  const end = out.length;
  let nbits = 9;
  let limit = 510;
  let free = 258;
  let cleared = false;
  let prevAt = 0;
  let prevLen = 0;
  let p = 0;
  let buf = 0;
  let have = 0;
  let w = 0;
  while (w < end) {
    if (have < nbits) {
      // two bytes always cover a code of at most 12 bits
      if (p + 1 < n) {
        buf = ((buf << 16) | (src[p] << 8) | src[p + 1]) >>> 0;
        p += 2;
        have += 16;
      } else {
        while (have < nbits && p < n) {
          buf = ((buf << 8) | src[p++]) >>> 0;
          have += 8;
        }
        if (have < nbits) break; // libtiff: "not terminated with EOI code"
      }
    }
    have -= nbits;
    const code = (buf >>> have) & ((1 << nbits) - 1);
    buf &= (1 << have) - 1;
    if (code < 256) {
      if (prevLen === 0) {
        if (!cleared) throw new StripError('LZWDecode: Corrupted LZW table (no clear code first)');
      } else {
        start[free] = prevAt;
        length[free] = prevLen + 1;
        if (++free > limit && nbits < 12) limit = (1 << ++nbits) - 2;
      }
      prevAt = w;
      prevLen = 1;
      out[w++] = code;
      continue;
    }
    if (code === CLEAR) {
      nbits = 9;
      limit = 510;
      free = 258;
      cleared = true;
      prevLen = 0;
      continue;
    }
    if (code === EOI) break;
    if (prevLen === 0) throw new StripError(`LZWDecode: Corrupted LZW table (code ${code} ${cleared ? 'after a clear code' : 'before any clear code'})`);
    if (code > free || free >= TABLE) throw new StripError(`LZWDecode: Corrupted LZW table (code ${code}, ${free} entries)`);
    start[free] = prevAt;
    length[free] = prevLen + 1;
    if (++free > limit && nbits < 12) limit = (1 << ++nbits) - 2;
    let k = start[code];
    const len = length[code];
    prevAt = w;
    prevLen = len;
    const stop = w + len <= end ? w + len : end;
    // forward byte copy: a KwKwK entry overlaps the bytes it is writing
    while (w < stop) out[w++] = out[k++];
  }
  return w < end ? w : end;
}

/** Old-style LZW (libtiff's compatibility decoder): codes least significant bit first, no early change. */
function lzwLsb(src: Uint8Array, out: Uint8Array): number {
  const start = new Int32Array(TABLE);
  const length = new Int32Array(TABLE);
  const n = src.length;
  const end = out.length;
  let nbits = 9;
  let limit = 511;
  let free = 258;
  let cleared = false;
  let prevAt = 0;
  let prevLen = 0;
  let p = 0;
  let buf = 0;
  let have = 0;
  let w = 0;
  while (w < end) {
    while (have < nbits && p < n) {
      buf |= src[p++] << have;
      have += 8;
    }
    if (have < nbits) break;
    const code = buf & ((1 << nbits) - 1);
    buf >>>= nbits;
    have -= nbits;
    if (code === CLEAR) {
      nbits = 9;
      limit = 511;
      free = 258;
      cleared = true;
      prevLen = 0;
      continue;
    }
    if (code === EOI) break;
    if (prevLen === 0) {
      if (!cleared) throw new StripError('LZWDecode: Corrupted LZW table (no clear code first)');
      if (code > 255) throw new StripError(`LZWDecode: Corrupted LZW table (code ${code} after a clear code)`);
      prevAt = w;
      prevLen = 1;
      out[w++] = code;
      continue;
    }
    if (code > free || free >= TABLE) throw new StripError(`LZWDecode: Corrupted LZW table (code ${code}, ${free} entries)`);
    start[free] = prevAt;
    length[free] = prevLen + 1;
    if (++free > limit && nbits < 12) limit = (1 << ++nbits) - 1;
    prevAt = w;
    if (code < 256) {
      out[w++] = code;
      prevLen = 1;
    } else {
      let k = start[code];
      const len = length[code];
      prevLen = len;
      const stop = w + len <= end ? w + len : end;
      while (w < stop) out[w++] = out[k++];
    }
  }
  return w < end ? w : end;
}

/** LZMA (34925): one .xz stream into `out` by liblzma (the native kernel's), the bytes it gave. */
export function lzmaDecode(src: Uint8Array, out: Uint8Array): number {
  const lzma = nativeLzma();
  if (lzma === null) throw new Error('internal: LZMA strips need the native kernel with liblzma');
  try {
    return lzma.decodeSync(src, out);
  } catch (e) {
    throw new StripError(`LZMADecode: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * zlib (Deflate, Adobe Deflate) into `out`: the bytes written. libdeflate (the native kernel's,
 * where built) inflates a whole stream straight into `out`; a stream it does not decode
 * completely within `out` (cut, corrupt, longer than the strip) is inflated by node:zlib, which
 * gives what the stream holds (a cut stream's bytes included) or zlib's error, as libtiff's zlib.
 */
export function deflateInto(src: Uint8Array, out: Uint8Array): number {
  const native = nativeDeflate();
  if (native !== null) {
    const got = native.decodeSync(src, out);
    if (got >= 0) return got;
  }
  const inflated = deflateDecode(src);
  const got = Math.min(inflated.length, out.length);
  out.set(inflated.subarray(0, got));
  return got;
}

/** zlib (Deflate, Adobe Deflate): what the stream gives (a cut stream included), zlib's own buffer. */
export function deflateDecode(src: Uint8Array): Uint8Array {
  try {
    return inflateSync(src, { finishFlush: constants.Z_SYNC_FLUSH });
  } catch (e) {
    throw new StripError(`ZIPDecode: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** libtiff's PackBits: runs across rows, a literal taken only whole, what overflows the buffer dropped. */
export function packBitsDecode(src: Uint8Array, out: Uint8Array): number {
  // the same decoder in C (strips.c), held equal to this one by test/codecs/tiff
  const native = nativeStrips('packbits');
  if (native !== null) return native.decodeSync(src, out);
  let p = 0;
  let w = 0;
  const end = out.length;
  while (p < src.length && w < end) {
    let n = src[p++];
    if (n >= 128) n -= 256;
    if (n < 0) {
      if (n === -128) continue;
      if (p >= src.length) break;
      const len = Math.min(-n + 1, end - w);
      out.fill(src[p++], w, w + len);
      w += len;
    } else {
      const len = Math.min(n + 1, end - w);
      if (src.length - p < len) break;
      out.set(src.subarray(p, p + len), w);
      w += len;
      p += n + 1;
    }
  }
  return w;
}

/** Each byte's bits reversed (FillOrder 2), applied to the compressed bytes as libtiff does. */
export function reverseBits(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    let b = src[i];
    b = ((b & 0xf0) >> 4) | ((b & 0x0f) << 4);
    b = ((b & 0xcc) >> 2) | ((b & 0x33) << 2);
    out[i] = ((b & 0xaa) >> 1) | ((b & 0x55) << 1);
  }
  return out;
}

/**
 * Undoes predictor 2 (horizontal differencing) in place on `rows` rows of `rowBytes`: samples
 * of `bits` (8, 16, 32) in the file's byte order, `stride` samples apart.
 */
export function horizontalPredictor(buf: Uint8Array, rowBytes: number, rows: number, bits: number, stride: number, littleEndian: boolean): void {
  if (bits === 8) {
    for (let r = 0; r < rows; r++) {
      const o = r * rowBytes;
      for (let i = o + stride; i < o + rowBytes; i++) buf[i] = (buf[i] + buf[i - stride]) & 255;
    }
    return;
  }
  if (bits !== 16 && bits !== 32) throw new StripError(`Horizontal differencing "Predictor" not supported with ${bits}-bit samples`);
  const size = bits / 8;
  const v = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const n = Math.floor(rowBytes / size);
  for (let r = 0; r < rows; r++) {
    const o = r * rowBytes;
    for (let i = stride; i < n; i++) {
      const at = o + i * size;
      const back = at - stride * size;
      if (size === 2) v.setUint16(at, v.getUint16(at, littleEndian) + v.getUint16(back, littleEndian), littleEndian);
      else v.setUint32(at, (v.getUint32(at, littleEndian) + v.getUint32(back, littleEndian)) >>> 0, littleEndian);
    }
  }
}

/**
 * Undoes predictor 3 (floating point) in place: bytes accumulated across the row `stride`
 * apart, then the byte planes (most significant first) put back together in little-endian
 * order, libtiff's fpAcc on a little-endian host. Rows come out little-endian whatever the
 * file's byte order.
 */
export function floatPredictor(buf: Uint8Array, rowBytes: number, rows: number, bits: number, stride: number): void {
  if (bits !== 16 && bits !== 24 && bits !== 32 && bits !== 64) throw new StripError(`Floating point "Predictor" not supported with ${bits}-bit samples`);
  const bps = bits / 8;
  const wc = Math.floor(rowBytes / bps);
  const tmp = new Uint8Array(rowBytes);
  for (let r = 0; r < rows; r++) {
    const o = r * rowBytes;
    for (let i = o + stride; i < o + wc * bps; i++) buf[i] = (buf[i] + buf[i - stride]) & 255;
    tmp.set(buf.subarray(o, o + rowBytes));
    for (let c = 0; c < wc; c++) for (let b = 0; b < bps; b++) buf[o + bps * c + b] = tmp[(bps - b - 1) * wc + c];
  }
}

/** Swaps each `bits`-wide sample (16, 24, 32, 64) in place: libtiff's byte swapping to host order. */
export function swapSamples(buf: Uint8Array, bits: number): void {
  const size = bits / 8;
  for (let i = 0; i + size <= buf.length; i += size) {
    for (let a = i, b = i + size - 1; a < b; a++, b--) {
      const t = buf[a];
      buf[a] = buf[b];
      buf[b] = t;
    }
  }
}
