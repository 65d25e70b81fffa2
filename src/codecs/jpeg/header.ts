/**
 * JPEG header parser (ITU T.81 B.1.1): walks the markers from SOI to the first SOS the way
 * Pillow's `JpegImageFile._open` does, so mode, size, `info` and the error raised for a bad
 * header all match Pillow. It never touches entropy-coded data.
 *
 * Pillow's error split is kept: a marker sequence that is not JPEG ("no marker found",
 * 12-bit precision, odd layer counts, EOF between markers) is *unidentified*; a segment whose
 * declared length runs past the end of the input is *truncated* ("Truncated File Read").
 */
import { TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import { NeedMoreBytes } from '../../core/input.js';
import { startsWith, u16be as u16, u32be as u32 } from '../../core/bytes.js';
import type { Mode } from '../../core/modes.js';
import { dpiFromExif, readIfd0 } from '../shared/exif.js';
import type { ImageInfo } from '../../core/types.js';

export interface JpegHeader {
  format: 'JPEG' | 'MPO';
  mode: Mode;
  width: number;
  height: number;
  info: ImageInfo;
  /** Frames an MPO file declares (1 for plain JPEG). */
  nFrames: number;
  /** MPO: each frame's file offset (the MP index's DataOffset from the MP header; frame 0 at 0). */
  frameOffsets?: number[];
  /** Offset of the first SOS marker. */
  sosOffset: number;
  /** The SOF marker's second byte (0xc0 baseline, 0xc2 progressive, 0xc9.. arithmetic). */
  sof: number;
  /** Where an MP header (APP2 "MPF") starts, from the start of these bytes (Pillow's `mpoffset`); undefined without one. */
  mpOffset?: number;
}

const SOF_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf, 0xde]);
const PROGRESSIVE = new Set([0xc2, 0xc6, 0xca, 0xce]);
const SKIP_MARKERS = new Set([0xc4, 0xcc, 0xda, 0xdc, 0xdd, 0xdf]);
/** Markers with no payload (SOI, EOI, RSTn, JPG, JPGn). */
function bareMarker(m: number): boolean {
  return m === 0xc8 || (m >= 0xd0 && m <= 0xd9) || (m >= 0xf0 && m <= 0xfd);
}

const latin1 = new TextDecoder('latin1');

/**
 * Parses the header in `data`. When `data` is only a prefix of the file (`complete` false)
 * and the header runs past it, throws {@link NeedMoreBytes} so the caller can read more.
 */
