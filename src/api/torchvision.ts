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
import { MODES, type ArrayOf, type Mode } from '../core/modes.js';
import { pyRound } from '../core/numbers.js';
import { fromStorage, type Image } from '../image.js';
import { resize as resizeImage } from './resize.js';
import { resampleOf, type ResampleName, type Resampling } from '../pixels/resize/index.js';
import { checkKeys, fusedToArray, toArray } from './to-array.js';

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

/** A step of `transforms.Compose`: an image to an image, or (the last) an image to a tensor. */
export type Transform<I, O> = (input: I) => O;

/**
 * torchvision's classic transforms as functions, for code ported step by step:
 * `Resize(size, { maxSize, interpolation })` and `CenterCrop(size)` map an image to an image
 * (Pillow's resize and crop, bit-exact), `ToTensor()` maps an image to a float32 `[C, H, W]`
 * tensor, `Normalize(mean, std)` maps a tensor to a tensor (float32 steps, as torch), and
 * `Compose([...])` chains them. `torchvisionPreprocess` does the same in one fused pass.
 * @example
 * const t = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(), transforms.Normalize(mean, std)]);
 * const x = t(await img.convert('RGB'));   // float32 [3, 224, 224]
 */
export const transforms = {
  /** `T.Resize(size, interpolation=BILINEAR, max_size)`: an int sizes the short side; `[h, w]` both. */
  Resize(size: number | readonly [number, number], options: { maxSize?: number; interpolation?: ResampleName | Resampling } = {}): Transform<Image, Image> {
    checkKeys('transforms.Resize', options, ['maxSize', 'interpolation']);
    return (img) => {
      const target = torchvisionResizeSize(img.width, img.height, size, options.maxSize);
      return resizeImage(img, target, { resample: resampleOf(options.interpolation ?? 'bilinear') });
    };
  },
  /** `T.CenterCrop(size)`: the centre `size` (int or `[h, w]`), padded with 0 where larger than the image. */
  CenterCrop(size: number | readonly [number, number]): Transform<Image, Image> {
    return (img) => {
      const box = centerCropBox(img.width, img.height, size);
      const data = toArrayOf(img, box);
      return fromStorage(img.mode, [box[2] - box[0], box[3] - box[1]], data, { ...img.info }, img.palette);
    };
  },
  /** `T.ToTensor()`: float32 `[C, H, W]`, 8-bit values divided by 255 in float32 (mode 1: 0 or 1). */
  ToTensor(): Transform<Image, NdArray<Float32Array>> {
    return (img) => torchvisionPreprocess(img);
  },
  /** `T.Normalize(mean, std)`: `(x - mean[c]) / std[c]` per channel of a `[C, H, W]` tensor, each step in float32. */
  Normalize(mean: readonly number[], std: readonly number[]): Transform<NdArray<Float32Array>, NdArray<Float32Array>> {
    return (t) => {
      const [C = 0, H = 0, W = 0] = t.shape;
      if (mean.length !== C || std.length !== C) throw new InvalidArgumentError(`transforms.Normalize: ${mean.length} means and ${std.length} stds for ${C} channels`);
      const f = Math.fround;
      const out = new Float32Array(C * H * W);
      for (let c = 0; c < C; c++) {
        const m = f(mean[c] ?? 0);
        const s = f(std[c] ?? 1);
        for (let i = 0, o = c * H * W; i < H * W; i++, o++) out[o] = f(f((t.get(c, Math.floor(i / W), i % W)) - m) / s);
      }
      return ndarray(out, [C, H, W]);
    };
  },
  /** `T.Compose([...])`: the steps in order. */
  Compose<O>(steps: readonly Transform<never, unknown>[]): Transform<Image, O> {
    return (img) => steps.reduce<unknown>((x, step) => (step as Transform<unknown, unknown>)(x), img) as O;
  },
};

/** The pixels of `box` (may reach outside: 0 there) as packed storage of `img`'s mode. */
function toArrayOf(img: Image, box: readonly [number, number, number, number]): ArrayOf<Mode> {
  return toArray(img, { crop: box }).data;
}
