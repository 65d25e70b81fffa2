/**
 * Pillow's `Image.resize` and `Image.reduce` on rasters, step for step (Image.py, _imaging.c
 * `_resize`/`_reduce`, Resample.c, Reduce.c, Geometry.c): the mode rules (1 and P always
 * NEAREST; LA and RGBA resampled premultiplied), `reducing_gap` through `reduce` on the safe
 * box, very tall images resized vertically first, an integer box of the output's size
 * cropped, NEAREST as an affine scan, and the two-pass convolution (horizontal first, over
 * only the source rows the vertical pass reads, the intermediate rounded to the mode's type).
 *
 * A resize is planned as a `Resized`: its output rows are produced on demand, block by
 * block, so `toArray({ resize })` converts them into the model input without materialising
 * the resized image; `resizeRaster` fills one allocation.
 */
import ndarray from 'ndarray';
import { InvalidArgumentError, UnsupportedError, checkKeys, invalidArgument } from '../../core/errors.js';
import { checkDecompressionBomb, getMaxImagePixels } from '../../core/limits.js';
import { DTYPES, MODES, allocate, bandCount, shapeOf, type Mode } from '../../core/modes.js';
import type { TypedArray } from '../../core/ndarray.js';
import type { Box, Raster } from '../../core/types.js';
import { rowSource, type RowSource } from '../blocks.js';
import { premultiply, unpremultiply, type Kernel } from '../convert/kernels.js';
import { FILTERS, RESAMPLE_NAMES, Resampling, coefficients, type ResampleName } from './coefficients.js';
import { nearestResize } from './nearest.js';
import { sampleKind } from './passes.js';
import { reduceInto } from './reduce.js';
import { twoPass } from './accelerated.js';

export { Resampling, RESAMPLE_NAMES, type ResampleName };

/** Options of `resize` (Pillow's `resample`, `box`, `reducing_gap`). */
export interface ResizeOptions {
  /** Filter: a name or Pillow's number. Default BICUBIC (Pillow >= 7); 1 and P always NEAREST. */
  resample?: ResampleName | Resampling;
  /** Source region `[x0, y0, x1, y1]` (floats, within the image). Default: the whole image. */
  box?: Box;
  /** Pillow's `reducing_gap` (>= 1): `reduce()` by integer factors first. Default: none. */
  reducingGap?: number;
}

/** Output rows of a planned resize: `fill` writes rows `[y0, y1)` at element `di` of `dst`. */
export interface Resized {
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
  fill(y0: number, y1: number, dst: TypedArray, di: number): void;
}

/** The pixels an operation reads: packed rows of `mode`, `width` x `height`. */
export interface RowInput {
  readonly mode: Mode;
  readonly width: number;
  readonly height: number;
  readonly rows: RowSource<TypedArray>;
}

export function rasterInput(r: Raster): RowInput {
  return { mode: r.mode, width: r.width, height: r.height, rows: rowSource(r.pixels) };
}

type FBox = [number, number, number, number];

/** `options.resample` as Pillow's number. */
export function resampleOf(v: unknown, name = 'options.resample'): Resampling {
  if (v === undefined) return Resampling.BICUBIC;
  if (typeof v === 'string' && Object.hasOwn(RESAMPLE_NAMES, v.toLowerCase())) return RESAMPLE_NAMES[v.toLowerCase() as ResampleName];
  if (typeof v === 'number' && Object.values(Resampling).includes(v as Resampling)) return v as Resampling;
  throw invalidArgument(name, `one of ${Object.keys(RESAMPLE_NAMES).join(', ')} (or Pillow's 0..5)`, v);
}

/** Checks a requested `[w, h]`: positive integers, within the decompression-bomb limit. */
export function checkSize(size: unknown, name = 'size'): [number, number] {
  if (!Array.isArray(size) || size.length !== 2 || !size.every((v) => Number.isInteger(v) && (v as number) > 0)) {
    throw invalidArgument(name, '[width, height] of integers > 0', Array.isArray(size) ? `[${size.join(', ')}]` : size);
  }
  const [w, h] = size as [number, number];
  checkDecompressionBomb(w, h, getMaxImagePixels());
  return [w, h];
}

