/**
 * torchvision's classic ImageNet preprocessing on PIL images, in one fused pass:
 * `T.Compose([T.Resize(resize), T.CenterCrop(crop), T.ToTensor(), T.Normalize(mean, std)])`.
 * Resize is Pillow's `img.resize((w, h), BILINEAR)` (torchvision calls it on PIL images; no
 * reducing gap, `antialias` has no effect there) with torchvision's output size (an int gives
 * the short side, the long side truncated; `maxSize` caps the long side); CenterCrop offsets
 * are `int(round((size - crop) / 2.0))` with Python's banker's rounding, and a crop larger
 * than the image pads with 0; ToTensor divides by 255 and Normalize subtracts and divides,
 * each step rounded to float32 as torch computes it. Sizes are torchvision's `(height, width)`.
 */
import ndarray from 'ndarray';
import type { NdArray } from 'ndarray';
import { InvalidArgumentError, UnsupportedError, invalidArgument } from '../core/errors.js';
import { MODES, type Mode } from '../core/modes.js';
import { pyRound } from '../core/numbers.js';
import type { Image } from '../image.js';
import { resampleOf, type ResampleName, type Resampling } from '../pixels/resize/index.js';
import { checkKeys, fusedToArray } from './to-array.js';

/** Options of `torchvisionPreprocess`: torchvision's transforms and their arguments. */
export interface TorchvisionOptions {
  /** `T.Resize(size)`: an int (short side) or `[height, width]`. Default: no resize. */
  resize?: number | readonly [number, number];
  /** `max_size` of `T.Resize` with an int size: the long side's cap. */
  maxSize?: number;
  /** `T.Resize`'s interpolation: default bilinear (torchvision's default). */
  resample?: ResampleName | Resampling;
  /** `T.CenterCrop(size)`: an int or `[height, width]`. Default: no crop. */
  crop?: number | readonly [number, number];
  /** `T.Normalize` mean per channel (after ToTensor's /255). Default: no normalisation. */
  mean?: readonly number[];
  /** `T.Normalize` std per channel. */
  std?: readonly number[];
  /** Convert to this mode first (e.g. 'RGB', as `Image.open(f).convert('RGB')`). Default: the image's. */
  mode?: Mode;
}

/** torchvision `_compute_resized_output_size` for PIL: `[width, height]`. */
export function torchvisionResizeSize(width: number, height: number, size: number | readonly [number, number], maxSize?: number): [number, number] {
  if (typeof size !== 'number') {
    const [h, w] = size;
    if (maxSize !== undefined) throw new InvalidArgumentError('maxSize is only supported for an int resize (torchvision raises the same)');
    return [w, h];
  }
  if (!Number.isInteger(size) || size < 1) throw invalidArgument('resize', 'an integer >= 1 or [height, width]', size);
  const [short, long] = width <= height ? [width, height] : [height, width];
  let newShort = size;
  let newLong = Math.trunc((size * long) / short);
  if (maxSize !== undefined) {
    if (!Number.isInteger(maxSize) || maxSize <= size) throw invalidArgument('maxSize', `an integer > the resize size ${size}`, maxSize);
    if (newLong > maxSize) [newShort, newLong] = [Math.trunc((maxSize * newShort) / newLong), maxSize];
  }
  return width <= height ? [newShort, newLong] : [newLong, newShort];
}

/** torchvision `center_crop`'s box `[x0, y0, x1, y1]` (may reach outside: padded with 0). */
export function centerCropBox(width: number, height: number, crop: number | readonly [number, number]): [number, number, number, number] {
  const [ch, cw] = typeof crop === 'number' ? [crop, crop] : crop;
  if (!Number.isInteger(ch) || !Number.isInteger(cw) || ch < 1 || cw < 1) throw invalidArgument('crop', 'an integer >= 1 or [height, width]', crop);
  let left: number;
  let top: number;
  let w = width;
  let h = height;
  let padL = 0;
  let padT = 0;
  if (cw > w || ch > h) {
    padL = cw > w ? Math.floor((cw - w) / 2) : 0;
    padT = ch > h ? Math.floor((ch - h) / 2) : 0;
    w += padL + (cw > width ? Math.floor((cw - width + 1) / 2) : 0);
    h += padT + (ch > height ? Math.floor((ch - height + 1) / 2) : 0);
  }
  if (cw === w && ch === h) [left, top] = [0, 0];
  else [left, top] = [pyRound((w - cw) / 2), pyRound((h - ch) / 2)];
  return [left - padL, top - padT, left - padL + cw, top - padT + ch];
}

/**
 * The model input torchvision's ImageNet transforms make of a PIL image: float32 `[C, H, W]`.
 * @example
 * const x = torchvisionPreprocess(await img.convert('RGB'), {
 *   resize: 256, crop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225],
 * }); // x.shape: [3, 224, 224]
 */
export function torchvisionPreprocess(img: Image, options: TorchvisionOptions = {}): NdArray<Float32Array> {
  checkKeys('torchvisionPreprocess', options, ['resize', 'maxSize', 'resample', 'crop', 'mean', 'std', 'mode']);
  const { resize, maxSize, crop, mean, std, mode } = options;
  const [w, h] = resize === undefined ? [img.width, img.height] : torchvisionResizeSize(img.width, img.height, resize, maxSize);
  const box = crop === undefined ? undefined : centerCropBox(w, h, crop);
  const f = Math.fround;
  const m = mean?.map(f);
  const s = std?.map(f);
  if ((m === undefined) !== (s === undefined)) throw new InvalidArgumentError('torchvisionPreprocess: give both mean and std, or neither');
  // ToTensor: float32(v) / 255 in float32; Normalize: (x - mean) / std, each in float32
  const target = mode ?? img.mode;
  if (MODES[target].dtype !== 'uint8') throw new UnsupportedError(`torchvisionPreprocess: mode ${target} (ToTensor divides only 8-bit images by 255); convert to an 8-bit mode first`);
  const value = (v: number, c: number) => {
    const x = target === '1' ? v : f(v / 255); // mode 1 is stored 0/1: ToTensor's 255 * v / 255
    return m === undefined || s === undefined ? x : f(f(x - (m[c] ?? 0)) / (s[c] ?? 1));
  };
  const o = {
    ...(mode === undefined ? {} : { mode }),
    ...(resize === undefined || (w === img.width && h === img.height) ? {} : { resize: { size: [w, h] as const, resample: resampleOf(options.resample ?? 'bilinear') } }),
    ...(box === undefined ? {} : { crop: box }),
    layout: 'CHW' as const,
    dtype: 'float32' as const,
  };
  const out = fusedToArray(img, o, value) as NdArray<Float32Array>;
  // one-band images: torchvision's [1, H, W]
  return out.shape.length === 2 ? ndarray(out.data, [1, out.shape[0] ?? 0, out.shape[1] ?? 0]) : out;
}
