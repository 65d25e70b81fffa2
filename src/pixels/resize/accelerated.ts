/**
 * The two passes of one resample, behind one interface: WebAssembly SIMD for 8-bit storage
 * (./resample.wat) where the engine has it and `useImplementation('resample', 'js')` has not
 * switched it off, else the JavaScript passes of ./passes.ts (the reference the WebAssembly
 * ones are tested equal to, and the only path for I;16, I and F).
 *
 * WebAssembly reaches only its own memory: each resample gets an instance whose memory holds
 * the coefficients, the intermediate (the horizontal pass's output rows) and one block of
 * source or output rows; source blocks are copied in and output rows copied out.
 */
import { implementation } from '../../kernels/choose.js';
import { compileKernel, instantiateKernel, type KernelInstance } from '../../kernels/wasm.js';
import { type TypedArray } from '../../core/ndarray.js';
import { BLOCK_BYTES, rowsPerBlock, type RowSource } from '../blocks.js';
import type { Coefficients } from './coefficients.js';
import { fixedWeights } from './coefficients.js';
import { horizontalPass, verticalPass, type SampleKind } from './passes.js';
import { RESAMPLE_WASM } from './resample-wasm.js';

/** One resample's passes, producing output rows on demand from the source rows it pulls. */
export interface TwoPass {
  /** Output rows `[y0, y1)` into `dst` from element `di`. */
  fill(y0: number, y1: number, dst: TypedArray, di: number): void;
}

export interface TwoPassShape {
  kind: SampleKind;
  bands: number;
  /** Source rows: `rows(y0, y1)` gives packed rows of `srcW * bands` elements. */
  rows: RowSource<TypedArray>;
  srcW: number;
  /** Output width: the intermediate's row is `outW * bands` elements. */
  outW: number;
  /** Source rows the vertical pass reads: `[first, first + span)`. */
  first: number;
  span: number;
  /** Horizontal coefficients (undefined: no horizontal pass). */
  h: Coefficients | undefined;
  /** Vertical coefficients with bounds counted from `first` (undefined: no vertical pass). */
  v: Coefficients | undefined;
  /** Allocates `n` elements of the intermediate's type. */
  alloc(n: number): TypedArray;
}

export function twoPass(s: TwoPassShape): TwoPass {
  if (s.kind === 'u8' && implementation('resample') === 'simd') {
    const wasm = wasmTwoPass(s);
    if (wasm !== undefined) return wasm;
  }
  return jsTwoPass(s);
}

/** The JavaScript passes over a JavaScript intermediate of all the rows the vertical pass reads. */
export function jsTwoPass(s: TwoPassShape): TwoPass {
  const rowLen = s.outW * s.bands;
  const srcRow = s.srcW * s.bands;
  let inter: { data: TypedArray; offset: number } | undefined;
  const intermediate = () => {
    if (inter !== undefined) return inter;
    if (s.h === undefined) {
      inter = s.rows(s.first, s.first + s.span);
      return inter;
    }
    const hfixed = s.kind === 'u8' ? fixedWeights(s.h) : undefined;
    const data = s.alloc(rowLen * s.span);
    const step = rowsPerBlock(srcRow * data.BYTES_PER_ELEMENT, BLOCK_BYTES);
    for (let y = 0; y < s.span; y += step) {
      const y1 = Math.min(s.span, y + step);
      const blk = s.rows(s.first + y, s.first + y1);
      horizontalPass(s.kind, blk.data, blk.offset, srcRow, data, y * rowLen, y1 - y, s.bands, s.h, hfixed);
    }
    inter = { data, offset: 0 };
    return inter;
  };
  const vfixed = s.kind === 'u8' && s.v !== undefined ? fixedWeights(s.v) : undefined;
  return {
    fill(y0, y1, dst, di) {
      const t = intermediate();
      if (s.v === undefined) dst.set(t.data.subarray(t.offset + y0 * rowLen, t.offset + y1 * rowLen), di);
      else verticalPass(s.kind, t.data, t.offset, rowLen, dst, di, y0, y1, s.v, vfixed);
    },
  };
}

type VRows = (src: number, len: number, dst: number, bounds: number, weights: number, kstride: number, y0: number, y1: number) => void;
type HRows2 = (src: number, srcRow: number, rows: number, dst: number, outW: number, bpp: number, bounds: number, weights: number, kstride: number, mask: number) => void;
type HRows1 = (src: number, srcRow: number, rows: number, dst: number, outW: number, bounds: number, weights: number, kstride: number) => void;