export function parseJpegHeader(data: Uint8Array, complete: boolean, name = 'JPEG'): JpegHeader {
  const info: ImageInfo = {};
  const icc: Uint8Array[] = [];
  const app1: Uint8Array[] = [];
  let mode: Mode | undefined;
  let width = 0;
  let height = 0;
  let mpOffset = 0;
  let sof = 0;
  let pos = 3; // after FF D8 FF; `cur` holds the byte at pos - 1
  let cur = 0xff;

  const eof = (what: string): never => {
    if (!complete) throw new NeedMoreBytes();
    throw new UnidentifiedImageError(`cannot identify image file ${name}: ${what} at offset ${pos}`);
  };
  const readByte = (): number => (pos < data.length ? (data[pos++]) : eof('end of data between markers'));

  for (;;) {
    let marker: number;
    if (cur === 0xff) {
      const b = readByte();
      marker = 0xff00 | b;
    } else {
      cur = readByte(); // skip non-0xFF junk
      continue;
    }
    const m = marker & 0xff;
    const at = pos - 2;
    if (SOF_MARKERS.has(m) || SKIP_MARKERS.has(m) || m === 0xdb || (m >= 0xe0 && m <= 0xef) || m === 0xfe) {
      if (pos + 2 > data.length) eof('segment length missing');
      const n = u16(data, pos) - 2;
      if (n < 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: bad segment length ${n + 2} at offset ${at}`);
      if (pos + 2 + n > data.length) {
        if (!complete) throw new NeedMoreBytes();
        throw new TruncatedImageError(
          `Truncated File Read: marker 0x${marker.toString(16).toUpperCase()} at offset ${at} declares ${n} bytes, only ${data.length - pos - 2} left`,
        );
      }
      const s = data.subarray(pos + 2, pos + 2 + n);
      pos += 2 + n;
      try {
        if (SOF_MARKERS.has(m)) {
          sof = m;
          height = u16(s, 1);
          width = u16(s, 3);
          const bits = s[0];
          if (bits !== 8) throw new UnidentifiedImageError(`cannot identify image file ${name}: cannot handle ${bits}-bit layers (SOF at offset ${at})`);
          const layers = s[5];
          if (layers === 1) mode = 'L';
          else if (layers === 3) mode = 'RGB';
          else if (layers === 4) mode = 'CMYK';
          else throw new UnidentifiedImageError(`cannot identify image file ${name}: cannot handle ${layers}-layer images (SOF at offset ${at})`);
          if (PROGRESSIVE.has(m)) info.progressive = info.progression = 1;
          assembleIcc(icc, info);
        } else if (m === 0xdb) {
          checkDqt(s, at, name);
        } else if (m >= 0xe0 && m <= 0xef) {
          readApp(m, s, info, icc, app1);
          if (m === 0xe2 && startsWith(s, 'MPF\0')) mpOffset = at + 8; // the MP header's TIFF start (Pillow's mpoffset)
        } else if (m === 0xfe) {
          info.comment = s.slice();
        }
      } catch (e) {
        if (e instanceof RangeError) throw new UnidentifiedImageError(`cannot identify image file ${name}: short marker 0x${marker.toString(16).toUpperCase()} segment at offset ${at}`);
        throw e;
      }
      if (m === 0xda) {
        if (mode === undefined) throw new UnidentifiedImageError(`cannot identify image file ${name}: SOS at offset ${at} before any SOF`);
        assembleIcc(icc, info);
        return finish({ mode, width, height, info, sosOffset: at, sof, app1, mpOffset });
      }
      cur = readByte();
    } else if (bareMarker(m)) {
      cur = readByte();
    } else if (marker === 0xff00) {
      cur = readByte(); // escaped 0xFF outside a scan: skip
    } else if (marker === 0xffff) {
      cur = 0xff; // fill byte: the second 0xFF starts the marker
    } else {
      throw new UnidentifiedImageError(`cannot identify image file ${name}: no marker found at offset ${at} (0x${marker.toString(16).toUpperCase()})`);
    }
  }
}

/** Pillow: the ICC profile, reassembled by sequence number, or null on a wrong fragment count. */
function assembleIcc(icc: Uint8Array[], info: ImageInfo): void {
  if (icc.length === 0) return;
  icc.sort(compareBytes);
  if ((icc[0])[13] === icc.length) {
    const total = icc.reduce((a, p) => a + p.length - 14, 0);
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of icc) {
      out.set(p.subarray(14), o);
      o += p.length - 14;
    }
    info.icc_profile = out;
  } else {
    info.icc_profile = null;
  }
  icc.length = 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return (a[i]) - (b[i]);
  return a.length - b.length;
}

function checkDqt(s: Uint8Array, at: number, name: string): void {
  for (let o = 0; o < s.length; ) {
    const precision = (s[o]) >> 4 === 0 ? 1 : 2;
    const len = 1 + precision * 64;
    if (s.length - o < len) throw new UnidentifiedImageError(`cannot identify image file ${name}: bad quantization table marker at offset ${at}`);
    o += len;
  }
}

function readApp(m: number, s: Uint8Array, info: ImageInfo, icc: Uint8Array[], app1: Uint8Array[]): void {
  if (m === 0xe0 && startsWith(s, 'JFIF')) {
    const version = u16(s, 5);
    info.jfif = version;
    info.jfif_version = [version >> 8, version & 255];
    if (s.length >= 12) {
      const unit = s[7];
      const density: [number, number] = [u16(s, 8), u16(s, 10)];
      if (unit === 1) info.dpi = density;
      else if (unit === 2) info.dpi = [density[0] * 2.54, density[1] * 2.54];
      info.jfif_unit = unit;
      info.jfif_density = density;
    }
  } else if (m === 0xe1 && startsWith(s, 'Exif\0\0')) {
    const prev = info.exif;
    if (prev instanceof Uint8Array) {
      const joined = new Uint8Array(prev.length + s.length - 6);
      joined.set(prev);
      joined.set(s.subarray(6), prev.length);
      info.exif = joined;
    } else {
      info.exif = s.slice();
    }
    app1.push(s);
  } else if (m === 0xe1 && startsWith(s, 'http://ns.adobe.com/xap/1.0/\0')) {
    info.xmp = s.slice(s.indexOf(0) + 1);
    app1.push(s);
  } else if (m === 0xe1) {
    app1.push(s);
  } else if (m === 0xe2 && startsWith(s, 'FPXR\0')) {
    info.flashpix = s.slice();
  } else if (m === 0xe2 && startsWith(s, 'ICC_PROFILE\0')) {
    icc.push(s);
  } else if (m === 0xed && startsWith(s, 'Photoshop 3.0\0')) {
    info.photoshop = { ...(info.photoshop as Record<number, unknown> | undefined), ...readPhotoshop(s) };
  } else if (m === 0xee && startsWith(s, 'Adobe')) {
    info.adobe = u16(s, 5);
    if (s.length > 11) info.adobe_transform = s[11];
  } else if (m === 0xe2 && startsWith(s, 'MPF\0')) {
    info.mp = s.slice(4);
  }
}

/** Photoshop image resource blocks (8BIM), as Pillow's APP13 handler reads them. */
function readPhotoshop(s: Uint8Array): Record<number, unknown> {
  const out: Record<number, unknown> = {};
  let o = 14;
  try {
    while (o + 4 <= s.length && latin1.decode(s.subarray(o, o + 4)) === '8BIM') {
      o += 4;
      const code = u16(s, o);
      o += 2;
      const nameLen = s[o];
      if (nameLen === undefined) throw new RangeError('short');
      o += 1 + nameLen;
      o += o & 1;
      const size = u32(s, o);
      o += 4;
      const data = s.subarray(o, o + size);
      if (code === 0x03ed) {
        out[code] = {
          XResolution: u32(data, 0) / 65536,
          DisplayedUnitsX: u16(data, 4),
          YResolution: u32(data, 8) / 65536,
          DisplayedUnitsY: u16(data, 12),
        };
      } else {
        out[code] = data.slice();
      }
      o += size;
      o += o & 1;
    }
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
  }
  return out;
}

function finish(h: {
  mode: Mode;
  width: number;
  height: number;
  info: ImageInfo;
  sosOffset: number;
  sof: number;
  app1: Uint8Array[];
  mpOffset: number;
}): JpegHeader {
  const { info } = h;
  if (info.dpi === undefined && info.exif instanceof Uint8Array) info.dpi = dpiFromExif(info.exif);
  let format: 'JPEG' | 'MPO' = 'JPEG';
  let nFrames = 1;
  let frameOffsets: number[] | undefined;
  if (info.mp instanceof Uint8Array) {
    // Pillow's jpeg_factory: an MP index with more than one image makes it MPO, except Ultra HDR.
    const ultraHdr = h.app1.some((s) => latin1.decode(s).includes(' hdrgm:Version="'));
    try {
      const tags = readIfd0(info.mp);
      const n = tags.get(0xb001);
      if (typeof n === 'number' && n > 1 && !ultraHdr) {
        format = 'MPO';
        nFrames = n;
        // MP entries: 16 bytes each, DataOffset at byte 8, in the MP header's byte order
        const entries = tags.get(0xb002);
        if (entries instanceof Uint8Array && entries.length >= 16 * n) {
          const le = info.mp[0] === 0x49;
          const dv = new DataView(entries.buffer, entries.byteOffset, entries.byteLength);
          frameOffsets = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : dv.getUint32(i * 16 + 8, le) + h.mpOffset));
        }
      }
    } catch {
      // unreadable MP index: a plain JPEG, as in Pillow
    }
  }
  const out: JpegHeader = { format, mode: h.mode, width: h.width, height: h.height, info, nFrames, sosOffset: h.sosOffset, sof: h.sof };
  if (info.mp !== undefined) out.mpOffset = h.mpOffset;
  if (frameOffsets !== undefined) out.frameOffsets = frameOffsets;
  return out;
}