function checkBox(box: unknown, width: number, height: number, name = 'options.box'): FBox {
  if (box === undefined) return [0, 0, width, height];
  if (!Array.isArray(box) || box.length !== 4 || !box.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw invalidArgument(name, '[x0, y0, x1, y1] of finite numbers', box);
  }
  const b = box.map(Math.fround) as FBox;
  if (b[0] < 0 || b[1] < 0) throw new InvalidArgumentError(`${name}: box offset can't be negative (got [${box.join(', ')}])`);
  if (b[2] > width || b[3] > height) throw new InvalidArgumentError(`${name}: box can't exceed original image size ${width}x${height} (got [${box.join(', ')}])`);
  if (b[2] - b[0] < 0 || b[3] - b[1] < 0) throw new InvalidArgumentError(`${name}: box can't be empty (got [${box.join(', ')}])`);
  return [box[0] as number, box[1] as number, box[2] as number, box[3] as number]; // Image.py computes in doubles; _imaging.c rounds to C floats (coreResize)
}

const PREMULTIPLIED: Partial<Record<Mode, Mode>> = { LA: 'La', RGBA: 'RGBa' };

/** Rows of `input` run through a per-pixel kernel, a block at a time. */
function mapRows(input: RowInput, kernel: Kernel, mode: Mode): RowInput {
  const bands = bandCount(mode);
  const Ctor = DTYPES[MODES[mode].dtype];
  let scratch: TypedArray = new Ctor(0);
  return {
    mode, width: input.width, height: input.height,
    rows: (y0, y1) => {
      const n = (y1 - y0) * input.width;
      if (scratch.length < n * bands) scratch = new Ctor(n * bands);
      const b = input.rows(y0, y1);
      kernel(b.data, b.offset, scratch, 0, n);
      return { data: scratch, offset: 0 };
    },
  };
}

/** All of `r`'s output, in one new allocation. */
function materialize(r: Resized): RowInput {
  const data = allocate(r.mode, r.width, r.height);
  r.fill(0, r.height, data, 0);
  const rowLen = r.width * bandCount(r.mode);
  return { mode: r.mode, width: r.width, height: r.height, rows: (y0) => ({ data, offset: y0 * rowLen }) };
}

/** The whole of `input` as one packed array (no copy when its rows are one array). */
function wholeOf(input: RowInput): { data: TypedArray; offset: number } {
  return input.rows(0, input.height);
}

/**
 * Plans Pillow's `im.resize(size, resample, box, reducing_gap)` of `input`.
 * @throws InvalidArgumentError on a bad size, box, filter or gap; DecompressionBombError when
 *   the output is over the pixel limit; UnsupportedError where Pillow raises a mode error
 */
export function planResize(input: RowInput, size: readonly [number, number], options: ResizeOptions = {}): Resized {
  if (typeof options !== 'object' || options === null) throw invalidArgument('options', 'an object', options);
  checkKeys('resize', options, ['resample', 'box', 'reducingGap']);
  const [w, h] = checkSize(size);
  let resample = resampleOf(options.resample);
  const gap = options.reducingGap;
  if (gap !== undefined && !(typeof gap === 'number' && gap >= 1)) throw invalidArgument('options.reducingGap', 'a number >= 1.0', gap);
  const box = checkBox(options.box, input.width, input.height);
  const full = box[0] === 0 && box[1] === 0 && box[2] === input.width && box[3] === input.height;
  if (full && w === input.width && h === input.height) return copyOf(input);
  if (input.mode === '1' || input.mode === 'P') resample = Resampling.NEAREST;

  const pre = PREMULTIPLIED[input.mode];
  if (pre !== undefined && resample !== Resampling.NEAREST) {
    const bands = bandCount(input.mode) as 2 | 4;
    const inner = planResize(mapRows(input, premultiply(bands), pre), [w, h], { resample, box });
    const back = unpremultiply(bands);
    return {
      mode: input.mode, width: w, height: h,
      fill(y0, y1, dst, di) {
        inner.fill(y0, y1, dst, di);
        back(dst, di, dst, di, (y1 - y0) * w);
      },
    };
  }

  let src = input;
  let b = box;
  if (gap !== undefined && resample !== Resampling.NEAREST) {
    const fx = Math.trunc((b[2] - b[0]) / w / gap) || 1;
    const fy = Math.trunc((b[3] - b[1]) / h / gap) || 1;
    if (fx > 1 || fy > 1) {
      const safe = safeBox(src, [w, h], resample, b);
      src = materialize(planReduce(src, [fx, fy], safe));
      b = [(b[0] - safe[0]) / fx, (b[1] - safe[1]) / fy, (b[2] - safe[0]) / fx, (b[3] - safe[1]) / fy];
    }
  }
  if (src.height > src.width * 100 && h < src.height) {
    const tall = materialize(coreResize(src, src.width, h, resample, [0, b[1], src.width, b[3]]));
    return coreResize(tall, w, h, resample, [b[0], 0, b[2], h]);
  }
  return coreResize(src, w, h, resample, b);
}

