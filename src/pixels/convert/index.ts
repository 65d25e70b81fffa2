/**
 * `img.convert(mode)`: Pillow's `Image.convert`, bit-exact. One kernel is chosen per image
 * (./plan.ts, formulas in ./kernels.ts) and run block by block from the source rows
 * straight into the new image's one allocation. The transparency rules are Pillow's
 * (current Pillow): a transparent colour becomes alpha on 1/L/I/I;16 -> LA/RGBA and
 * RGB -> LA/RGBA; L/RGB/P -> L/RGB carry a converted `info.transparency`; P -> LA/RGBA
 * applies tRNS to the palette.
 */
import { UnsupportedError, invalidArgument } from '../../core/errors.js';
import type { ImageInfo, Palette, Raster } from '../../core/types.js';
import ndarray from 'ndarray';
import { allocate, bandCount, isMode, shapeOf, type Mode } from '../../core/modes.js';
import { BLOCK_BYTES, rowSource, rowsPerBlock } from '../blocks.js';
import type { TypedArray } from '../../core/ndarray.js';
import { planConversion, greyPalette } from './plan.js';
import * as k from './kernels.js';
import type { Kernel } from './kernels.js';

export { planConversion, modeBase } from './plan.js';

/** Options of `convert`: Pillow's `dither` for conversions to mode 1. */
export interface ConvertOptions {
  /** To mode `1`: `'floydsteinberg'` (Pillow's default) or `'none'` (threshold at 128). */
  dither?: 'floydsteinberg' | 'none';
}


/** Pillow's 256 RGBA palette entries of a P image; past the file's palette, the grey ramp. */
export function paletteEntries(pal: Palette | undefined): Uint8Array {
  const table = greyPalette();
  if (pal === undefined) return table;
  const step = pal.mode === 'RGBA' ? 4 : 3;
  for (let i = 0; i < 256 && i * step + step <= pal.colors.length; i++) {
    table.set(pal.colors.subarray(i * step, i * step + 3), i * 4);
    if (step === 4) table[i * 4 + 3] = pal.colors[i * step + 3];
  }
  return table;
}

/** Runs `kernel` over every row of `img` into `dst` (packed, `dstBands` per pixel). */
export function runRows(img: Raster, kernel: Kernel, dst: TypedArray, dstBands: number): void {
  const rows = rowSource(img.pixels);
  const { width: w, height: h } = img;
  const srcRowBytes = w * bandCount(img.mode) * img.pixels.data.BYTES_PER_ELEMENT;
  const step = rowsPerBlock(srcRowBytes, BLOCK_BYTES);
  for (let y0 = 0; y0 < h; y0 += step) {
    const y1 = Math.min(h, y0 + step);
    const block = rows(y0, y1);
    kernel(block.data, block.offset, dst, y0 * w * dstBands, (y1 - y0) * w);
  }
}

function ditherOf(options: ConvertOptions | undefined): boolean {
  const d = options?.dither ?? 'floydsteinberg';
  if (d !== 'floydsteinberg' && d !== 'none') throw invalidArgument('options.dither', "'floydsteinberg' or 'none'", d);
  return d === 'floydsteinberg';
}

/** The transparent colour as Pillow's `rgbT2a` compares it: each channel `& 255`. */
function transparentKey(mode: Mode, t: unknown): [number, number, number] {
  if (mode === 'RGB' && Array.isArray(t) && t.length === 3 && t.every((v) => Number.isInteger(v))) {
    const [r, g, b] = t as number[];
    return [r & 255, g & 255, b & 255];
  }
  if (mode !== 'RGB' && Number.isInteger(t)) {
    const v = (t as number) & 255;
    return [v, v, v];
  }
  throw invalidArgument('info.transparency', `a transparency value for mode ${mode}`, t);
}

/** `ImagingConvertTransparent`: the base kernel, then alpha 0 where the colour matches. */
function transparentKernel(from: Mode, to: 'LA' | 'RGBA', key: [number, number, number]): Kernel {
  const four = to === 'RGBA';
  switch (from) {
    case '1': return k.withTransparency(four ? k.bit2rgba : k.bit2la, four ? 4 : 2, key);
    case 'L': return k.withTransparency(four ? k.l2rgba : k.l2la, four ? 4 : 2, key);
    case 'I': return k.withTransparency(four ? k.i2rgba : grayAlpha(k.i2l), four ? 4 : 2, key);
    case 'I;16': return k.withTransparency(four ? fourFromOne(k.i16l) : grayAlpha(k.i16l), four ? 4 : 2, key);
    case 'RGB': return four ? k.withTransparency(k.rgbTo(3, 4, 255), 4, key) : k.withTransparency(k.rgb2la(3, false), 2, key, 3);
    default: throw new UnsupportedError(`conversion from ${from} to ${to} not supported in convert_transparent`);
  }
}

