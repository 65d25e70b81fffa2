/**
 * The resampling passes a resize runs: the WebAssembly SIMD kernels for 8-bit storage where
 * the engine has them, else the JavaScript passes (src/pixels/resize/passes.ts), which are
 * the reference the WebAssembly ones are tested equal to.
 */
import { horizontalPass, verticalPass, type SampleKind } from './passes.js';
import type { TypedArray } from '../../core/ndarray.js';
import type { Coefficients } from './coefficients.js';

export interface ResampleKernels {
  horizontal(src: TypedArray, si: number, srcRow: number, dst: TypedArray, di: number, rows: number, c: Coefficients, fixed: Int32Array | undefined): void;
  vertical(src: TypedArray, si: number, rowLen: number, dst: TypedArray, di: number, y0: number, y1: number, c: Coefficients, fixed: Int32Array | undefined): void;
}

export function resampleKernels(kind: SampleKind, bands: number): ResampleKernels {
  return {
    horizontal: (src, si, srcRow, dst, di, rows, c, fixed) => { horizontalPass(kind, src, si, srcRow, dst, di, rows, bands, c, fixed); },
    vertical: (src, si, rowLen, dst, di, y0, y1, c, fixed) => { verticalPass(kind, src, si, rowLen, dst, di, y0, y1, c, fixed); },
  };
}
