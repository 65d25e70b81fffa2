/**
 * OpenCV Mats (opencv4nodejs, e.g. `@u4/opencv4nodejs`): `toMat(img, cv)` and `fromMat(mat)`.
 * imarray does not depend on OpenCV; the caller passes its `cv` module, described here by the
 * few members used.
 *
 * toMat: ONE fused pass (mode conversion + RGB->BGR swap + repacking) into a fresh Buffer,
 * wrapped with `new cv.Mat(rows, cols, type, buffer)`, which does not copy and does not keep
 * the Buffer alive; imarray ties the Buffer's lifetime to the Mat object (a WeakMap), so the
 * memory lives exactly as long as the Mat is reachable from JS.
 *
 *   Pillow mode            Mat                    as cv.imread(file, IMREAD_UNCHANGED) gives
 *   L, 1 (0/255)           CV_8UC1
 *   RGB                    CV_8UC3, BGR
 *   RGBA                   CV_8UC4, BGRA
 *   LA                     CV_8UC4, (L, L, L, A)  (OpenCV has no grey+alpha)
 *   P / PA                 CV_8UC3 / CV_8UC4      palette expanded (Pillow convert rules)
 *   I;16                   CV_16UC1
 *   I                      CV_32SC1
 *   F                      CV_32FC1
 *   CMYK, YCbCr, LAB, HSV  UnsupportedError: convert('RGB') first (OpenCV has no such Mats)
 */
import { UnsupportedError, invalidArgument } from '../core/errors.js';
import { fromStorage, type Image } from '../image.js';
import { DTYPES, MODES, type Mode } from '../core/modes.js';
import { planImageConversion } from '../pixels/convert/index.js';
import { toArray, type ToArrayOptions } from './to-array.js';

/** The part of a Mat imarray uses. */
export interface MatLike {
  readonly rows: number;
  readonly cols: number;
  readonly type: number;
  readonly channels: number;
  readonly depth: number;
  readonly step: number;
  /** The Mat's pixel bytes (OpenCV's `getData`; refuses a region of another Mat). */
  getData(): Buffer;
  /** A packed copy of the Mat (OpenCV's `copy`). */
  copy(): MatLike;
}

/** The part of the opencv4nodejs module imarray uses (pass the module itself). */
export interface CvLike {
  Mat: new (rows: number, cols: number, type: number, data: Buffer, step?: number) => MatLike;
  CV_8U: number;
  CV_16U: number;
  CV_32S: number;
  CV_32F: number;
  CV_8UC1: number;
  CV_8UC3: number;
  CV_8UC4: number;
  CV_16UC1: number;
  CV_32SC1: number;
  CV_32FC1: number;
}

/** Keeps each Mat's pixel Buffer alive while the Mat object is (the Mat itself does not). */
const pinned = new WeakMap<object, Buffer>();

interface Plan {
  type: (cv: CvLike) => number;
  channels: number;
  fused: ToArrayOptions;
}

function planFor(img: Image): Plan {
  const mode: Mode = img.mode;
  const c1 = (type: (cv: CvLike) => number): Plan => ({ type, channels: 1, fused: {} });
  switch (mode) {
    case 'L':
      return c1((cv) => cv.CV_8UC1);
    case '1':
      return { ...c1((cv) => cv.CV_8UC1), fused: { mode: 'L' } };
    case 'I;16':
      return c1((cv) => cv.CV_16UC1);
    case 'I':
      return c1((cv) => cv.CV_32SC1);
    case 'F':
      return c1((cv) => cv.CV_32FC1);
    case 'RGB':
      return { type: (cv) => cv.CV_8UC3, channels: 3, fused: { order: 'BGR' } };
    case 'RGBA':
      return { type: (cv) => cv.CV_8UC4, channels: 4, fused: { order: 'BGRA' } };
    case 'LA':
      return { type: (cv) => cv.CV_8UC4, channels: 4, fused: { order: 'LLLA' } };
    case 'P':
    case 'PA': {
      // expanded as Pillow's convert() without a mode: RGBA when there is transparency, else RGB
      const target = mode === 'PA' ? 'RGBA' : planImageConversion(img._raster('toMat'), undefined).target;
      return target === 'RGBA'
        ? { type: (cv) => cv.CV_8UC4, channels: 4, fused: { mode: 'RGBA', order: 'BGRA' } }
        : { type: (cv) => cv.CV_8UC3, channels: 3, fused: { mode: 'RGB', order: 'BGR' } };
    }
    default:
      throw new UnsupportedError(`toMat: OpenCV has no ${mode} Mat; convert('RGB') (or 'L') first`);
  }
}

