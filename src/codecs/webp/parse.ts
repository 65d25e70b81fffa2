/**
 * The RIFF container of a WebP file, read as libwebp's demuxer and WebPGetFeatures read it
 * (what Pillow's WebPImagePlugin reports through `WebPAnimDecoder`): canvas size, whether
 * the image has alpha (Pillow's mode: RGBA or RGB), frames with their durations, the
 * animation's loop count and background, and the ICCP / EXIF / XMP chunks. No pixel data is
 * decoded here.
 */
import { DecodeError, TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import { u16le, u32le } from '../../core/bytes.js';

export interface WebpHeader {
  width: number;
  height: number;
  /** libwebp's `has_alpha`: Pillow opens the file as RGBA when set, RGB otherwise. */
  hasAlpha: boolean;
  /** Per frame, its duration in ms (ANMF), or one 0 for a still image. */
  durations: number[];
  /** ANIM loop count (0: forever); still images: 1, as libwebp's demuxer reports. */
  loop: number;
  /** ANIM background as (R, G, B, A); still images: opaque white, as libwebp's demuxer reports. */
  background: [number, number, number, number];
  icc?: Uint8Array;
  exif?: Uint8Array;
  xmp?: Uint8Array;
}

const ALPHA_FLAG = 0x10;
const ANIMATION_FLAG = 0x02;

const fourcc = (b: Uint8Array, at: number): string => String.fromCharCode(b[at] ?? 0, b[at + 1] ?? 0, b[at + 2] ?? 0, b[at + 3] ?? 0);
const u24le = (b: Uint8Array, at: number): number => (b[at] ?? 0) | ((b[at + 1] ?? 0) << 8) | ((b[at + 2] ?? 0) << 16);

/** Pillow's `_accept`: RIFF, WEBP, and a first chunk VP8, VP8L or VP8X. */
export function acceptWebp(p: Uint8Array): boolean {
  return fourcc(p, 0) === 'RIFF' && fourcc(p, 8) === 'WEBP' && ['VP8 ', 'VP8L', 'VP8X'].includes(fourcc(p, 12));
}

/** VP8 (lossy) key frame header: the size is in the 14 low bits of two u16 after the start code. */
function vp8Size(d: Uint8Array, at: number, size: number, name: string): [number, number] {
  if (size < 10) throw new DecodeError(`${name}: VP8 chunk of ${size} bytes at offset ${at} is too short for a frame header`, { offset: at });
  if ((d[at] ?? 1) & 1) throw new DecodeError(`${name}: VP8 frame at offset ${at} is not a key frame`, { offset: at });
  if (d[at + 3] !== 0x9d || d[at + 4] !== 0x01 || d[at + 5] !== 0x2a) throw new DecodeError(`${name}: bad VP8 start code at offset ${at + 3}`, { offset: at + 3 });
  return [u16le(d, at + 6) & 0x3fff, u16le(d, at + 8) & 0x3fff];
}

/** VP8L (lossless) header: signature 0x2f, then 14 bits width - 1, 14 bits height - 1, 1 alpha bit, 3 version bits. */
function vp8lInfo(d: Uint8Array, at: number, size: number, name: string): { width: number; height: number; alpha: boolean } {
  if (size < 5 || d[at] !== 0x2f) throw new DecodeError(`${name}: bad VP8L signature at offset ${at}`, { offset: at });
  const bits = u32le(d, at + 1);
  if (bits >>> 29 !== 0) throw new DecodeError(`${name}: VP8L version ${bits >>> 29} at offset ${at + 1}`, { offset: at + 1 });
  return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1, alpha: ((bits >>> 28) & 1) === 1 };
}

/**
 * Walks the chunks of a whole WebP file.
 * @throws TruncatedImageError when a chunk runs past the end; DecodeError on inconsistent sizes
 */
