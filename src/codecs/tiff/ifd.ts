/**
 * TIFF and BigTIFF structure as Pillow's ImageFileDirectory_v2 reads it: the header (byte
 * order, classic or BigTIFF, first IFD offset), each IFD's entries (tag, type, count, value or
 * offset), and the chain of IFDs that makes the frames. Entries of an unknown type are skipped;
 * an entry whose data lies past the end of the file, or an IFD cut short, ends the reading of
 * that IFD with the entries read so far and no next IFD (Pillow's `load` warns and returns).
 * Values are decoded on demand by the accessors.
 */

import type { ByteSource } from '../../core/input.js';

/** Pillow's TYPES: bytes per value of each TIFF field type it loads. */
const TYPE_SIZE: Readonly<Record<number, number>> = {
  1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8,
};

export const BYTE = 1;
export const ASCII = 2;
export const UNDEFINED = 7;
export const RATIONAL = 5;
export const SIGNED_RATIONAL = 10;

export interface Entry {
  readonly type: number;
  readonly count: number;
  /** The value's bytes (count x type size), from the entry or from its offset. */
  readonly data: Uint8Array;
}

export interface TiffHeader {
  readonly littleEndian: boolean;
  readonly bigTiff: boolean;
  readonly first: number;
}

/** Pillow's PREFIXES: TIFF and BigTIFF in both byte orders, and the two "invalid but assumed" magics. */
const PREFIXES = ['MM\x00\x2a', 'II\x2a\x00', 'MM\x2a\x00', 'II\x00\x2a', 'MM\x00\x2b', 'II\x2b\x00'].map((p) => Uint8Array.from(p, (c) => c.charCodeAt(0)));

/** Pillow's `_accept`: the first 4 bytes are one of its prefixes. */
export function isTiffPrefix(s: Uint8Array): boolean {
  return s.length >= 4 && PREFIXES.some((p) => p.every((b, i) => s[i] === b));
}

/**
 * The 8-byte (16 for BigTIFF) header as Pillow reads it: BigTIFF when byte 2 is 43 (so a
 * big-endian BigTIFF, whose byte 3 is 43, is read as a classic TIFF, as Pillow does);
 * undefined when the prefix is not one of Pillow's or the header is cut.
 */
export function readHeader(s: Uint8Array): TiffHeader | undefined {
  if (s.length < 8 || !isTiffPrefix(s)) return undefined;
  const le = s[0] === 0x49;
  const v = new DataView(s.buffer, s.byteOffset, s.length);
  if (s[2] === 43) {
    if (s.length < 16) return undefined;
    return { littleEndian: le, bigTiff: true, first: Number(v.getBigUint64(8, le)) };
  }
  return { littleEndian: le, bigTiff: false, first: v.getUint32(4, le) };
}

/** One image file directory: its entries by tag, where it was read, and the next IFD's offset. */
export class Ifd {
  readonly entries = new Map<number, Entry>();
  /** Offset of the next IFD; 0 where the chain ends or the IFD was cut short. */
  next = 0;
  /** A warning Pillow would print while reading this IFD (a cut IFD, a tag past the end). */
  readonly warnings: string[] = [];
  /** Entries looked at (kept or skipped). */
  scanned = 0;

  constructor(
    readonly s: ByteSource,
    readonly header: TiffHeader,
    readonly offset: number,
  ) {
    this.#read();
  }

