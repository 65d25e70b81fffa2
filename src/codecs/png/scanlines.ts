/**
 * RowSink: takes the inflated byte stream in pieces of any size and writes pixels straight
 * into the image's one allocation. Working memory is a few rows.
 *
 * Rows of at least SIMD_MIN_ROW bytes are unfiltered by the WebAssembly SIMD kernels
 * (./unfilter-simd.ts): each row is gathered in the kernel's memory, unfiltered there, and
 * copied into the output (modes whose unfiltered bytes are the pixels: 8-bit L, P, LA, RGB,
 * RGBA, not interlaced) or unpacked into it. Without SIMD, and for short rows, the
 * JavaScript kernels (./unfilter.ts) run: the "direct" modes unfilter in place inside the
 * output array, the row above serving as `prev`; the others unfilter in a scratch pair.
 * Unpacking covers bit expansion, 16-bit -> 8-bit, byte swap and the Adam7 scatter.
 */
import { implementation } from '../../kernels/choose.js';
import { bandCount } from '../../core/modes.js';
import { filterBpp, rowBytes, type PngLayout } from './layouts.js';
import { unfilterRow } from './unfilter.js';
import { acquireSimdRows, type SimdRows } from './unfilter-simd.js';
import { isIdentity, unpacker, type Unpacker } from '../../pixels/unpack.js';
import { reorderPixels, type Reorder } from '../../pixels/pack.js';

/** Adam7 passes: x0, y0, dx, dy. */
const ADAM7: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2],
];

/**
 * Shortest row given to the SIMD kernels. Shorter rows (icons, the first Adam7 passes) keep
 * the JavaScript kernels, which need no copy in and out of the kernel's memory.
 */
const SIMD_MIN_ROW = 64;


interface Pass {
  x0: number;
  y0: number;
  dx: number;
  dy: number;
  w: number;
  h: number;
  rowLen: number;
}

export interface SinkTarget {
  /** The image storage (Uint16Array for I;16). */
  out: Uint8Array | Uint16Array;
  /** Full image width in pixels (the row pitch of `out`). */
  canvasWidth: number;
  /** The rectangle this frame covers (the whole image, or an APNG frame's bbox). */
  x: number;
  y: number;
  width: number;
  height: number;
  /**
   * Output band order (imread's `order`; 8-bit modes of 3 or 4 bands): pixel band `c` is the
   * decoded band `order[c]`. With SIMD the permutation runs on each row in the kernel's
   * memory before the row is copied out; otherwise after the row is unpacked, in place.
   */
  order?: readonly number[];
}

export class RowSink {
  private readonly passes: Pass[];
  private readonly bpp: number;
  private readonly bands: number;
  private readonly unpack: Unpacker;
  /** Unfiltered rows are the output bytes: copy them in (SIMD) or unfilter in place (JS). */
  private readonly direct: boolean;
  /** `target.order` on the rows the SIMD kernel does not permute (see finishRow). */
  private readonly reorder: Reorder | undefined;
  /** The SIMD kernel's row slots, while this sink holds them. */
  private simd: SimdRows | undefined;
  private readonly outBytes: Uint8Array;
  private cur: Uint8Array;
  private prev: Uint8Array;
  private p = 0;
  private r = 0;
  private filled = -1; // -1: waiting for the filter-type byte
  private filter = 0;
  private destOff = 0;
  /** Rows completed so far, over all passes. */
  rowsDone = 0;
  readonly rowsTotal: number;
  /** The inflated (filtered) data's size: every row plus its filter-type byte. */
  readonly dataBytes: number;
  done = false;

  constructor(
    private readonly layout: PngLayout,
    private readonly target: SinkTarget,
    interlaced: boolean,
  ) {
    this.bpp = filterBpp(layout);
    this.bands = bandCount(layout.mode);
    const info = unpacker(layout.mode, layout.rawmode);
    if (info === undefined) throw new Error(`internal: no unpacker for ${layout.mode} ${layout.rawmode}`);
    this.unpack = info.unpack;
    const { width, height } = target;
    const geometry = interlaced ? ADAM7 : [[0, 0, 1, 1] as const];
    this.passes = geometry
      .map(([x0, y0, dx, dy]) => {
        const w = Math.ceil((width - x0) / dx);
        const h = Math.ceil((height - y0) / dy);
        return { x0, y0, dx, dy, w: Math.max(0, w), h: Math.max(0, h), rowLen: rowBytes(layout, Math.max(0, w)) };
      })
      .filter((p) => p.w > 0 && p.h > 0);
    this.rowsTotal = this.passes.reduce((a, p) => a + p.h, 0);
    this.dataBytes = this.passes.reduce((a, p) => a + p.h * (p.rowLen + 1), 0);
    this.outBytes = target.out instanceof Uint8Array ? target.out : new Uint8Array(0);
    const longest = Math.max(0, ...this.passes.map((p) => p.rowLen));
    if (implementation('unfilter') === 'simd' && longest >= SIMD_MIN_ROW) this.simd = acquireSimdRows(longest);
    const { order } = target;
    const direct = !interlaced && isIdentity(layout.mode, layout.rawmode) && target.out instanceof Uint8Array;
    // the JS kernels unfilter in place in the output, where a permuted row could not serve as
    // the next row's `prev`: with an order they take the scratch pair instead
    this.direct = direct && (order === undefined || this.simd !== undefined);
    if (order !== undefined) {
      if (!(target.out instanceof Uint8Array) || (this.bands !== 3 && this.bands !== 4) || order.length !== this.bands) {
        throw new Error(`internal: band order ${order.join(',')} for ${this.bands}-band ${target.out.constructor.name} rows`);
      }
      if (this.direct && this.simd !== undefined) this.simd.setOrder(this.bands, order);
      else this.reorder = reorderPixels(this.bands, order);
    }
    const scratch = this.direct || this.simd !== undefined ? 0 : longest;
    this.cur = new Uint8Array(scratch);
    this.prev = new Uint8Array(scratch);
    this.done = this.passes.length === 0;
    if (this.done) this.releaseSimd();
    this.startRow();
  }