function copyOf(input: RowInput): Resized {
  const rowLen = input.width * bandCount(input.mode);
  return {
    mode: input.mode, width: input.width, height: input.height,
    fill(y0, y1, dst, di) {
      const blk = input.rows(y0, y1);
      dst.set(blk.data.subarray(blk.offset, blk.offset + (y1 - y0) * rowLen), di);
    },
  };
}

/** Image.py `_get_safe_box`: the box grown by the filter's support, in whole pixels. */
function safeBox(input: RowInput, size: [number, number], resample: Resampling, box: FBox): FBox {
  const support = (FILTERS[resample]?.support ?? 0) - 0.5;
  const sx = support * ((box[2] - box[0]) / size[0]);
  const sy = support * ((box[3] - box[1]) / size[1]);
  return [
    Math.max(0, Math.trunc(box[0] - sx)),
    Math.max(0, Math.trunc(box[1] - sy)),
    Math.min(input.width, Math.ceil(box[2] + sx)),
    Math.min(input.height, Math.ceil(box[3] + sy)),
  ];
}

/** `_imaging.c _resize`: crop, NEAREST scan, or `ImagingResample`. */
function coreResize(input: RowInput, w: number, h: number, resample: Resampling, pyBox: FBox): Resized {
  const box = pyBox.map(Math.fround) as FBox;
  const bands = bandCount(input.mode);
  const mode = input.mode;
  if (Number.isInteger(box[0]) && Math.fround(box[2] - box[0]) === w && Number.isInteger(box[1]) && Math.fround(box[3] - box[1]) === h) {
    const [x0, y0] = box;
    return {
      mode, width: w, height: h,
      fill(a, z, dst, di) {
        const blk = input.rows(y0 + a, y0 + z);
        for (let y = 0; y < z - a; y++) {
          const s = blk.offset + (y * input.width + x0) * bands;
          dst.set(blk.data.subarray(s, s + w * bands), di + y * w * bands);
        }
      },
    };
  }
  if (resample === Resampling.NEAREST) {
    let out: TypedArray | undefined;
    return {
      mode, width: w, height: h,
      fill(a, z, dst, di) {
        if (out === undefined) {
          out = allocate(mode, w, h);
          const whole = wholeOf(input);
          nearestResize(whole.data, whole.offset, input.width, input.height, bands, out, w, h, box, mode !== 'I;16');
        }
        dst.set(out.subarray(a * w * bands, z * w * bands), di);
      },
    };
  }
  const filter = FILTERS[resample];
  if (filter === undefined) throw new Error(`internal: no filter ${resample}`);
  return resample2d(input, w, h, filter, box);
}

/** `ImagingResampleInner`: horizontal pass over the rows the vertical pass needs, then vertical rows on demand. */
function resample2d(input: RowInput, w: number, h: number, filter: NonNullable<(typeof FILTERS)[Resampling]>, box: FBox): Resized {
  const mode = input.mode;
  const bands = bandCount(mode);
  const needH = w !== input.width || box[0] !== 0 || box[2] !== w;
  const needV = h !== input.height || box[1] !== 0 || box[3] !== h;
  const vert = coefficients(input.height, box[1], box[3], h, filter);
  const first = vert.bounds[0] ?? 0;
  const last = (vert.bounds[h * 2 - 2] ?? 0) + (vert.bounds[h * 2 - 1] ?? 0);
  // the vertical pass counts source rows from the first one the horizontal pass produced
  const shifted = { ...vert, bounds: vert.bounds.map((v, i) => (i % 2 === 0 ? v - first : v)) };
  const Ctor = DTYPES[MODES[mode].dtype];
  const passes = twoPass({
    kind: sampleKind(new Ctor(0)), bands, rows: input.rows, srcW: input.width, outW: needH ? w : input.width,
    first, span: last - first,
    h: needH ? coefficients(input.width, box[0], box[2], w, filter) : undefined,
    v: needV ? shifted : undefined,
    alloc: (n) => new Ctor(n),
  });
  return { mode, width: w, height: h, fill: (a, z, dst, di) => { passes.fill(a, z, dst, di); } };
}

