/**
 * LZW decompression as GIF and TIFF use it: variable-width codes from `minBits + 1` up to 12
 * bits, a clear code and an end code. GIF packs codes least significant bit first and widens
 * the code when the table reaches the width's limit; TIFF packs them most significant bit first
 * and widens one code early. The hot loop writes straight into the caller's output.
 */

export interface LzwOptions {
  /** Bits of a literal (GIF's "LZW minimum code size"; TIFF: 8). */
  readonly minBits: number;
  /** TIFF bit order and early change; default GIF's. */
  readonly tiff?: boolean;
}

export interface LzwResult {
  /** Bytes written to the output. */
  readonly written: number;
  /** True when the end code was read (the stream ended properly). */
  readonly ended: boolean;
  /** True when a code referred to a table entry that does not exist yet (a broken stream). */
  readonly broken: boolean;
}

const MAX_CODES = 4096;

/** Decodes `src` into `out` from `outStart`, at most up to `out.length`. */
export function lzwDecode(src: Uint8Array, out: Uint8Array, outStart: number, options: LzwOptions): LzwResult {
  const { minBits } = options;
  const tiff = options.tiff === true;
  if (!Number.isInteger(minBits) || minBits < 1 || minBits > 11) return { written: 0, ended: false, broken: true };
  const clear = 1 << minBits;
  const end = clear + 1;
  // the table: each entry is its prefix code and last byte, plus its length and first byte
  const prefix = new Int16Array(MAX_CODES);
  const suffix = new Uint8Array(MAX_CODES);
  const length = new Uint16Array(MAX_CODES);
  const first = new Uint8Array(MAX_CODES);
  for (let i = 0; i < clear; i++) {
    prefix[i] = -1;
    suffix[i] = i & 255;
    first[i] = i & 255;
    length[i] = 1;
  }
  let next = clear + 2;
  let bits = minBits + 1;
  let prev = -1;
  let o = outStart;
  const limit = out.length;
  let acc = 0;
  let accBits = 0;
  let p = 0;
  const early = tiff ? 1 : 0; // TIFF widens one code early

  while (o < limit) {
    while (accBits < bits && p < src.length) {
      if (tiff) acc = ((acc << 8) | src[p++]) >>> 0;
      else acc |= src[p++] << accBits;
      accBits += 8;
    }
    if (accBits < bits) break;
    let code: number;
    if (tiff) {
      code = (acc >>> (accBits - bits)) & ((1 << bits) - 1);
      accBits -= bits;
      acc &= (1 << accBits) - 1;
    } else {
      code = acc & ((1 << bits) - 1);
      acc >>>= bits;
      accBits -= bits;
    }
    if (code === clear) {
      next = clear + 2;
      bits = minBits + 1;
      prev = -1;
      continue;
    }
    if (code === end) return { written: o - outStart, ended: true, broken: false };
    let entry: number;
    if (prev === -1) {
      if (code >= clear) return { written: o - outStart, ended: false, broken: true };
      out[o++] = code;
      prev = code;
      continue;
    }
    let firstByte: number;
    if (code < next) {
      entry = code;
      firstByte = first[code];
    } else if (code === next) {
      entry = -1; // KwKwK: prev's string plus its own first byte
      firstByte = first[prev];
    } else {
      return { written: o - outStart, ended: false, broken: true };
    }
    if (next < MAX_CODES) {
      prefix[next] = prev;
      suffix[next] = firstByte;
      first[next] = first[prev];
      length[next] = length[prev] + 1;
      next++;
      if (next + early >= 1 << bits && bits < 12) bits++;
    }
    const e = entry === -1 ? next - 1 : entry;
    // write the string of `e` backwards from its end
    const n = length[e];
    const stop = Math.min(o + n, limit);
    let c = e;
    for (let k = o + n - 1; k >= o; k--) {
      if (k < stop) out[k] = suffix[c];
      c = prefix[c];
    }
    o = stop;
    prev = e;
  }
  return { written: o - outStart, ended: false, broken: false };
}