  private startRow(): void {
    this.filled = -1;
    if (this.direct && !this.done) {
      const t = this.target;
      this.destOff = ((t.y + this.r) * t.canvasWidth + t.x) * this.bands;
    }
  }

  /** Feeds inflated bytes; returns how many were used (all, unless the image completed). */
  write(data: Uint8Array): number {
    let i = 0;
    const n = data.length;
    while (i < n && !this.done) {
      if (this.filled < 0) {
        this.filter = data[i++];
        this.filled = 0;
        continue;
      }
      const pass = this.passes[this.p];
      const take = Math.min(pass.rowLen - this.filled, n - i);
      const simd = this.simd;
      if (simd !== undefined) simd.mem.set(data.subarray(i, i + take), simd.raw + this.filled);
      else if (this.direct) this.outBytes.set(data.subarray(i, i + take), this.destOff + this.filled);
      else this.cur.set(data.subarray(i, i + take), this.filled);
      this.filled += take;
      i += take;
      if (this.filled === pass.rowLen) this.finishRow(pass);
    }
    return i;
  }

  /**
   * The input ended mid-row: in the JS direct path the row's raw bytes already sit in the
   * output, so clear them. Pillow writes whole rows only; missing rows stay 0.
   */
  abandonPartialRow(): void {
    if (this.direct && this.simd === undefined && !this.done && this.filled > 0) {
      this.outBytes.fill(0, this.destOff, this.destOff + this.filled);
    }
    this.filled = -1;
  }

  /** Returns the SIMD kernel's instance to the pool (also for a decode that stopped early). */
  releaseSimd(): void {
    this.simd?.release();
    this.simd = undefined;
  }

  private finishRow(pass: Pass): void {
    const where = (): string => `row ${this.r} of pass ${this.p}`;
    const simd = this.simd;
    if (simd !== undefined) {
      if (this.r === 0) simd.startPass();
      const o = simd.unfilter(this.filter, pass.rowLen, this.bpp, where);
      if (this.direct) {
        const from = this.target.order === undefined ? o : simd.permute(o, pass.rowLen);
        this.outBytes.set(simd.mem.subarray(from, from + pass.rowLen), this.destOff);
      } else {
        const t = this.target;
        const y = t.y + pass.y0 + this.r * pass.dy;
        const d = (y * t.canvasWidth + t.x + pass.x0) * this.bands;
        this.unpack(simd.mem, o, t.out, d, pass.w, pass.dx * this.bands);
        this.reorder?.(this.outBytes, d, pass.w, pass.dx * this.bands);
      }
    } else if (this.direct) {
      const pitch = this.target.canvasWidth * this.bands;
      const prev = this.r === 0 ? null : this.outBytes;
      unfilterRow(this.filter, this.outBytes, this.destOff, prev, this.destOff - pitch, pass.rowLen, this.bpp, where);
    } else {
      unfilterRow(this.filter, this.cur, 0, this.r === 0 ? null : this.prev, 0, pass.rowLen, this.bpp, where);
      const t = this.target;
      const y = t.y + pass.y0 + this.r * pass.dy;
      const d = (y * t.canvasWidth + t.x + pass.x0) * this.bands;
      this.unpack(this.cur, 0, t.out, d, pass.w, pass.dx * this.bands);
      this.reorder?.(this.outBytes, d, pass.w, pass.dx * this.bands);
      const swap = this.prev;
      this.prev = this.cur;
      this.cur = swap;
    }
    this.rowsDone++;
    this.r++;
    if (this.r === pass.h) {
      this.r = 0;
      this.p++;
      if (this.p === this.passes.length) {
        this.done = true;
        this.releaseSimd();
      }
    }
    this.startRow();
  }
}