/**
 * Plans Pillow's `im.reduce(factor, box)`: integer factors >= 1, an integer box.
 * @throws UnsupportedError for modes Pillow cannot reduce (1, P, I;16)
 */
export function planReduce(input: RowInput, factor: number | readonly [number, number], box?: Box): Resized {
  const f = typeof factor === 'number' ? [factor, factor] : factor;
  if (!Array.isArray(f) || f.length !== 2 || !f.every((v) => Number.isInteger(v) && v >= 1)) {
    throw invalidArgument('factor', 'an integer >= 1 or [fx, fy] of integers >= 1', factor);
  }
  const [fx, fy] = f as [number, number];
  const b = box === undefined ? ([0, 0, input.width, input.height] as FBox) : checkBox(box, input.width, input.height);
  if (!b.every(Number.isInteger)) throw invalidArgument('box', 'integer [x0, y0, x1, y1]', box);
  if (b[2] <= b[0] || b[3] <= b[1]) throw new InvalidArgumentError(`box can't be empty (got [${b.join(', ')}])`);
  const bw = b[2] - b[0];
  const bh = b[3] - b[1];
  if (fx === 1 && fy === 1 && bw === input.width && bh === input.height) return copyOf(input);
  const pre = PREMULTIPLIED[input.mode];
  if (pre !== undefined) {
    const bands = bandCount(input.mode) as 2 | 4;
    const inner = planReduce(mapRows(input, premultiply(bands), pre), [fx, fy], b);
    const back = unpremultiply(bands);
    return {
      mode: input.mode, width: inner.width, height: inner.height,
      fill(y0, y1, dst, di) {
        inner.fill(y0, y1, dst, di);
        back(dst, di, dst, di, (y1 - y0) * inner.width);
      },
    };
  }
  if (fx === 1 && fy === 1) return coreResize(input, bw, bh, Resampling.NEAREST, b);
  if (input.mode === '1' || input.mode === 'P' || input.mode === 'I;16') throw new UnsupportedError(`image has wrong mode ${input.mode} for reduce`);
  const w = Math.ceil(bw / fx);
  const h = Math.ceil(bh / fy);
  const bands = bandCount(input.mode);
  let out: TypedArray | undefined;
  return {
    mode: input.mode, width: w, height: h,
    fill(a, z, dst, di) {
      if (out === undefined) {
        out = allocate(input.mode, w, h);
        const whole = wholeOf(input);
        const src = whole.offset === 0 ? whole.data : whole.data.subarray(whole.offset);
        reduceInto(src, input.width, bands, b, fx, fy, out);
      }
      dst.set(out.subarray(a * w * bands, z * w * bands), di);
    },
  };
}

/** Runs a plan into one new allocation and returns the raster (info and palette of `r`). */
export function runPlan<M extends Mode>(r: Raster, plan: Resized): Raster<M> {
  const data = allocate(plan.mode, plan.width, plan.height);
  plan.fill(0, plan.height, data, 0);
  return { mode: plan.mode as M, width: plan.width, height: plan.height, info: { ...r.info }, palette: r.palette, pixels: ndarray(data, shapeOf(plan.mode, plan.width, plan.height)) as Raster<M>['pixels'] };
}

/** Pillow `im.resize(size, resample, box, reducing_gap)` of a raster: one new allocation. */
export function resizeRaster<M extends Mode>(r: Raster<M>, size: readonly [number, number], options?: ResizeOptions): Raster<M> {
  return runPlan(r, planResize(rasterInput(r), size, options));
}

/** Pillow `im.reduce(factor, box)` of a raster: one new allocation. */
export function reduceRaster<M extends Mode>(r: Raster<M>, factor: number | readonly [number, number], box?: Box): Raster<M> {
  return runPlan(r, planReduce(rasterInput(r), factor, box));
}