export function parseWebp(d: Uint8Array, name: string): WebpHeader {
  if (d.length < 20 || !acceptWebp(d)) throw new UnidentifiedImageError(`cannot identify image file ${name}: not a WEBP file`);
  const riffEnd = Math.min(d.length, 8 + u32le(d, 4));
  if (8 + u32le(d, 4) > d.length) throw new TruncatedImageError(`image file is truncated: ${name}: RIFF size ${u32le(d, 4)} but ${d.length - 8} bytes follow`);
  let width = 0;
  let height = 0;
  let flags = 0;
  let vp8x = false;
  let alphaChunk = false;
  let imageAlpha: boolean | undefined;
  let imageSize: [number, number] | undefined;
  const durations: number[] = [];
  let loop = 1;
  let background: [number, number, number, number] = [255, 255, 255, 255];
  const header: Partial<WebpHeader> = {};
  for (let at = 12; at + 8 <= riffEnd;) {
    const id = fourcc(d, at);
    const size = u32le(d, at + 4);
    const body = at + 8;
    if (body + size > riffEnd) throw new TruncatedImageError(`image file is truncated: ${name}: ${id.trim()} chunk at offset ${at} needs ${size} bytes, ${riffEnd - body} remain`);
    if (at === 12) {
      if (id === 'VP8X') {
        if (size < 10) throw new DecodeError(`${name}: VP8X chunk of ${size} bytes at offset ${at}`, { offset: at });
        vp8x = true;
        flags = d[body] ?? 0;
        width = u24le(d, body + 4) + 1;
        height = u24le(d, body + 7) + 1;
      }
    }
    switch (id) {
      case 'ANIM':
        if (size >= 6) {
          background = [d[body + 2] ?? 0, d[body + 1] ?? 0, d[body] ?? 0, d[body + 3] ?? 0]; // stored B, G, R, A
          loop = u16le(d, body + 4);
        }
        break;
      case 'ANMF':
        if (size < 16) throw new DecodeError(`${name}: ANMF chunk of ${size} bytes at offset ${at}`, { offset: at });
        durations.push(u24le(d, body + 12));
        break;
      case 'ALPH':
        alphaChunk = true;
        break;
      case 'VP8 ':
        if (imageSize === undefined) imageSize = vp8Size(d, body, size, name);
        break;
      case 'VP8L':
        if (imageSize === undefined) {
          const info = vp8lInfo(d, body, size, name);
          imageSize = [info.width, info.height];
          imageAlpha = info.alpha;
        }
        break;
      case 'ICCP':
        header.icc = d.slice(body, body + size);
        break;
      case 'EXIF':
        header.exif = d.slice(body, body + size);
        break;
      case 'XMP ':
        header.xmp = d.slice(body, body + size);
        break;
      default:
        break;
    }
    at = body + size + (size & 1);
  }
  const animated = vp8x && (flags & ANIMATION_FLAG) !== 0;
  let hasAlpha: boolean;
  if (animated) {
    if (durations.length === 0) throw new DecodeError(`${name}: animated WebP without frames`);
    hasAlpha = (flags & ALPHA_FLAG) !== 0;
  } else {
    if (imageSize === undefined) throw new DecodeError(`${name}: no VP8 or VP8L image chunk`);
    if (vp8x && (imageSize[0] !== width || imageSize[1] !== height)) {
      throw new DecodeError(`${name}: image ${imageSize[0]}x${imageSize[1]} in a ${width}x${height} canvas`);
    }
    [width, height] = imageSize;
    // WebPGetFeatures: the VP8X flag, overridden by a VP8L header's own bit, or an ALPH chunk
    hasAlpha = (imageAlpha ?? (flags & ALPHA_FLAG) !== 0) || alphaChunk;
    durations.push(0);
    loop = 1;
    background = [255, 255, 255, 255];
  }
  if (width < 1 || height < 1) throw new DecodeError(`${name}: image size ${width}x${height}`);
  return { ...header, width, height, hasAlpha, durations, loop, background };
}
