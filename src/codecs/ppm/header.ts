/**
 * The PNM/PFM header as Pillow's PpmImagePlugin reads it: a magic of up to 6 bytes, then
 * whitespace-separated tokens of at most 10 bytes, `#` comments running to CR or LF.
 */
import { UnidentifiedImageError } from '../../core/errors.js';
import type { Mode } from '../../core/modes.js';
import { NeedMoreBytes } from '../../core/input.js';

/** Pillow's MODES: magic -> mode. */
export const MAGIC: Readonly<Record<string, Mode>> = {
  P1: '1', P2: 'L', P3: 'RGB', P4: '1', P5: 'L', P6: 'RGB', P0CMYK: 'CMYK', Pf: 'F', PyP: 'P', PyRGBA: 'RGBA', PyCMYK: 'CMYK',
};

export const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);


export interface PpmHeader {
  magic: string;
  mode: Mode;
  width: number;
  height: number;
  /** Samples' maximum (absent for bitmaps and PFM). */
  maxval?: number;
  /** PFM: the scale's absolute value, and little-endian samples when it was negative. */
  scale?: number;
  littleEndian?: boolean;
  /** Where the pixel data starts. */
  offset: number;
}

/** Parses the header in `s`; `complete` says `s` is the whole file (no NeedMoreBytes then). */
export function parsePpmHeader(s: Uint8Array, complete: boolean, name: string): PpmHeader {
  let p = 0;
  const byte = (): number => {
    if (p >= s.length) {
      if (complete) return -1;
      throw new NeedMoreBytes();
    }
    return s[p++];
  };
  const bad = (why: string): never => {
    throw new UnidentifiedImageError(`cannot identify image file ${name}: ${why}`);
  };
  let magic = '';
  for (let i = 0; i < 6; i++) {
    const c = byte();
    if (c < 0 || isSpace(c)) break;
    magic += String.fromCharCode(c);
  }
  const mode = Object.hasOwn(MAGIC, magic) ? MAGIC[magic] : bad('not a PPM file');
  const token = (): string => {
    let t = '';
    while (t.length <= 10) {
      const c = byte();
      if (c < 0) break;
      if (isSpace(c)) {
        if (t === '') continue;
        break;
      }
      if (c === 0x23) {
        for (let d = byte(); d >= 0 && d !== 0x0a && d !== 0x0d; d = byte());
        continue;
      }
      t += String.fromCharCode(c);
    }
    if (t === '') bad(`header ends at offset ${p} (Reached EOF while reading header)`);
    if (t.length > 10) bad(`token too long in file header at offset ${p}: ${t}`);
    return t;
  };
  const int = (what: string): number => {
    const t = token();
    if (!/^[+-]?\d+(_\d+)*$/.test(t)) bad(`${what} is not an integer: ${t} (offset ${p})`);
    return Number(t.replace(/_/g, ''));
  };
  const width = int('width');
  const height = int('height');
  if (width <= 0 || height <= 0) bad(`size ${width}x${height}`);
  const h: PpmHeader = { magic, mode, width, height, offset: 0 };
  if (mode === 'F') {
    const t = token();
    const scale = /^[+-]?(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/.test(t) ? Number(t.replace(/_/g, '')) : NaN;
    if (scale === 0 || !Number.isFinite(scale)) bad(`scale must be finite and non-zero: ${t}`);
    h.scale = Math.abs(scale);
    h.littleEndian = scale < 0;
  } else if (mode !== '1') {
    const maxval = int('maxval');
    if (!(maxval > 0 && maxval < 65536)) bad(`maxval must be greater than 0 and less than 65536: ${maxval}`);
    h.maxval = maxval;
    if (maxval > 255 && mode === 'L') h.mode = 'I';
  }
  h.offset = p;
  return h;
}
