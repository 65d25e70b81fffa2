/**
 * sharp (libvips), shared by every codec that uses it: loaded once on first use, the back-end
 * choice for codecs that also have a JS decoder, and raw pixels -> file bytes for writers.
 */
import type sharpType from 'sharp';
import type { Sharp } from 'sharp';
import { UnsupportedError } from '../core/errors.js';
import { bandCount } from '../core/modes.js';
import type { Raster } from '../core/types.js';
import type { Backend, BackendKind } from './codec.js';

let sharpModule: Promise<typeof sharpType> | undefined;
/**
 * sharp, loaded once on first use; rejects when its native binary cannot load on this machine.
 * libvips' operation cache is switched off: it keys a file's decode on the path (a file
 * rewritten between two reads would give the old pixels) and a buffer's on its address
 * (which a new buffer can reuse). This is process-wide, for other users of sharp too.
 */
export function loadSharp(): Promise<typeof sharpType> {
  sharpModule ??= import('sharp').then((m) => {
    m.default.cache(false);
    return m.default;
  });
  return sharpModule;
}

/**
 * Whether sharp's native module loads here (the default back-end of the formats that list it).
 * @example
 * if (!(await sharpAvailable())) console.warn('JPEG decodes with the WebAssembly back-end');
 */
export async function sharpAvailable(): Promise<boolean> {
  return loadSharp().then(() => true, () => false);
}

/**
 * The decoder to run for a codec with `backends` when `requested` is asked for: 'js' never
 * loads native code; 'auto' prefers imarray's native decoder (where the codec lists one and
 * `nativeReady` says it is built here), then sharp, then 'js'; 'native' and 'sharp' require
 * theirs. One that cannot run is an UnsupportedError saying why; a codec with only JS
 * decoding always gets 'js'.
 */
export async function chooseBackend(backends: readonly BackendKind[], requested: Backend, what: string, nativeReady = false): Promise<BackendKind> {
  const hasJs = backends.includes('js');
  const hasNative = backends.includes('native');
  if (requested === 'native') {
    if (hasNative && nativeReady) return 'native';
    const why = hasNative ? "imarray's native decoder is not built for this platform (see backends())" : `this format's decoders are ${backends.join(', ')}`;
    throw new UnsupportedError(`${what}: backend 'native' was asked for, but ${why}`);
  }
  if (requested === 'auto' && hasNative && nativeReady) return 'native';
  if (!backends.includes('sharp') || (requested === 'js' && hasJs)) return 'js';
  if (requested === 'js') throw new UnsupportedError(`${what}: backend 'js' was asked for, but this format's only decoder is sharp (native)`);
  const sharpError = await loadSharp().then(() => undefined, (e: unknown) => e ?? new Error('sharp failed to load'));
  if (sharpError === undefined) return 'sharp';
  if (requested === 'sharp' || !hasJs) {
    const why = requested === 'sharp' ? "backend 'sharp' was asked for" : 'its only decoder is sharp';
    throw new UnsupportedError(`${what}: ${why} but sharp cannot load here`, { cause: sharpError });
  }
  return 'js';
}

/** A sharp pipeline over a packed 8-bit (1-4 bands) or I;16 raster, with its colourspace set. */
export async function sharpOfRaster(r: Raster): Promise<Sharp> {
  const sharp = await loadSharp().catch((e: unknown) => {
    throw new UnsupportedError('encode: needs sharp, which cannot load here', { cause: e });
  });
  const sixteen = r.mode === 'I;16';
  const channels = bandCount(r.mode) as 1 | 2 | 3 | 4;
  const data = r.pixels.data;
  let pipeline = sharp(data, { raw: { width: r.width, height: r.height, channels, ...(sixteen ? { depth: 'ushort' as const } : {}) } });
  if (sixteen) pipeline = pipeline.toColourspace('grey16');
  else if (channels <= 2) pipeline = pipeline.toColourspace('b-w');
  return pipeline;
}
