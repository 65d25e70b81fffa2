/**
 * JPEG back-end 0 (the default where it is built): imarray's own libjpeg-turbo decoder
 * (`turbo.c`, linked into the native kernel; prebuilt for linux-x64 and linux-arm64). It drives
 * libjpeg exactly as Pillow's JpegDecode.c does (ISLOW IDCT, fancy upsampling, Pillow's output
 * colour spaces, CMYK inverted as Pillow's CMYK;I, DCT scaling for draft) and writes the rows
 * straight into the image's storage, or into the caller's `into` (a batch slot), in BGR order
 * when asked: one allocation, no copy, no second pass. The decode runs on libuv's thread pool.
 */
import { isMainThread } from 'node:worker_threads';
import { DecodeError, TruncatedImageError } from '../../core/errors.js';
import type { NativeJpeg } from '../../kernels/native.js';
import { reorderPixels } from '../../pixels/pack.js';
import type { JpegHeader } from './header.js';

/** The output colour space codes of turbo.c. */
const SPACE = { L: 0, RGB: 1, BGR: 2, 'CMYK;I': 3, YCbCr: 4 } as const;

/** What to decode: the raw mode (Pillow's), the DCT scale (draft), the output size it gives. */
export interface JpegTarget {
  rawmode: 'L' | 'RGB' | 'CMYK;I' | 'YCbCr';
  scale: 1 | 2 | 4 | 8;
  width: number;
  height: number;
}

const BANDS = { L: 1, RGB: 3, 'CMYK;I': 4, YCbCr: 3 } as const;


/**
 * Decodes `src` into `into` (exactly the target's size) or a new array. `order`: the RGB bands
 * in this order; BGR is libjpeg's own JCS_EXT_BGR, any other order one permute afterwards.
 */
export async function decodeWithNative(
  jpeg: NativeJpeg, bytes: Uint8Array, h: JpegHeader, t: JpegTarget, loadTruncated: boolean, name: string,
  order?: readonly number[], into?: Uint8Array,
): Promise<Uint8Array> {
  const size = t.width * t.height * BANDS[t.rawmode];
  const out = into ?? new Uint8Array(size);
  if (out.length !== size) throw new Error(`internal: JPEG output of ${out.length} bytes for ${t.width}x${t.height} ${t.rawmode}`);
  const bgr = t.rawmode === 'RGB' && order !== undefined && order[0] === 2 && order[1] === 1 && order[2] === 0;
  const space = bgr ? SPACE.BGR : SPACE[t.rawmode];
  let r;
  try {
    // a batch's decoding thread has nothing else to do: decode on it rather than hop to the pool
    r = isMainThread ? await jpeg.decode(bytes, out, 0, space, t.scale, !loadTruncated) : jpeg.decodeSync(bytes, out, 0, space, t.scale, !loadTruncated);
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = e instanceof Error ? e.message : String(e);
    if (code === 'IMARRAY_JPEG_TRUNCATED') throw new TruncatedImageError(`image file is truncated: ${name}: ${msg}`, { cause: e });
    throw new DecodeError(`broken data stream when reading image file ${name}: ${msg}`, { cause: e });
  }
  if (r.width !== t.width || r.height !== t.height) {
    throw new DecodeError(`${name}: decoder returned ${r.width}x${r.height}, header says ${t.width}x${t.height} (scale 1/${t.scale}, ${h.width}x${h.height} stored)`);
  }
  if (order !== undefined && !bgr) reorderPixels(3, order)(out, 0, t.width * t.height, 3);
  return out;
}