/**
 * A Mat of a loaded image, BGR(A) like `cv.imread`, made with one fused pass.
 * @throws UnsupportedError for modes OpenCV has no Mat for (CMYK, YCbCr, LAB, HSV...).
 * @example
 * const mat = toMat(await (await open('photo.jpg')).load(), cv);
 * cv.imshow('photo', mat);
 */
export function toMat(img: Image, cv: CvLike): MatLike {
  if (typeof img !== 'object' || img === null || typeof img._pixels !== 'function') throw invalidArgument('img', 'a loaded Image', img);
  if (typeof cv !== 'object' || cv === null || typeof cv.Mat !== 'function') throw invalidArgument('cv', 'the opencv4nodejs module', cv);
  const plan = planFor(img);
  img._pixels('toMat'); // not loaded: ImageNotLoadedError before any allocation
  const Ctor = DTYPES[MODES[plan.fused.mode ?? img.mode].dtype]; // the element type of the mode written
  const count = img.width * img.height * plan.channels;
  const buffer = Buffer.allocUnsafe(count * Ctor.BYTES_PER_ELEMENT);
  const out = new Ctor(buffer.buffer, buffer.byteOffset, count);
  toArray(img, { ...plan.fused, out }); // every element written: allocUnsafe is safe
  const mat = new cv.Mat(img.height, img.width, plan.type(cv), buffer);
  pinned.set(mat, buffer);
  return mat;
}

/**
 * An image of a Mat: BGR(A) Mats become RGB(A) (`order: 'RGB'` if the Mat already is),
 * 1-channel Mats L / I;16 / I / F by depth. One copy out of OpenCV (`getData`), then the
 * channel swap in place.
 * @throws UnsupportedError for other depths/channel counts (CV_8S, CV_16S, CV_64F, 2 channels...).
 */
export function fromMat(mat: MatLike, options: { order?: 'BGR' | 'RGB'; cv?: Pick<CvLike, 'CV_8U' | 'CV_16U' | 'CV_32S' | 'CV_32F'> } = {}): Image {
  if (typeof mat !== 'object' || mat === null || typeof mat.getData !== 'function') throw invalidArgument('mat', 'an OpenCV Mat', mat);
  const order = options.order ?? 'BGR';
  if (order !== 'BGR' && order !== 'RGB') throw invalidArgument('options.order', "'BGR' or 'RGB'", order);
  // OpenCV's depth codes are fixed by its ABI (CV_8U=0, CV_16U=2, CV_32S=4, CV_32F=5)
  const depths = options.cv ?? { CV_8U: 0, CV_16U: 2, CV_32S: 4, CV_32F: 5 };
  const { rows, cols, channels, depth } = mat;
  let data: Buffer; // a Buffer OpenCV copied out for us: ours to modify
  try {
    data = mat.getData();
  } catch {
    data = mat.copy().getData(); // a region (ROI) of another Mat: getData refuses, a copy is packed
  }
  const size = [cols, rows] as const;
  if (channels === 1) {
    if (depth === depths.CV_8U) return fromStorage('L', size, new Uint8Array(data.buffer, data.byteOffset, data.length));
    const view = <T>(C: new (b: ArrayBuffer, o: number, n: number) => T, n: number): T =>
      data.byteOffset % n === 0 ? new C(data.buffer as ArrayBuffer, data.byteOffset, data.length / n) : new C(new Uint8Array(data).buffer, 0, data.length / n);
    if (depth === depths.CV_16U) return fromStorage('I;16', size, view(Uint16Array, 2));
    if (depth === depths.CV_32S) return fromStorage('I', size, view(Int32Array, 4));
    if (depth === depths.CV_32F) return fromStorage('F', size, view(Float32Array, 4));
  } else if ((channels === 3 || channels === 4) && depth === depths.CV_8U) {
    const px = new Uint8Array(data.buffer, data.byteOffset, data.length);
    if (order === 'BGR') swapRB(px, channels);
    return fromStorage(channels === 3 ? 'RGB' : 'RGBA', size, px);
  }
  throw new UnsupportedError(`fromMat: no Pillow mode for a Mat of ${channels} channel(s) at depth ${depth}; convertTo CV_8U (or 1-channel 16U/32S/32F) first`);
}

/** Swaps the first and third byte of every `channels`-byte pixel, in place. */
function swapRB(px: Uint8Array, channels: number): void {
  for (let i = 0; i + 2 < px.length; i += channels) {
    const b = px[i];
    px[i] = px[i + 2];
    px[i + 2] = b;
  }
}

/** @internal The Buffer a toMat Mat is over (tests check the lifetime tie). */
export function _matBuffer(mat: object): Buffer | undefined {
  return pinned.get(mat);
}
