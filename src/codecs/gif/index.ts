/**
 * GIF, still and animated, as Pillow 12's GifImagePlugin gives it with its default loading
 * strategy (RGB_AFTER_FIRST): frame 0 is `P` (palette indices; `info.transparency` the index)
 * or `L` when there is no palette or it is the identity grey ramp; from frame 1 on the canvas is
 * `RGB`, or `RGBA` when frame 0 had transparency, each frame composited over the previous one
 * after its disposal (background, previous, the transparent colour with alpha 0). Frames larger
 * than the screen grow the image (Pillow >= 11). LZW is codecs/shared/lzw.ts.
 */
import { DecodeError, TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import type { Input } from '../../core/input.js';
import { checkDecompressionBomb } from '../../core/limits.js';
import ndarray from 'ndarray';
import type { Box, ImageInfo, Raster } from '../../core/types.js';
import { convert, paletteEntries } from '../../pixels/convert/index.js';
import { cropRegion, fillRegion, pasteRegion } from '../shared/canvas.js';
import type { Codec, Decoding, Header, LoadOptions, OpenOptions } from '../codec.js';
import { lzwDecode } from '../shared/lzw.js';
import { frameData, parseFrame, parseScreen, type GifFrame, type GifScreen } from './parse.js';

type CanvasMode = 'P' | 'L' | 'RGB' | 'RGBA';
const BANDS: Record<CanvasMode, number> = { P: 1, L: 1, RGB: 3, RGBA: 4 };

/** A packed region (Pillow's dispose image): its mode and pixels. */
interface Region { mode: CanvasMode; box: Box; data: Uint8Array }

/** Pillow's 256 RGBA entries of a P image with this palette (then a grey ramp), as convert uses them. */
const table = (palette: Uint8Array | false | undefined): Uint8Array => paletteEntries(palette ? { mode: 'RGB', colors: palette } : undefined);

/**
 * Copies a region into a canvas as Pillow's core paste does: equal pixel sizes copy as they are
 * (RGB onto RGBA gets alpha 255, RGBA onto RGB drops it, one band onto three or four is grey).
 */
function pasteInto(canvas: Uint8Array, width: number, mode: CanvasMode, r: Region): void {
  const cb = BANDS[mode];
  const rb = BANDS[r.mode];
  if (cb === rb) {
    pasteRegion(canvas, width, cb, r.box, r.data);
    return;
  }
  const [x0, y0, x1, y1] = r.box;
  for (let y = y0, i = 0; y < y1; y++) {
    for (let x = x0; x < x1; x++, i += rb) {
      const o = (y * width + x) * cb;
      const grey = rb === 1;
      canvas[o] = r.data[i];
      canvas[o + 1] = r.data[grey ? i : i + 1];
      canvas[o + 2] = r.data[grey ? i : i + 2];
      if (cb === 4) canvas[o + 3] = rb === 4 ? r.data[i + 3] : 255;
    }
  }
}

/** A `mode` region of `box`'s size filled with one pixel value (Pillow's `Image.core.fill`). */
function filled(mode: CanvasMode, box: Box, value: readonly number[]): Region {
  const w = box[2] - box[0];
  const h = box[3] - box[1];
  const data = new Uint8Array(w * h * BANDS[mode]);
  fillRegion(data, w, BANDS[mode], [0, 0, w, h], value);
  return { mode, box, data };
}

/** A canvas of `w` x `h` with `old` (of `ow` x `oh`) pasted at (0, 0) and `fill` elsewhere. */
function expand(old: Uint8Array, ow: number, oh: number, w: number, h: number, bands: number, fill: readonly number[]): Uint8Array {
  const out = new Uint8Array(w * h * bands);
  for (let i = 0; i < out.length; i += bands) for (let c = 0; c < bands; c++) out[i + c] = fill[c];
  for (let y = 0; y < Math.min(oh, h); y++) out.set(old.subarray(y * ow * bands, (y * ow + Math.min(ow, w)) * bands), y * w * bands);
  return out;
}

class GifDecoding {
  private readonly screen: GifScreen;
  private readonly frames: GifFrame[] = [];
  private index = 0;
  private width: number;
  private height: number;
  private mode: CanvasMode = 'P';
  private info: ImageInfo = {};
  /** The current frame's image once loaded, else the previous frame's (what the next frame draws on). */
  private canvas: Uint8Array | undefined;
  private canvasSize: [number, number] = [0, 0];
  private canvasMode: CanvasMode = 'P';
  private loaded = -1;
  private disposalMethod = 0;
  private dispose: Region | undefined;
  private framePalette: Uint8Array | false | undefined;
  private palette0: Uint8Array | undefined;
  header!: Header;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly options: Required<OpenOptions>,
    private readonly name: string,
  ) {
    this.screen = parseScreen(bytes, name);
    this.width = this.screen.width;
    this.height = this.screen.height;
    for (let p = this.screen.start, first = true; ; first = false) {
      const f = parseFrame(bytes, p, first);
      if (f === undefined) break;
      this.frames.push(f.frame);
      p = f.next;
    }
    if (this.frames.length === 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: no image in the GIF file`);
    this.prepare(0);
  }

  private makeHeader(): Header {
    const h: Header = { format: 'GIF', mode: this.mode, width: this.width, height: this.height, info: { ...this.info }, nFrames: this.frames.length };
    if (this.index === 0 && this.mode === 'P' && this.palette0 !== undefined) h.palette = { mode: 'RGB', colors: this.palette0 };
    return h;
  }

  /** Pillow's `_seek(index)`: the frame's size, mode change, disposal and info; pixels come at load. */
  private prepare(index: number): void {
    const fr = this.frames[index];
    if (index === 0) {
      this.info = { version: this.screen.version };
      if (this.screen.background !== undefined) this.info.background = this.screen.background;
      if (fr.loop !== undefined) this.info.loop = fr.loop;
      this.disposalMethod = 0;
      this.dispose = undefined;
      this.width = this.screen.width;
      this.height = this.screen.height;
    }
    const grows = fr.box[2] > this.width || fr.box[3] > this.height;
    if (grows) {
      this.width = Math.max(fr.box[2], this.width);
      this.height = Math.max(fr.box[3], this.height);
      checkDecompressionBomb(this.width, this.height, this.options.maxImagePixels);
    }
    if (this.dispose !== undefined && this.canvas !== undefined) pasteInto(this.canvas, this.canvasSize[0], this.canvasMode, this.dispose);
    this.framePalette = fr.palette !== undefined ? fr.palette : this.screen.palette;
    if (index === 0) {
      this.mode = this.framePalette ? 'P' : 'L';
      this.palette0 = this.framePalette ? this.framePalette : undefined;
    } else if (this.mode === 'P' && this.canvas !== undefined) {
      const t = this.info.transparency;
      this.mode = typeof t === 'number' ? 'RGBA' : 'RGB';
      // Pillow: putpalettealpha(t, 0) and convert, i.e. convert('RGBA') with the transparency
      const [w, h] = this.canvasSize;
      const p: Raster<'P'> = { mode: 'P', width: w, height: h, info: typeof t === 'number' ? { transparency: t } : {}, palette: this.palette0 && { mode: 'RGB', colors: this.palette0 }, pixels: ndarray(this.canvas, [h, w]) };
      this.canvas = convert(p, this.mode).pixels.data;
      this.canvasMode = this.mode;
      delete this.info.transparency;
    }
    if (fr.disposal !== 0) this.disposalMethod = fr.disposal;
    this.dispose = this.disposeRegion(fr, index);
    // a frame that grows the image makes a new RGBA canvas (transparent) or RGB one (load_end)
    if (index > 0 && grows && (this.mode === 'RGB' || this.mode === 'RGBA')) this.mode = fr.transparency !== undefined ? 'RGBA' : 'RGB';
    if (index === 0 && fr.transparency !== undefined) this.info.transparency = fr.transparency;
    if (fr.comment !== undefined) this.info.comment = fr.comment;
    if (fr.duration !== undefined) this.info.duration = fr.duration;
    else delete this.info.duration;
    if (fr.extension !== undefined) this.info.extension = fr.extension;
    else delete this.info.extension;
    this.index = index;
    this.header = this.makeHeader();
  }

  /** RGB of a colour index for disposal fills: the frame's palette, else grey. */
  private rgb(color: number): number[] {
    const p = this.framePalette;
    if (!p) return [color, color, color];
    const c = color * 3 + 3 > p.length ? 0 : color;
    return [p[c * 3], p[c * 3 + 1], p[c * 3 + 2]];
  }

  private disposeRegion(fr: GifFrame, index: number): Region | undefined {
    const box: Box = fr.box;
    const rgbCanvas = this.mode === 'RGB' || this.mode === 'RGBA';
    if (this.disposalMethod === 2) {
      checkDecompressionBomb(box[2] - box[0], box[3] - box[1], this.options.maxImagePixels);
      const t = typeof this.info.transparency === 'number' ? this.info.transparency : fr.transparency;
      if (t !== undefined) return rgbCanvas ? filled('RGBA', box, [...this.rgb(t), 0]) : filled('P', box, [t]);
      const bg = typeof this.info.background === 'number' ? this.info.background : 0;
      return rgbCanvas ? filled('RGB', box, this.rgb(bg)) : filled('P', box, [bg]);
    }
    if (this.disposalMethod === 3) {
      if (index > 0 && this.canvas !== undefined) return { mode: this.canvasMode, box, data: cropRegion(this.canvas, this.canvasSize[0], BANDS[this.canvasMode], box) as Uint8Array };
      if (fr.transparency !== undefined) {
        checkDecompressionBomb(box[2] - box[0], box[3] - box[1], this.options.maxImagePixels);
        return rgbCanvas ? filled('RGBA', box, [...this.rgb(fr.transparency), 0]) : filled('P', box, [fr.transparency]);
      }
    }
    return undefined;
  }

  /** Decodes frame `fr` into the 1-byte canvas `dest` (width `w`), skipping index `skip` (-1: none). */
  private decodeFrame(fr: GifFrame, dest: Uint8Array, w: number, skip: number): void {
    const [x0, y0, x1, y1] = fr.box;
    const fw = x1 - x0;
    const fh = y1 - y0;
    if (fw <= 0 || fh <= 0) return;
    const direct = !fr.interlace && skip < 0 && x0 === 0 && fw === w;
    const rows = direct ? dest.subarray(y0 * w, y1 * w) : new Uint8Array(fw * fh);
    const r = lzwDecode(frameData(this.bytes, fr.dataOffset), rows, 0, { minBits: fr.minCodeSize });
    if (r.broken) throw new DecodeError(`broken data stream when reading image file ${this.name} (frame ${this.index}: bad LZW code)`);
    if (r.written < rows.length && !this.options.loadTruncated) {
      throw new TruncatedImageError(`image file is truncated: ${this.name} (frame ${this.index}: ${r.written} of ${rows.length} pixels)`);
    }
    if (direct) return;
    const order: number[] = [];
    if (fr.interlace) for (const [start, step] of [[0, 8], [4, 8], [2, 4], [1, 2]]) for (let y = start; y < fh; y += step) order.push(y);
    else for (let y = 0; y < fh; y++) order.push(y);
    const full = Math.floor(r.written / fw) + (r.written % fw === 0 ? 0 : 1);
    for (let k = 0; k < Math.min(order.length, full); k++) {
      const src = rows.subarray(k * fw, (k + 1) * fw);
      const d = (y0 + order[k]) * w + x0;
      if (skip < 0) dest.set(src, d);
      else for (let x = 0; x < fw; x++) if (src[x] !== skip) dest[d + x] = src[x];
    }
  }

  load({ into }: LoadOptions = {}): Uint8Array {
    const fr = this.frames[this.index];
    const { width: w, height: h } = this;
    if (this.index === 0) {
      const out = into instanceof Uint8Array && into.length === w * h ? into : new Uint8Array(w * h);
      if (fr.transparency !== undefined) out.fill(fr.transparency);
      this.decodeFrame(fr, out, w, -1);
      return this.finish(out);
    }
    const prev = this.canvas as Uint8Array;
    const [pw, ph] = this.canvasSize;
    if (this.mode === 'L' || this.mode === 'P') {
      const next = pw === w && ph === h ? prev.slice() : expand(prev, pw, ph, w, h, 1, [0]);
      this.decodeFrame(fr, next, w, fr.transparency ?? -1);
      return this.finish(next);
    }
    // RGB / RGBA: the frame decodes into a temporary P (or L) canvas, then is pasted over the previous one
    const temp = new Uint8Array(w * h);
    if (this.framePalette) temp.fill(fr.transparency ?? 0);
    this.decodeFrame(fr, temp, w, -1);
    const entries = table(this.framePalette);
    const mode = this.mode;
    const bands = BANDS[mode];
    const same = this.canvasMode === mode ? prev : this.canvasAs(prev, pw, ph, mode);
    const base = pw === w && ph === h ? (same === prev ? prev.slice() : same) : expand(same, pw, ph, w, h, bands, mode === 'RGBA' ? [0, 0, 0, 0] : [entries[0], entries[1], entries[2]]);
    const t = fr.transparency;
    const [x0, y0, x1, y1] = fr.box;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const v = temp[y * w + x];
        if (t !== undefined && v === t) continue; // alpha 0 in the mask: the canvas shows through
        const o = (y * w + x) * bands;
        base[o] = entries[v * 4];
        base[o + 1] = entries[v * 4 + 1];
        base[o + 2] = entries[v * 4 + 2];
        if (bands === 4) base[o + 3] = 255;
      }
    }
    return this.finish(base);
  }

  /** The previous canvas (`canvasMode`, `w` x `h`) in `mode`: RGBA drops its alpha, RGB gains alpha 255 (Pillow's convert). */
  private canvasAs(prev: Uint8Array, w: number, h: number, mode: 'RGB' | 'RGBA'): Uint8Array {
    const from = this.canvasMode as 'RGB' | 'RGBA';
    const r: Raster<'RGB' | 'RGBA'> = { mode: from, width: w, height: h, info: {}, palette: undefined, pixels: ndarray(prev, [h, w, BANDS[from]]) };
    return convert(r, mode).pixels.data;
  }

  private finish(out: Uint8Array): Uint8Array {
    this.canvas = out;
    this.canvasMode = this.mode;
    this.canvasSize = [this.width, this.height];
    this.loaded = this.index;
    return out;
  }

  seek(index: number): Header {
    if (index < this.index) {
      this.canvas = undefined;
      this.loaded = -1;
      this.prepare(0);
    }
    while (this.index < index) {
      if (this.loaded !== this.index) this.load();
      this.prepare(this.index + 1);
    }
    return this.header;
  }
}

export const gifCodec = {
  format: 'GIF',
  description: 'Graphics Interchange Format, still and animated',
  extensions: ['.gif'],
  mimeTypes: ['image/gif'],
  modes: ['P', 'L', 'RGB', 'RGBA'],
  fuzz: {
    cases: 800,
    minSeeds: 30,
    // screen size, flags, background; the first descriptor's box and flags where there is no global table
    fields: [{ at: 6, bytes: 2, littleEndian: true }, { at: 8, bytes: 2, littleEndian: true }, { at: 10, bytes: 1 }, { at: 11, bytes: 1 }, { at: 14, bytes: 2, littleEndian: true }, { at: 16, bytes: 2, littleEndian: true }, { at: 18, bytes: 2, littleEndian: true }, { at: 20, bytes: 2, littleEndian: true }, { at: 22, bytes: 1 }, { at: 23, bytes: 1 }], truncation: ['gif/hopper.gif', 'gif/dispose_bgnd.gif', 'gif/gif_anim_trns.gif'], cuts: 400 },
  accept: (p) => p.length >= 6 && p[0] === 0x47 && p[1] === 0x49 && p[2] === 0x46 && p[3] === 0x38 && (p[4] === 0x37 || p[4] === 0x39) && p[5] === 0x61,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const d = new GifDecoding(await input.bytes(), options, name);
    await input.close(); // the frames are indexed in memory
    return {
      get header() {
        return d.header;
      },
      load: (o) => Promise.resolve(d.load(o)),
      seek: (i) => Promise.resolve(d.seek(i)),
      close: () => Promise.resolve(),
    };
  },
} satisfies Codec;

