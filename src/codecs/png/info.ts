/**
 * Ancillary PNG chunks -> Pillow's `info` (PngStream.chunk_* handlers, current Pillow):
 * gamma, chromaticity, srgb, dpi / aspect, transparency, text (tEXt, zTXt, iTXt), icc_profile,
 * exif. Values that are bytes in Pillow are Uint8Array here.
 */
import { inflateSync } from 'node:zlib';
import { DecodeError } from '../../core/errors.js';
import { u16be as u16, u32be as u32 } from '../../core/bytes.js';
import type { ImageInfo } from '../../core/types.js';
import type { Mode } from '../../core/modes.js';

/** Pillow's MAX_TEXT_CHUNK (ImageFile.SAFEBLOCK): largest decompressed text / ICC chunk. */
const MAX_TEXT_CHUNK = 1 << 20;
const latin1 = new TextDecoder('latin1');
const utf8 = new TextDecoder('utf-8', { fatal: true });


/** Pillow `_safe_zlib_decompress`: null on a zlib error, throws when over the size limit. */
function safeInflate(data: Uint8Array, what: string): Uint8Array | null {
  try {
    return inflateSync(data, { maxOutputLength: MAX_TEXT_CHUNK });
  } catch (e) {
    if (e instanceof RangeError) throw new DecodeError(`Decompressed Data Too Large in ${what} chunk`, { cause: e });
    return null;
  }
}

function splitNul(s: Uint8Array): [Uint8Array, Uint8Array] | null {
  const i = s.indexOf(0);
  return i < 0 ? null : [s.subarray(0, i), s.subarray(i + 1)];
}

/** Palette tRNS: Pillow's `_simple_palette` (^\xff*\x00\xff*$) gives an int, else the bytes. */
function paletteTransparency(s: Uint8Array): number | Uint8Array | undefined {
  const zero = s.indexOf(0);
  let simple = zero >= 0;
  for (let i = 0; simple && i < s.length; i++) if (i !== zero && s[i] !== 255) simple = false;
  if (simple) return zero;
  return s.slice();
}

/** Applies one ancillary chunk to `info`. Returns true if the chunk was known. */
export function readAncillary(type: string, s: Uint8Array, info: ImageInfo, mode: Mode | undefined): boolean {
  switch (type) {
    case 'gAMA':
      info.gamma = u32(s, 0) / 100000;
      return true;
    case 'cHRM': {
      const vals: number[] = [];
      for (let o = 0; o + 4 <= s.length; o += 4) vals.push(u32(s, o) / 100000);
      info.chromaticity = vals;
      return true;
    }
    case 'sRGB':
      if (s.length < 1) throw new RangeError('short sRGB');
      info.srgb = s[0];
      return true;
    case 'pHYs': {
      if (s.length < 9) throw new DecodeError('Truncated pHYs chunk');
      const px = u32(s, 0);
      const py = u32(s, 4);
      if (s[8] === 1) info.dpi = [px * 0.0254, py * 0.0254];
      else if (s[8] === 0) info.aspect = [px, py];
      return true;
    }
    case 'tRNS':
      if (mode === 'P') {
        const t = paletteTransparency(s);
        if (t !== undefined) info.transparency = t;
      } else if (mode === '1' || mode === 'L' || mode === 'I;16') {
        info.transparency = u16(s, 0);
      } else if (mode === 'RGB') {
        info.transparency = [u16(s, 0), u16(s, 2), u16(s, 4)];
      }
      return true;
    case 'tEXt': {
      const kv = splitNul(s) ?? [s, new Uint8Array(0)];
      if (kv[0].length > 0) info[latin1.decode(kv[0])] = latin1.decode(kv[1]);
      return true;
    }
    case 'zTXt': {
      const kv = splitNul(s) ?? [s, new Uint8Array(0)];
      const method = kv[1].length > 0 ? kv[1][0] : 0;
      if (method !== 0) throw new Error(`Unknown compression method ${method} in zTXt chunk`);
      const v = kv[1].length > 0 ? (safeInflate(kv[1].subarray(1), 'zTXt') ?? new Uint8Array(0)) : new Uint8Array(0);
      if (kv[0].length > 0) info[latin1.decode(kv[0])] = latin1.decode(v);
      return true;
    }
    case 'iTXt': {
      const kr = splitNul(s);
      if (kr === null || kr[1].length < 2) return true;
      const [k, r] = kr;
      const compressed = r[0];
      const method = r[1];
      const rest = r.subarray(2);
      const a = splitNul(rest);
      const b = a === null ? null : splitNul(a[1]);
      if (a === null || b === null) return true;
      let v: Uint8Array | null = b[1];
      if (compressed !== 0) {
        if (method !== 0) return true;
        v = safeInflate(v, 'iTXt');
        if (v === null) return true;
      }
      try {
        utf8.decode(a[0]);
        utf8.decode(b[0]);
        info[latin1.decode(k)] = utf8.decode(v);
      } catch {
        // Pillow skips iTXt chunks that are not valid UTF-8
      }
      return true;
    }
    case 'iCCP': {
      const nv = splitNul(s);
      if (nv === null || nv[1].length < 1) throw new RangeError('short iCCP');
      const method = nv[1][0];
      if (method !== 0) throw new Error(`Unknown compression method ${method} in iCCP chunk`);
      info.icc_profile = safeInflate(nv[1].subarray(1), 'iCCP');
      return true;
    }
    case 'eXIf': {
      const out = new Uint8Array(6 + s.length);
      out.set([0x45, 0x78, 0x69, 0x66, 0, 0]);
      out.set(s, 6);
      info.exif = out;
      return true;
    }
    default:
      return false;
  }
}