let compiled: object | null | undefined;
/** Instances not in use, kept so their memory (pages already mapped) serves the next resample. */
const idle: KernelInstance[] = [];
const PAD = 64;
const PAGE = 65536;

/** Whether this engine runs the WebAssembly SIMD resampling passes (else the JavaScript ones). */
export function resampleSimdAvailable(): boolean {
  const k = acquire();
  if (k === null) return false;
  release(k);
  return true;
}

function acquire(): KernelInstance | null {
  const kept = idle.pop();
  if (kept !== undefined) return kept;
  compiled ??= compileKernel(RESAMPLE_WASM);
  return compiled === null ? null : instantiateKernel(compiled);
}

function release(inst: KernelInstance): void {
  if (idle.length < 2 && inst.memory.buffer.byteLength <= 64 * 2 ** 20) idle.push(inst);
}

function ensure(inst: KernelInstance, bytes: number): void {
  const have = inst.memory.buffer.byteLength;
  if (bytes > have) inst.memory.grow(Math.ceil((bytes - have) / PAGE));
}

const align16 = (n: number) => Math.ceil(n / 16) * 16;

/**
 * Writes a coefficient table at `at`: bounds (i32 pairs), then per output index `kstride` bytes
 * of 22-bit weights: one i32 each, or `paired` for hrows2: per tap pair, the two weights' high
 * parts (`w >> 11`) as two i16 in an i32, then their low parts (`w & 0x7ff`).
 */
function putCoefficients(inst: KernelInstance, at: number, c: Coefficients, kstride: number, paired: boolean): { bounds: number; weights: number; end: number } {
  const i32 = new Int32Array(inst.memory.buffer);
  i32.set(c.bounds, at / 4);
  const weights = at + c.outSize * 8;
  const fixed = fixedWeights(c);
  i32.fill(0, weights / 4, (weights + c.outSize * kstride) / 4);
  for (let i = 0; i < c.outSize; i++) {
    const row = fixed.subarray(i * c.ksize, (i + 1) * c.ksize);
    const o = (weights + i * kstride) / 4;
    if (!paired) {
      i32.set(row, o);
      continue;
    }
    for (let j = 0; j * 2 < c.ksize; j++) {
      const w0 = row[j * 2] ?? 0;
      const w1 = row[j * 2 + 1] ?? 0;
      i32[o + j * 2] = ((w0 >> 11) & 0xffff) | ((w1 >> 11) << 16);
      i32[o + j * 2 + 1] = (w0 & 0x7ff) | ((w1 & 0x7ff) << 16);
    }
  }
  return { bounds: at, weights, end: align16(weights + c.outSize * kstride) };
}

/** hrows2's swizzle: two pixels of `bpp` bytes into i16 lanes [c0 p0, c0 p1, c1 p0, c1 p1, ...]. */
function pairMask(bpp: number): Uint8Array {
  const mask = new Uint8Array(16).fill(0x80);
  for (let c = 0; c < bpp; c++) {
    mask[c * 4] = c;
    mask[c * 4 + 2] = bpp + c;
  }
  return mask;
}

/**
 * The WebAssembly passes, streaming: output rows are made a block at a time from a window of
 * intermediate rows, which the horizontal pass extends from source blocks copied in; rows
 * the vertical pass has gone past are dropped. Memory: coefficients, a source block, an
 * output block, and the window (last, so it can grow). Undefined without WebAssembly SIMD.
 */
