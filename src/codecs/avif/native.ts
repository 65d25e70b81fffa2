/**
 * AVIF back-end 'native' (the default where it is built): dav1d decodes the AV1 samples parse.ts
 * found (the primary item and its alpha item, or a sequence's samples from the last sync sample
 * to the frame wanted) and libyuv turns the picture into Pillow's pixels as Pillow's libavif
 * does (`dav1d.c`), straight into the image's storage or the caller's `into`. Pictures it does
 * not convert (more than 8 bits, matrices libyuv lacks, grid images, premultiplied alpha) are
 * `null`: the caller decodes them with the WebAssembly libavif instead.
 */
import { isMainThread } from 'node:worker_threads';
import { DecodeError, TruncatedImageError } from '../../core/errors.js';
import { allocate, type ArrayOf, type Mode } from '../../core/modes.js';
import { decoderThreads, type NativeAvif } from '../../kernels/native.js';
import type { AvifHeader } from './parse.js';

const FORMAT: Readonly<Partial<Record<Mode, number>>> = { L: 0, RGB: 1, RGBA: 2 };

/** The samples that decode frame `frame`: from the last sync sample at or before it. */
function samplesFor(all: readonly Uint8Array[], sync: readonly number[] | undefined, frame: number): Uint8Array[] {
  let start = frame;
  if (sync !== undefined) start = sync.filter((i) => i <= frame).pop() ?? 0;
  return all.slice(start, frame + 1);
}

export async function decodeWithNative(avif: NativeAvif, h: AvifHeader, mode: Mode, frame: number, name: string, into?: ArrayOf<Mode>): Promise<ArrayOf<Mode> | null> {
  const format = FORMAT[mode];
  const d = h.av1;
  if (format === undefined || d.unsupported !== undefined || frame >= d.colour.length) return null;
  const colour = samplesFor(d.colour, d.sync, frame);
  const alpha = mode === 'RGBA' && d.alpha !== undefined && frame < d.alpha.length ? samplesFor(d.alpha, d.sync, frame) : null;
  const out = into ?? allocate(mode, h.width, h.height);
  const dst = new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  const args = [colour, alpha, dst, 0, h.width, h.height, format, d.mc, d.cp, decoderThreads(h.width * h.height)] as const;
  const r = isMainThread ? await avif.decode(...args) : avif.decodeSync(...args);
  if (r.unsupported) return null;
  if (!r.ok) {
    if (h.truncated) throw new TruncatedImageError(`image file is truncated: ${name}: the file ends inside its last box and ${r.message}`);
    throw new DecodeError(`Failed to decode frame ${frame} of ${name}: ${r.message}`);
  }
  return out;
}