  #read(): void {
    const { s, header } = this;
    const le = header.littleEndian;
    const entrySize = header.bigTiff ? 20 : 12;
    const inline = header.bigTiff ? 8 : 4;
    const countSize = header.bigTiff ? 8 : 2;
    const nextSize = header.bigTiff ? 8 : 4;
    const start = this.offset;
    const short = (n: number, at: number, what: string): void => {
      this.warnings.push(`Corrupt EXIF data.  Expecting to read ${n} bytes for ${what} at offset ${at} but only got ${Math.max(0, s.length - at)}.`);
    };
    if (start < 0 || start + countSize > s.length) {
      short(countSize, start, 'the entry count');
      return;
    }
    const head = s.subarray(start, start + countSize);
    const hv = new DataView(head.buffer, head.byteOffset, head.length);
    const count = header.bigTiff ? Number(hv.getBigUint64(0, le)) : hv.getUint16(0, le);
    // the entries and the next offset in one read (as much of them as the file holds)
    const first = start + countSize;
    const block = s.subarray(first, Math.min(s.length, first + count * entrySize + nextSize));
    const v = new DataView(block.buffer, block.byteOffset, block.length);
    let p = 0;
    for (let i = 0; i < count; i++) {
      this.scanned++;
      if (p + entrySize > block.length) {
      short(entrySize, first + p, `entry ${i}`);
      return;
    }
      const tag = v.getUint16(p, le);
      const type = v.getUint16(p + 2, le);
      const n = header.bigTiff ? Number(v.getBigUint64(p + 4, le)) : v.getUint32(p + 4, le);
      const valueAt = p + (header.bigTiff ? 12 : 8);
      p += entrySize;
      const unit = TYPE_SIZE[type];
      if (unit === undefined) continue;
      const size = n * unit;
      let data: Uint8Array;
      if (size > inline) {
        const at = header.bigTiff ? Number(v.getBigUint64(valueAt, le)) : v.getUint32(valueAt, le);
        if (at + size > s.length) {
          this.warnings.push(`Truncated File Read: tag ${tag} wants ${size} bytes at offset ${at} of ${s.length}`);
          return;
        }
        data = s.subarray(at, at + size);
      } else {
        data = block.subarray(valueAt, valueAt + size);
      }
      if (data.length === 0) continue;
      this.entries.set(tag, { type, count: n, data });
    }
    if (p + nextSize > block.length) {
      short(nextSize, first + p, 'the next IFD offset');
      return;
    }
    this.next = header.bigTiff ? Number(v.getBigUint64(p, le)) : v.getUint32(p, le);
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** The numbers of a numeric entry (rationals as numerator / denominator), or undefined. */
  numbers(tag: number): number[] | undefined {
    const e = this.entries.get(tag);
    if (e === undefined) return undefined;
    const le = this.header.littleEndian;
    const v = new DataView(e.data.buffer, e.data.byteOffset, e.data.length);
    const out: number[] = [];
    const unit = TYPE_SIZE[e.type];
    for (let i = 0; i < e.count; i++) {
      const p = i * unit;
      switch (e.type) {
        case 1: case 2: case 7: out.push(v.getUint8(p)); break;
        case 6: out.push(v.getInt8(p)); break;
        case 3: out.push(v.getUint16(p, le)); break;
        case 8: out.push(v.getInt16(p, le)); break;
        case 4: case 13: out.push(v.getUint32(p, le)); break;
        case 9: out.push(v.getInt32(p, le)); break;
        case 11: out.push(v.getFloat32(p, le)); break;
        case 12: out.push(v.getFloat64(p, le)); break;
        case 16: case 18: out.push(Number(v.getBigUint64(p, le))); break;
        case 17: out.push(Number(v.getBigInt64(p, le))); break;
        case 5: out.push(v.getUint32(p, le) / v.getUint32(p + 4, le)); break;
        case 10: out.push(v.getInt32(p, le) / v.getInt32(p + 4, le)); break;
      }
    }
    return out;
  }

  /** The first number of an entry (Pillow's scalar tags), or `fallback`. */
  number(tag: number, fallback: number): number;
  number(tag: number): number | undefined;
  number(tag: number, fallback?: number): number | undefined {
    return this.numbers(tag)?.[0] ?? fallback;
  }

  /** True when the entry's type holds integers (Pillow's `isinstance(value, int)`). */
  isInteger(tag: number): boolean {
    const t = this.entries.get(tag)?.type;
    return t !== undefined && t !== 5 && t !== 10 && t !== 11 && t !== 12 && t !== 2;
  }

  /** The raw bytes of an entry (ICC profile, XMP, JPEG tables...). */
  bytes(tag: number): Uint8Array | undefined {
    return this.entries.get(tag)?.data;
  }
}

/**
 * The IFD chain from the header's first offset, as Pillow's `_seek` walks it: an IFD whose next
 * offset was already visited ends the chain; an offset of 2**63 or more raises (Pillow's
 * "Unable to seek to frame"). Reads at most `limit` IFDs and, so that a crafted chain of
 * overlapping directories cannot take unbounded time, at most `entryBudget` entries in all: the
 * chain ends at the IFD that would exceed it.
 */
export function walkChain(s: ByteSource, header: TiffHeader, limit: number, entryBudget = 1 << 20): Ifd[] {
  const seen = new Set<number>();
  const ifds: Ifd[] = [];
  let entries = 0;
  let next = header.first;
  while (next !== 0 && ifds.length < limit) {
    if (next >= 2 ** 63) throw new RangeError(`Unable to seek to frame: IFD offset ${next}`);
    seen.add(next);
    const ifd = new Ifd(s, header, next);
    entries += ifd.scanned + 1;
    if (entries > entryBudget && ifds.length > 0) break;
    ifds.push(ifd);
    next = seen.has(ifd.next) ? 0 : ifd.next;
  }
  return ifds;
}
