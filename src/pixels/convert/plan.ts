/**
 * Choosing the kernel for a conversion, once per image: Pillow's `ImagingConvert` dispatch
 * (palette sources first, Floyd-Steinberg for `1`, then the converter table) and the
 * Python-level fallback of `Image.convert` through the source's base mode
 * (`getmodebase`: CMYK -> RGB -> L, LA -> L -> 1, ...).
 */
import { UnsupportedError } from '../../core/errors.js';
import { DTYPES, MODES, bandCount, type Mode } from '../../core/modes.js';
import type { TypedArray } from '../../core/ndarray.js';
import * as k from './kernels.js';
import type { Kernel } from './kernels.js';

export interface PlanContext {
  width: number;
  /** Floyd-Steinberg when converting to `1` (Pillow's default). */
  dither: boolean;
  /** 256 RGBA entries (alpha already applied from tRNS when the target has alpha). */
  palette?: Uint8Array;
}

/** Pillow's `ImageMode.getmode(mode).basemode`. */
export function modeBase(mode: Mode): Mode {
  switch (mode) {
    case 'P':
      return 'P';
    case '1': case 'L': case 'LA': case 'La': case 'I': case 'F': case 'I;16':
      return 'L';
    default:
      return 'RGB';
  }
}

type Factory = (ctx: PlanContext) => Kernel;
const of = (kernel: Kernel): Factory => () => kernel;

/** Pillow's `converters[]` table, for imarray's packed storage. */
const TABLE: Partial<Record<`${Mode}>${Mode}`, Factory>> = {
  '1>L': of(k.bit2l), '1>I': of(k.bit2l), '1>F': of(k.bit2l), '1>LA': of(k.bit2la),
  '1>RGB': of(k.bit2rgb), '1>RGBA': of(k.bit2rgba), '1>RGBX': of(k.bit2rgba), '1>CMYK': of(k.bit2cmyk),

  'L>1': of(k.l2bit), 'L>LA': of(k.l2la), 'L>I': of(k.widen), 'L>F': of(k.widen), 'L>I;16': of(k.widen),
  'L>RGB': of(k.l2rgb), 'L>RGBA': of(k.l2rgba), 'L>RGBX': of(k.l2rgba), 'L>CMYK': of(k.l2cmyk),

  'LA>L': of(k.la2l), 'LA>RGB': of(k.la2rgb), 'LA>RGBA': of(k.la2rgba), 'LA>RGBX': of(k.la2rgba),
  'LA>CMYK': of(k.la2cmyk),

  'I>L': of(k.i2l), 'I>F': of(k.widen), 'I>RGB': of(k.i2rgb), 'I>RGBA': of(k.i2rgba), 'I>RGBX': of(k.i2rgba),
  'I>I;16': of(k.i2i16),
  'F>L': of(k.f2l), 'F>I': of(k.f2i),

  'RGB>1': of(k.rgb2bit(3)), 'RGB>L': of(k.rgb2l(3)), 'RGB>LA': of(k.rgb2la(3, false)), 'RGB>I': of(k.rgb2l(3)),
  'RGB>I;16': of(k.rgb2l(3)), 'RGB>F': of(k.rgb2f(3)), 'RGB>RGBA': of(k.rgbTo(3, 4, 255)),
  'RGB>RGBX': of(k.rgbTo(3, 4, 255)), 'RGB>CMYK': of(k.rgb2cmyk(3)),

  'RGBA>1': of(k.rgb2bit(4)), 'RGBA>L': of(k.rgb2l(4)), 'RGBA>LA': of(k.rgb2la(4, true)), 'RGBA>I': of(k.rgb2l(4)),
  'RGBA>F': of(k.rgb2f(4)), 'RGBA>RGB': of(k.rgbTo(4, 3, 255)), 'RGBA>RGBX': of(k.rgbTo(4, 4, 255)),
  'RGBA>CMYK': of(k.rgb2cmyk(4)),

  'RGBX>1': of(k.rgb2bit(4)), 'RGBX>L': of(k.rgb2l(4)), 'RGBX>LA': of(k.rgb2la(4, false)), 'RGBX>I': of(k.rgb2l(4)),
  'RGBX>F': of(k.rgb2f(4)), 'RGBX>RGB': of(k.rgbTo(4, 3, 255)), 'RGBX>CMYK': of(k.rgb2cmyk(4)),

  'CMYK>RGB': of(k.cmyk2rgb(3)), 'CMYK>RGBA': of(k.cmyk2rgb(4)), 'CMYK>RGBX': of(k.cmyk2rgb(4)),

  'LA>La': of(k.premultiply(2)), 'La>LA': of(k.unpremultiply(2)),
  'RGBA>RGBa': of(k.premultiply(4)), 'RGBa>RGBA': of(k.unpremultiply(4)),

  'I;16>I': of(k.widen), 'I;16>F': of(k.widen), 'I;16>L': of(k.i16l), 'I;16>RGB': of(k.i16rgb),
};