/** A one-band kernel followed by alpha 255: (v, 255). */
function grayAlpha(one: Kernel): Kernel {
  return (src, si, dst, di, n) => {
    one(src, si, dst, di, n);
    for (let i = n - 1; i >= 0; i--) {
      dst[di + 2 * i] = dst[di + i];
      dst[di + 2 * i + 1] = 255;
    }
  };
}
/** A one-band kernel followed by (v, v, v, 255). */
function fourFromOne(one: Kernel): Kernel {
  return (src, si, dst, di, n) => {
    one(src, si, dst, di, n);
    for (let i = n - 1; i >= 0; i--) {
      const v = dst[di + i];
      dst.fill(v, di + 4 * i, di + 4 * i + 3);
      dst[di + 4 * i + 3] = 255;
    }
  };
}

/** A 1x1 conversion, as Pillow's `trns_im.convert(mode).getpixel((0, 0))`. */
function convertPixel(from: Mode, to: Mode, value: number | readonly number[], palette: Uint8Array): number | [number, number, number] {
  const src = allocate(from, 1, 1);
  const clip = (v: number) => (from === 'I;16' ? Math.min(65535, Math.max(0, v)) : Math.min(255, Math.max(0, v)));
  if (typeof value === 'number') src[0] = clip(value);
  else value.forEach((v, i) => (src[i] = clip(v)));
  const dst = allocate(to, 1, 1);
  planConversion(from, to, { width: 1, dither: false, palette })(src, 0, dst, 0, 1);
  return to === 'RGB' ? [dst[0], dst[1], dst[2]] : dst[0];
}

/** What a conversion of `img` to `target` runs, and the info the result carries. */
export interface ImagePlan {
  target: Mode;
  kernel: Kernel;
  info: ImageInfo;
}

/**
 * Pillow's `Image.convert` decisions for `img` -> `mode` (undefined: Pillow's default target),
 * transparency included, without running anything. Used by `convert`, the raw encoder and
 * fused `toArray`, so all three give the same pixels.
 */
export function planImageConversion(img: Raster, mode: Mode | undefined, options?: ConvertOptions): ImagePlan {
  if (mode !== undefined && !isMode(mode)) throw invalidArgument('mode', 'a Pillow mode', mode);
  const dither = ditherOf(options);
  const info: ImageInfo = { ...img.info };
  const t = info.transparency;
  const hasTrns = t !== undefined && t !== null;
  let target: Mode = mode ?? img.mode;
  if (mode === undefined && img.mode === 'P') target = hasTrns ? 'RGBA' : 'RGB';
  const w = img.width;

  if (target === img.mode) return { target, kernel: planConversion(target, target, { width: w, dither }), info };
  if (target === 'P' || target === 'PA') {
    throw new UnsupportedError(`conversion from ${img.mode} to ${target} (palette quantization) not supported`);
  }

  const palette = img.mode === 'P' ? paletteEntries(img.palette) : undefined;
  let kernel: Kernel | undefined;
  if (hasTrns) {
    if ((['1', 'L', 'I', 'I;16'].includes(img.mode) || img.mode === 'RGB') && (target === 'LA' || target === 'RGBA')) {
      kernel = transparentKernel(img.mode, target, transparentKey(img.mode, t));
      delete info.transparency;
    } else if ((img.mode === 'L' || img.mode === 'RGB' || img.mode === 'P') && (target === 'L' || target === 'RGB')) {
      if (t instanceof Uint8Array) {
        process.emitWarning('Palette images with Transparency expressed in bytes should be converted to RGBA images', 'ImarrayWarning');
        delete info.transparency;
      } else {
        info.transparency = convertPixel(img.mode, target, t, palette ?? greyPalette());
      }
    } else if (img.mode === 'P' && palette !== undefined && (target === 'LA' || target === 'RGBA')) {
      if (t instanceof Uint8Array) for (let i = 0; i < t.length && i < 256; i++) palette[i * 4 + 3] = t[i];
      else if (typeof t === 'number') palette[(t & 255) * 4 + 3] = 0;
      else throw invalidArgument('info.transparency', 'bytes or an int for a P image', t);
      delete info.transparency;
    }
  }
  kernel ??= planConversion(img.mode, target, { width: w, dither, ...(palette && { palette }) });
  return { target, kernel, info };
}

/** `img.convert(mode)`: a new raster in one allocation, filled block by block. */
export function convert<N extends Mode>(img: Raster, mode?: N, options?: ConvertOptions): Raster<N> {
  const plan = planImageConversion(img, mode, options);
  const target = plan.target as N;
  const out = allocate(target, img.width, img.height);
  runRows(img, plan.kernel, out, bandCount(target));
  const palette = target === 'P' ? img.palette : undefined;
  return { mode: target, width: img.width, height: img.height, info: plan.info, palette, pixels: ndarray(out, shapeOf(target, img.width, img.height)) };
}
