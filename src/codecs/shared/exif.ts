/**
 * Minimal TIFF IFD reader for the EXIF and MPF blocks carried by JPEG and PNG files:
 * enough for orientation, resolution (Pillow's `_read_dpi_from_exif`) and MPO frame counts.
 * Out-of-range reads throw `RangeError`, which callers treat as "broken EXIF" the way
 * Pillow treats `struct.error`.
 */

export type IfdValue = number | string | readonly number[] | readonly [number, number][] | Uint8Array;

const TYPE_SIZES: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

/** Reads IFD0 of a TIFF structure (`II*\0` / `MM\0*`). Values with count 1 are unwrapped. */
export function readIfd0(tiff: Uint8Array): Map<number, IfdValue> {
  const dv = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
  const le = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) throw new RangeError('not a TIFF header');
  if (dv.getUint16(2, le) !== 42) throw new RangeError('bad TIFF magic');
  const ifd = dv.getUint32(4, le);
  const count = dv.getUint16(ifd, le);
  const tags = new Map<number, IfdValue>();
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    const tag = dv.getUint16(e, le);
    const type = dv.getUint16(e + 2, le);
    const n = dv.getUint32(e + 4, le);
    const size = TYPE_SIZES[type];
    if (size === undefined) continue;
    const at = size * n <= 4 ? e + 8 : dv.getUint32(e + 8, le);
    if (at + size * n > tiff.length) throw new RangeError(`tag ${tag} data out of range`);
    tags.set(tag, readValue(dv, tiff, type, n, at, le));
  }
  return tags;
}

function readValue(dv: DataView, tiff: Uint8Array, type: number, n: number, at: number, le: boolean): IfdValue {
  if (type === 2) return new TextDecoder('latin1').decode(tiff.subarray(at, at + n)).replace(/\0+$/, '');
  if (type === 1 || type === 6 || type === 7) {
    if (n === 1) return type === 6 ? dv.getInt8(at) : (tiff[at]);
    return tiff.slice(at, at + n);
  }
  if (type === 5 || type === 10) {
    const rs: [number, number][] = [];
    for (let k = 0; k < n; k++) {
      const p = at + 8 * k;
      rs.push(
        type === 5
          ? [dv.getUint32(p, le), dv.getUint32(p + 4, le)]
          : [dv.getInt32(p, le), dv.getInt32(p + 4, le)],
      );
    }
    return rs;
  }
  const nums: number[] = [];
  for (let k = 0; k < n; k++) {
    const p = at + (TYPE_SIZES[type]) * k;
    switch (type) {
      case 3: nums.push(dv.getUint16(p, le)); break;
      case 4: nums.push(dv.getUint32(p, le)); break;
      case 8: nums.push(dv.getInt16(p, le)); break;
      case 9: nums.push(dv.getInt32(p, le)); break;
      case 11: nums.push(dv.getFloat32(p, le)); break;
      default: nums.push(dv.getFloat64(p, le));
    }
  }
  return n === 1 ? (nums[0]) : nums;
}

/** Strips the `Exif\0\0` prefix JPEG APP1 blocks carry (PNG eXIf has none). */
export function exifTiff(exif: Uint8Array): Uint8Array {
  const hasPrefix = exif[0] === 0x45 && exif[1] === 0x78 && exif[2] === 0x69 && exif[3] === 0x66 && exif[4] === 0 && exif[5] === 0;
  return hasPrefix ? exif.subarray(6) : exif;
}

/** EXIF orientation (tag 274), or undefined when absent or unreadable. */
export function exifOrientation(exif: Uint8Array | undefined): number | undefined {
  if (exif === undefined) return undefined;
  try {
    const v = readIfd0(exifTiff(exif)).get(0x0112);
    return typeof v === 'number' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Pillow's `_read_dpi_from_exif`: resolution from IFD0, or (72, 72) when unreadable. */
export function dpiFromExif(exif: Uint8Array): [number, number] {
  try {
    const tags = readIfd0(exifTiff(exif));
    const unit = tags.get(0x0128);
    const xres = tags.get(0x011a);
    if (unit === undefined || xres === undefined) return [72, 72];
    let dpi: number;
    if (typeof xres === 'number') dpi = xres;
    else if (Array.isArray(xres) && Array.isArray(xres[0])) {
      const [num, den] = xres[0] as [number, number];
      dpi = num / den;
    } else return [72, 72];
    if (!Number.isFinite(dpi)) return [72, 72];
    if (unit === 3) dpi *= 2.54;
    return [dpi, dpi];
  } catch {
    return [72, 72];
  }
}

/** A copy of `exif` with IFD0's orientation set to 1 (used after applying it). */
export function exifWithoutOrientation(exif: Uint8Array): Uint8Array {
  return exifWithOrientation(exif, 1);
}

/**
 * `Image.Exif()` holding only orientation `o`, as Pillow's `tobytes()` writes it:
 * `Exif\0\0`, a little-endian TIFF header, one IFD with the one SHORT entry.
 */
export function newExifWithOrientation(o: number): Uint8Array {
  const out = new Uint8Array(6 + 8 + 18);
  out.set([0x45, 0x78, 0x69, 0x66, 0, 0, 0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0]);
  out[24] = o & 255;
  out[25] = o >> 8;
  return out;
}

/** A copy of `exif` with IFD0's orientation entry (where it has one) set to `o`. */
export function exifWithOrientation(exif: Uint8Array, o: number): Uint8Array {
  const out = exif.slice();
  const tiff = exifTiff(out);
  try {
    const dv = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength);
    const le = tiff[0] === 0x49;
    const ifd = dv.getUint32(4, le);
    const count = dv.getUint16(ifd, le);
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      if (dv.getUint16(e, le) === 0x0112 && dv.getUint16(e + 2, le) === 3) dv.setUint16(e + 8, o, le);
    }
  } catch {
    // unreadable EXIF: leave it as it was
  }
  return out;
}
