/**
 * PNG unfiltering with WebAssembly SIMD (./unfilter.wat, compiled into ./unfilter-wasm.ts by
 * `npm run wasm`): Up 16 bytes per instruction, Sub / Average / Paeth one whole pixel (up to
 * 8 bytes) per step instead of one byte, with the neighbours held in vector registers.
 *
 * WebAssembly reaches only its own memory, so a decoder holds one `SimdRows`: three row
 * slots in a module instance of its own. RowSink copies each filtered row into `raw`,
 * `unfilter()` writes the unfiltered row into the slot after it, and RowSink copies it from
 * there into the image (or unpacks it). The slot written last is the next row's `prev`.
 * For `imread(src, { order: 'BGR' })` the row is first permuted (`permute()`) into `raw`, so
 * the channel swap rides on the copy the decoder makes anyway.
 *
 * Instances are pooled (a few, per thread) and handed to one decoder at a time: concurrent
 * decodes never share slots. A decoder that is dropped before it finishes never returns its
 * instance; it is garbage-collected with it.
 *
 * `acquireSimdRows` returns undefined where WebAssembly SIMD is missing, and for rows over
 * MAX_ROW (what fits the module's declared maximum memory); RowSink then keeps the JavaScript kernels of ./unfilter.ts, which remain
 * the reference the tests compare against.
 */
import { DecodeError } from '../../core/errors.js';
import { UNFILTER_WASM } from './unfilter-wasm.js';
import { compileKernel, instantiateKernel, type KernelMemory } from '../../kernels/wasm.js';
import { permuteMask } from '../../kernels/swizzle.js';

interface Exports {
  up(src: number, prev: number, dst: number, n: number): void;
  sub(src: number, dst: number, n: number, bpp: number): void;
  avg(src: number, prev: number, dst: number, n: number, bpp: number): void;
  paeth(src: number, prev: number, dst: number, n: number, bpp: number): void;
  permute(src: number, dst: number, n: number, step: number, mask: number): void;
}

const PAGE = 65536;
/** Longest row the kernel's memory (declared maximum 256 pages in unfilter.wat) holds three of, plus the 16-byte mask. */
export const MAX_ROW = Math.floor((256 * PAGE - 16) / 3) - 64;
/** Bytes the kernels may read or write past a row (one vector), rounded for alignment. */
const SLACK = 32;
/** Idle instances kept for reuse, and the largest memory worth keeping. */
const POOL_SIZE = 2;
const POOL_MAX_BYTES = 4 << 20;

let module: object | null | undefined;
const pool: SimdRows[] = [];

function compile(): object | null {
  if (module !== undefined) return module;
  const m = compileKernel(UNFILTER_WASM);
  const probe = m === null ? null : instantiateKernel(m);
  module = probe !== null && isExports(probe.exports) ? m : null; // else RowSink keeps the JavaScript kernels
  return module;
}

function isExports(e: Record<string, unknown>): e is Record<string, unknown> & Exports {
  return typeof e.up === 'function' && typeof e.sub === 'function' && typeof e.avg === 'function' && typeof e.paeth === 'function' && typeof e.permute === 'function';
}

/** Three row slots (`raw`, then two that alternate as current and previous) in one instance. */
export class SimdRows {
  /** The instance's memory; valid while this object is held (it never grows in between). */
  mem: Uint8Array;
  /** Where the caller puts the filtered row. */
  readonly raw = 0;
  private slot = 0;
  private prev = 0;
  private cur = 0;
  /** Where the permutation mask sits (after the three slots), and its group size in bytes. */
  private mask = 0;
  private step = 0;

  private constructor(private readonly memory: KernelMemory, private readonly k: Exports) {
    this.mem = new Uint8Array(memory.buffer);
  }

  static create(): SimdRows | undefined {
    const m = compile();
    const instance = m === null ? null : instantiateKernel(m);
    if (instance === null || !isExports(instance.exports)) return undefined;
    return new SimdRows(instance.memory, instance.exports);
  }

  /**
   * Lays out slots for rows of up to `rowLen` bytes, growing the memory if needed; false for
   * rows past the memory's declared maximum (MAX_ROW), which the JavaScript kernels take.
   */
  reserve(rowLen: number): boolean {
    if (rowLen > MAX_ROW) return false;
    this.slot = Math.ceil((rowLen + SLACK) / SLACK) * SLACK;
    this.mask = 3 * this.slot;
    const need = this.mask + 16;
    const have = this.memory.buffer.byteLength;
    if (need > have) {
      try {
        this.memory.grow(Math.ceil((need - have) / PAGE));
      } catch {
        return false; // the engine refused the memory
      }
      this.mem = new Uint8Array(this.memory.buffer);
    }
    this.prev = this.slot;
    this.cur = 2 * this.slot;
    return true;
  }

  /** A pass's first row: its previous row is all zeros (PNG spec 9.2). */
  startPass(): void {
    this.mem.fill(0, this.prev, this.prev + this.slot);
  }

  /**
   * Unfilters the `n` bytes at `raw` with filter `type`; returns the offset in `mem` of the
   * result, which also becomes the previous row of the next call.
   */
  unfilter(type: number, n: number, bpp: number, where: () => string): number {
    const { raw, prev, cur, k } = this;
    switch (type) {
      case 0:
        this.mem.copyWithin(cur, raw, raw + n);
        break;
      case 1:
        k.sub(raw, cur, n, bpp);
        break;
      case 2:
        k.up(raw, prev, cur, n);
        break;
      case 3:
        k.avg(raw, prev, cur, n, bpp);
        break;
      case 4:
        k.paeth(raw, prev, cur, n, bpp);
        break;
      default:
        throw new DecodeError(`broken data stream when reading image file: unknown PNG filter type ${type} (${where()})`);
    }
    this.prev = cur;
    this.cur = prev;
    return cur;
  }

  /** Sets the byte permutation `permute` applies: `perm` within pixels of `bands` bytes. */
  setOrder(bands: 3 | 4, perm: readonly number[]): void {
    this.mem.set(permuteMask(bands, perm), this.mask);
    this.step = 4 * bands;
  }

  /**
   * Writes the `n` bytes at `o` (a row `unfilter` returned), permuted by `setOrder`, into the
   * `raw` slot (free once its row is unfiltered); returns that offset. The row at `o` is kept:
   * it is the next row's previous row.
   */
  permute(o: number, n: number): number {
    if (this.step === 0) throw new Error('internal: SimdRows.permute before setOrder');
    this.k.permute(o, this.raw, n, this.step, this.mask);
    return this.raw;
  }

  /** Returns the instance to the pool; the caller must not use it afterwards. */
  release(): void {
    this.step = 0;
    if (pool.length < POOL_SIZE && this.mem.byteLength <= POOL_MAX_BYTES && !pool.includes(this)) pool.push(this);
  }
}

/**
 * An instance with slots for rows of up to `rowLen` bytes, or undefined without WebAssembly
 * SIMD. Pair with `release()` once the decoder is done.
 */
export function acquireSimdRows(rowLen: number): SimdRows | undefined {
  if (rowLen > MAX_ROW) return undefined;
  const rows = pool.pop() ?? SimdRows.create();
  if (rows === undefined || rows.reserve(rowLen)) return rows;
  rows.release();
  return undefined;
}
