/**
 * WebP, still and animated, as Pillow's WebPImagePlugin gives it: mode RGBA when libwebp
 * reports alpha (the VP8X flag, a VP8L header's bit, or an ALPH chunk), else RGB; animated
 * files are full-canvas frames, each composited over the previous one (libwebp's anim
 * decoder; `seek` moves between them); `info` carries loop, background, timestamp, duration
 * and the ICCP / EXIF / XMP chunks. `open` reads the RIFF chunks (`parse.ts`); the pixels come
 * from sharp (libvips with libwebp), or for still images from libwebp in WebAssembly (`wasm.ts`,
 * `backend: 'js'`, or when sharp cannot load): both give Pillow's values on every file checked.
 */
import { DecodeError, TruncatedImageError } from '../../core/errors.js';
import type { Input } from '../../core/input.js';
import type { ImageInfo } from '../../core/types.js';
import { reorderPixels } from '../../pixels/pack.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { chooseBackend, loadSharp } from '../sharp.js';
import { acceptWebp, parseWebp, type WebpHeader } from './parse.js';
import { decodeWebpWithWasm } from './wasm.js';

const firstLine = (msg: string): string => msg.split('\n')[0] ?? msg;

function headerOf(h: WebpHeader, frame: number): Header {
  const info: ImageInfo = {
    loop: h.loop,
    background: h.background,
    timestamp: h.durations.slice(0, frame).reduce((a, b) => a + b, 0),
    duration: h.durations[frame] ?? 0,
  };
  if (h.icc !== undefined) info.icc_profile = h.icc;
  if (h.exif !== undefined) info.exif = h.exif;
  if (h.xmp !== undefined) info.xmp = h.xmp;
  return { format: 'WEBP', mode: h.hasAlpha ? 'RGBA' : 'RGB', width: h.width, height: h.height, info, nFrames: h.durations.length };
}

/** Frame `frame` of the file from sharp, as packed RGB or RGBA (`bands`). */
async function decodeFrame(src: Uint8Array, h: WebpHeader, frame: number, bands: 3 | 4, name: string): Promise<Uint8Array> {
  const sharp = await loadSharp();
  let out;
  try {
    out = await sharp(src, { page: frame, pages: 1, failOn: 'truncated', limitInputPixels: false, ignoreIcc: true })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (e) {
    const msg = firstLine(e instanceof Error ? e.message : String(e));
    if (/truncated|premature|not enough/i.test(msg)) throw new TruncatedImageError(`image file is truncated: ${name}: ${msg}`, { cause: e });
    throw new DecodeError(`failed to decode frame ${frame} of WebP file ${name}: ${msg}`, { cause: e });
  }
  const { data, info } = out;
  if (info.width !== h.width || info.height !== h.height || (info.channels !== 3 && info.channels !== 4)) {
    throw new DecodeError(`${name}: decoder returned ${info.width}x${info.height}x${info.channels}, header says ${h.width}x${h.height}`);
  }
  const px = new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (info.channels === bands) return px;
  // Pillow decodes RGBA and drops the 4th byte for RGB (rawmode RGBX), or has alpha 255
  const n = h.width * h.height;
  const packed = new Uint8Array(n * bands);
  for (let i = 0, s = 0, o = 0; i < n; i++, s += info.channels, o += bands) {
    packed[o] = px[s] ?? 0;
    packed[o + 1] = px[s + 1] ?? 0;
    packed[o + 2] = px[s + 2] ?? 0;
    if (bands === 4) packed[o + 3] = info.channels === 4 ? (px[s + 3] ?? 0) : 255;
  }
  return packed;
}

export const webpCodec = {
  format: 'WEBP',
  description: 'WebP, still and animated (libwebp via sharp; stills also in WebAssembly)',
  extensions: ['.webp'],
  mimeTypes: ['image/webp'],
  modes: ['RGB', 'RGBA'],
  backends: ['sharp', 'js'],
  fuzz: {
    cases: 300,
    minSeeds: 15,
    truncation: ['webp/hopper.webp', 'webp/transparent.webp', 'webp/webp_anim.webp'],
    cuts: 60, // each cut is a sharp decode
    fields: [{ at: 4, bytes: 4, littleEndian: true }, { at: 16, bytes: 4, littleEndian: true }, { at: 24, bytes: 4, littleEndian: true }, { at: 27, bytes: 4, littleEndian: true }],
  },
  accept: acceptWebp,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const backend = await chooseBackend(webpCodec.backends, options.backend, name);
    const bytes = await input.bytes(); // the chunk walk needs the whole file; sharp then decodes these bytes
    const h = parseWebp(bytes, name);
    let frame = 0;
    const bands = h.hasAlpha ? 4 : 3;
    return {
      header: headerOf(h, 0),
      reorders: true,
      async load({ into, order } = {}) {
        let data: Uint8Array;
        if (backend === 'js') data = await decodeWebpWithWasm(bytes, h, bands, name, order);
        else {
          data = await decodeFrame(bytes, h, frame, bands, name);
          if (order !== undefined) reorderPixels(bands, order)(data, 0, h.width * h.height, bands);
        }
        if (into === undefined) return data;
        (into as Uint8Array).set(data);
        return into;
      },
      seek(index: number) {
        frame = index;
        return Promise.resolve(headerOf(h, index));
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
