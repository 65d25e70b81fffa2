/**
 * JPEG 2000 back-end 'native' (the default where it is built): imarray's OpenJPEG decoder
 * (`openjpeg.c`, linked into the native kernel; prebuilt for linux-x64 and linux-arm64). It is
 * Pillow's Jpeg2KDecode.c: the whole file read by OpenJPEG with the codec Pillow's plugin chose,
 * tile by tile, each tile unpacked by Pillow's unpacker for the mode, colour space, component
 * count and subsampling (every mode: L, P, PA, I;16, LA, RGB, RGBA, CMYK, sYCC, subsampled
 * components), straight into the image's storage or the caller's `into` (a batch slot). The
 * decode runs on libuv's thread pool, its code blocks on OpenJPEG's own threads.
 */
import { isMainThread } from 'node:worker_threads';
import { DecodeError, TruncatedImageError } from '../../core/errors.js';
import { allocate, type ArrayOf, type Mode } from '../../core/modes.js';
import { decoderThreads, type NativeJ2k } from '../../kernels/native.js';
import { isCut, type J2kHeader } from './header.js';

/** The mode codes of openjpeg.c. */
const MODE_CODE: Readonly<Partial<Record<Mode, number>>> = { L: 0, P: 1, PA: 2, 'I;16': 3, LA: 4, RGB: 5, RGBA: 6, CMYK: 7 };

/**
 * Decodes the file `bytes` (its header `h`) into `into` or a new array. A failure is Pillow's
 * "broken data stream" DecodeError, or TruncatedImageError where the codestream has no end
 * marker (the file was cut; Pillow says "broken data stream" for that too); with
 * `loadTruncated` the tiles decoded before it are kept and the rest left zero, as Pillow's
 * LOAD_TRUNCATED_IMAGES does for JPEG 2000.
 */
export async function decodeWithNative(j2k: NativeJ2k, bytes: Uint8Array, h: J2kHeader, loadTruncated: boolean, name: string, into?: ArrayOf<Mode>): Promise<ArrayOf<Mode>> {
  const code = MODE_CODE[h.mode];
  if (code === undefined) throw new DecodeError(`broken data stream when reading image file ${name}: no unpacker for mode ${h.mode}`);
  const out = into ?? allocate(h.mode, h.width, h.height);
  const dst = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const args = [bytes, dst, 0, h.width, h.height, h.codec === 'jp2' ? 1 : 0, code, 0, 0, decoderThreads(h.width * h.height)] as const;
  const r = isMainThread ? await j2k.decode(...args) : j2k.decodeSync(...args);
  if (!r.ok && !loadTruncated) {
    const why = `${r.message}${r.tiles > 0 ? ` (after ${r.tiles} tile${r.tiles === 1 ? '' : 's'})` : ''}`;
    if (isCut(h.codestream)) throw new TruncatedImageError(`image file is truncated: ${name}: the codestream has no end marker and ${why}`);
    throw new DecodeError(`broken data stream when reading image file ${name}: ${why}`);
  }
  return out;
}
