/// <reference types="node" preserve="true" />
/**
 * imarray: image files -> ndarray-style typed arrays with Pillow's semantics.
 *
 *   open(src)           lazy Image (header only)          src/api/open.ts, src/image.ts
 *   img.load()          one allocation, decoded into it   src/codecs/<format>/
 *   toArray(img, opts)  zero-copy view or one-copy array  src/api/to-array.ts
 *   imread(src)         open + load + array               src/api/open.ts
 *   imreadBatch(files)  [N, H, W(, C)] in one allocation  src/io/batch.ts
 *   FrameWriter/Reader  images over sockets and pipes     src/io/frames.ts
 *   writeZarrBatch,     a data set into one Zarr array,   src/distributed/
 *   enqueueBatch,       chunk by chunk: here, as N shards,
 *   runWorker           or over BullMQ workers on Redis
 */
export { open, imread, type OpenOptions, type ReadOptions, type Backend } from './api/open.js';
export { sharpAvailable } from './codecs/sharp.js';
export { backends, type BackendsReport, type BackendStatus } from './api/backends.js';
export { Image, fromStorage, type ImageInfo, type Palette, type Raster } from './image.js';
export { toArray, OUT_DTYPES, type ToArrayOptions, type ToArrayResult, type OutDType, type ResizeSpec } from './api/to-array.js';
export { isReadonly } from './core/readonly.js';
// eslint-disable-next-line @typescript-eslint/no-deprecated -- Pillow's spellings, kept as aliases
export { convert, toBytes, tobytes, encoder, encodeInto, RawEncoder, encode, save, type ConvertOptions, type EncodeFormat, type EncodeOptions, type WriteFormat } from './api/image-functions.js';
export { contiguousCopy, isContiguous } from './core/ndarray.js';
// eslint-disable-next-line @typescript-eslint/no-deprecated -- Pillow's spellings, kept as aliases
export { fromBuffer, frombuffer, fromArray, fromarray, type FromBufferOptions, type BufferLike, type FromArrayData } from './api/wrap.js';
export { toNpy, fromNpy, npyHeader } from './api/npy.js';
export { toMat, fromMat, type CvLike, type MatLike } from './api/opencv.js';
export { imreadBatch, type BatchOptions, type BatchProgress, type BatchSkip, type BatchSource } from './io/batch.js';
export { writeZarrBatch, listSources, type ZarrBatchOptions, type WriteZarrBatchOptions, type ZarrBatchProgress, type ZarrBatchSummary, type ChunkBatchOptions, type ChunkResult } from './distributed/plan.js';
export { enqueueBatch, runWorker, type EnqueueBatchOptions, type EnqueuedBatch, type QueueConnection, type WorkerOptions, type BatchWorker, type FailedChunk } from './distributed/queue.js';
export { readZarr, type ZarrBatch } from './distributed/read.js';
export type { SkippedImage } from './distributed/zarr.js';
export { FrameWriter, FrameReader, frameHeader, FRAME_MODES, type FrameReaderOptions } from './io/frames.js';
export { exifTranspose, transpose, transposeView, Transpose } from './api/transpose.js';
export { resize, reduce, thumbnail, ImageOps, type ImageOpsFunctions, Resampling, type ResampleName, type ResizeOptions, type ThumbnailOptions, type OpsOptions, type FitOptions, type PadOptions } from './api/resize.js';
export { torchvisionPreprocess, torchvisionResizeSize, centerCropBox, transforms, type Transform, type TorchvisionOptions } from './api/torchvision.js';
export { flipud, fliplr, rot90, swapAxes, crop, type Box } from './api/views.js';
export { MODES, DTYPES, isMode, bandCount, shapeOf, type Mode, type DType, type ArrayOf } from './core/modes.js';
export { setMaxImagePixels, getMaxImagePixels, DEFAULT_MAX_IMAGE_PIXELS } from './core/limits.js';
export type { Source } from './core/input.js';
export {
  ImarrayError,
  UnidentifiedImageError,
  DecodeError,
  TruncatedImageError,
  UnsupportedError,
  DecompressionBombError,
  InvalidArgumentError,
  ImageNotLoadedError,
  EndOfSequenceError,
  FileError,
  type ErrorCode,
} from './core/errors.js';
export type { NdArray } from 'ndarray';