/** Per-index tables of Pillow's `frompalette` kernels; `undefined`: not supported. */
function fromPalette(to: Mode, palette: Uint8Array): Kernel | undefined {
  const entry = (i: number) => [palette[i * 4], palette[i * 4 + 1], palette[i * 4 + 2], palette[i * 4 + 3]] as const;
  const build = (table: Uint8Array | Int32Array | Float32Array, bands: number, f: (i: number) => number[]) => {
    for (let i = 0; i < 256; i++) table.set(f(i), i * bands);
    return k.lookup(table, bands);
  };
  const l24 = (i: number) => { const [r, g, b] = entry(i); return k.l24(r, g, b); };
  switch (to) {
    case '1': return build(new Uint8Array(256), 1, (i) => { const [r, g, b] = entry(i); return [k.l1000(r, g, b) >= 128000 ? 1 : 0]; });
    case 'L': return build(new Uint8Array(256), 1, (i) => [l24(i)]);
    case 'LA': return build(new Uint8Array(512), 2, (i) => [l24(i), entry(i)[3]]);
    case 'I': return build(new Int32Array(256), 1, (i) => [l24(i)]);
    case 'F': return build(new Float32Array(256), 1, (i) => { const [r, g, b] = entry(i); return [Math.fround(k.l1000(r, g, b)) / 1000]; });
    case 'RGB': return build(new Uint8Array(768), 3, (i) => entry(i).slice(0, 3));
    case 'RGBA': case 'RGBX': return build(new Uint8Array(1024), 4, (i) => [...entry(i)]);
    case 'CMYK': return build(new Uint8Array(1024), 4, (i) => [...entry(i).slice(0, 3).map((v) => 255 - v), 0]);
    default: return undefined;
  }
}

/** One step of Pillow's C `convert` (no Python fallback); `undefined` where Pillow raises. */
function direct(from: Mode, to: Mode, ctx: PlanContext): Kernel | undefined {
  if (from === 'P') return fromPalette(to, ctx.palette ?? greyPalette());
  if (to === '1' && ctx.dither) {
    if (from === 'L') return k.bilevelDither(ctx.width, 1);
    if (from === 'RGB') return k.bilevelDither(ctx.width, 3);
    return undefined;
  }
  return TABLE[`${from}>${to}`]?.(ctx);
}

/** Pillow's palette of a P image without one: the grey ramp. */
export function greyPalette(): Uint8Array {
  const t = new Uint8Array(1024);
  for (let i = 0; i < 256; i++) t.fill(i, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4);
  return t;
}

/** Runs `first` into a block-sized scratch of `mid` storage, then `second` into `dst`. */
function chain(first: Kernel, mid: Mode, second: Kernel): Kernel {
  const Ctor = DTYPES[MODES[mid].dtype];
  const bands = bandCount(mid);
  let scratch: TypedArray = new Ctor(0);
  return (src, si, dst, di, n) => {
    if (scratch.length < n * bands) scratch = new Ctor(n * bands);
    first(src, si, scratch, 0, n);
    second(scratch, 0, dst, di, n);
  };
}

/**
 * The kernel converting packed `from` pixels to packed `to` pixels, as Pillow's
 * `Image.convert` picks it. Throws Pillow's "conversion from X to Y not supported".
 */
export function planConversion(from: Mode, to: Mode, ctx: PlanContext): Kernel {
  if (from === to) {
    return (src, si, dst, di, n) => {
      const b = bandCount(from);
      dst.set(src.subarray(si, si + n * b), di);
    };
  }
  const one = direct(from, to, ctx);
  if (one !== undefined) return one;
  const base = modeBase(from);
  if (base !== from) {
    const first = direct(from, base, { ...ctx, dither: false });
    const second = first && direct(base, to, ctx);
    if (first !== undefined && second !== undefined) return chain(first, base, second);
  }
  throw new UnsupportedError(`conversion from ${from} to ${to} not supported`);
}