function wasmTwoPass(s: TwoPassShape): TwoPass | undefined {
  if (s.bands < 1 || s.bands > 4) return undefined;
  const probe = acquire();
  if (probe === null) return undefined;
  release(probe);
  const rowLen = s.outW * s.bands;
  const srcRow = s.srcW * s.bands;
  // hrows1 (one band) reads 4 weights a step; hrows2 (2 to 4 bands) 8 bytes a tap pair
  const kstrideH = s.h === undefined ? 0 : s.bands === 1 ? align16(s.h.ksize * 4) + 16 : Math.ceil(s.h.ksize / 2) * 8;
  const kstrideV = s.v === undefined ? 0 : s.v.ksize * 4;
  const srcRows = rowsPerBlock(srcRow, BLOCK_BYTES);
  const outRows = rowsPerBlock(rowLen, BLOCK_BYTES);
  const bounds = s.v?.bounds;
  /** Intermediate rows output rows `[a, z)` read. */
  const need = (a: number, z: number): [number, number] => {
    if (bounds === undefined) return [a, z];
    return [bounds[a * 2] ?? 0, (bounds[(z - 1) * 2] ?? 0) + (bounds[(z - 1) * 2 + 1] ?? 0)];
  };
  let inst: KernelInstance | null = null;
  let layout: { h?: { bounds: number; weights: number }; v?: { bounds: number; weights: number }; mask: number; src: number; out: number; win: number } | undefined;
  let lo = 0; // window: intermediate rows [lo, hi) at layout.win
  let hi = 0;
  let made = 0; // output rows produced (the instance goes back to the pool after the last)
  const start = (k: KernelInstance) => {
    let at = 0;
    ensure(k, (s.h?.outSize ?? 0) * (8 + kstrideH) + (s.v?.outSize ?? 0) * (8 + kstrideV) + 96);
    const h = s.h === undefined ? undefined : putCoefficients(k, at, s.h, kstrideH, s.bands > 1);
    at = h?.end ?? at;
    const v = s.v === undefined ? undefined : putCoefficients(k, at, s.v, kstrideV, false);
    at = v?.end ?? at;
    const mask = at;
    new Uint8Array(k.memory.buffer).set(pairMask(s.bands), mask);
    const src = mask + 16;
    const out = align16(src + srcRows * srcRow + PAD);
    const win = align16(out + outRows * align16(rowLen) + PAD);
    layout = { mask, src, out, win, ...(h === undefined ? {} : { h }), ...(v === undefined ? {} : { v }) };
    lo = hi = 0;
  };
  /** Makes the window hold intermediate rows [a, z): drops rows before a, makes rows up to z. */
  const windowOf = (k: KernelInstance, a: number, z: number) => {
    if (layout === undefined) throw new Error('internal: resample not started');
    const { win, src, h, mask } = layout;
    if (a >= hi || a < lo) lo = hi = a;
    else if (a > lo) {
      new Uint8Array(k.memory.buffer).copyWithin(win, win + (a - lo) * rowLen, win + (hi - lo) * rowLen);
      lo = a;
    }
    ensure(k, win + (z - lo) * rowLen + PAD);
    const hrows2 = k.exports.hrows2 as HRows2;
    const hrows1 = k.exports.hrows1 as HRows1;
    while (hi < z) {
      const r1 = Math.min(z, hi + (h === undefined ? z - hi : srcRows));
      const blk = s.rows(s.first + hi, s.first + r1);
      const bytes = (blk.data as Uint8Array).subarray(blk.offset, blk.offset + (r1 - hi) * srcRow);
      const mem = new Uint8Array(k.memory.buffer);
      const dst = win + (hi - lo) * rowLen;
      if (h === undefined) mem.set(bytes, dst);
      else {
        mem.set(bytes, src);
        if (s.bands === 1) hrows1(src, srcRow, r1 - hi, dst, s.outW, h.bounds, h.weights, kstrideH);
        else hrows2(src, srcRow, r1 - hi, dst, s.outW, s.bands, h.bounds, h.weights, kstrideH, mask);
      }
      hi = r1;
    }
  };
  return {
    fill(y0, y1, dst, di) {
      if (inst === null) {
        inst = acquire();
        if (inst === null) throw new Error('internal: WebAssembly instance lost');
        start(inst);
      }
      const k = inst;
      const vrows = k.exports.vrows as VRows;
      for (let a = y0; a < y1; a += outRows) {
        const z = Math.min(y1, a + outRows);
        const [r0, r1] = need(a, z);
        windowOf(k, r0, r1);
        if (layout === undefined) throw new Error('internal: resample not started');
        const { win, out, v } = layout;
        const n = (z - a) * rowLen;
        const at = di + (a - y0) * rowLen;
        if (v === undefined) {
          dst.set(new Uint8Array(k.memory.buffer, win + (a - lo) * rowLen, n), at);
        } else {
          // bounds count from row 0 of the intermediate; the window starts at row lo
          vrows(win - lo * rowLen, rowLen, out, v.bounds, v.weights, kstrideV, a, z);
          dst.set(new Uint8Array(k.memory.buffer, out, n), at);
        }
      }
      made += y1 - y0;
      if (made >= (s.v?.outSize ?? s.span)) {
        release(k);
        inst = null;
        made = 0;
      }
    },
  };
}
