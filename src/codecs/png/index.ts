/**
 * PNG / APNG decoder in TypeScript over node:zlib's inflate (inflate.ts).
 *
 *  open():  the chunk reader walks the header chunks (IHDR, PLTE, tRNS, text, iCCP, acTL,
 *           fcTL...) and stops at the first image-data chunk, like Pillow's `_open`.
 *  load():  allocates the image once (from IHDR), then streams IDAT payloads into inflate
 *           (one reused output block) and the inflated bytes through RowSink straight into
 *           that allocation. Chunks after the image data (text, eXIf) are read into `info`,
 *           like Pillow's `load_end`.
 *  seek():  APNG frames, composited like Pillow (apng.ts).
 *
 * Errors follow Pillow: a broken header is "unidentified" at open; data that ends early is
 * "truncated" at load (or, with loadTruncated, the partial image with missing rows 0);
 * corrupt zlib data or a bad filter byte is a decode error.
 */
import { DecodeError, EndOfSequenceError, ImarrayError, TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import type { Codec, Decoding, Header, LoadOptions, OpenOptions } from '../codec.js';
import { pngWriter } from './write.js';
import type { Input } from '../../core/input.js';
import type { ImageInfo, Palette } from '../../core/types.js';
import { allocate, bandCount, type ArrayOf, type Mode } from '../../core/modes.js';
import { ChunkReader, BadChunkType, BadSignature, PNG_SIGNATURE, type ChunkHandler } from './chunks.js';
import { pngLayout, type PngLayout } from './layouts.js';
import { RowSink, type SinkTarget } from './scanlines.js';
import { createInflater } from './inflater.js';
import { readAncillary } from './info.js';
import { u16be as u16, u32be as u32 } from '../../core/bytes.js';
import {
  blendOver, cropRegion, pasteRegion, DISPOSE_BACKGROUND, DISPOSE_PREVIOUS, BLEND_OVER, type Box, type Storage,
} from '../shared/canvas.js';

interface FrameControl {
  bbox: Box;
  disposal: number;
  blend: number;
}

/** What the header phase learned; restored on rewind (seek back to frame 0). */
interface HeaderState {
  info: ImageInfo;
  seq: number | null;
  frame: FrameControl | null;
}

class PngDecoding implements Decoding {
  header!: Header;
  private layout!: PngLayout; // set by IHDR (chunks before it see undefined)
  private width = 0;
  /** The first frame whose fcTL box is empty (it and every later frame fail to load). */
  private emptyFrame: number | undefined;
  private height = 0;
  private interlaced = false;
  private palette: Palette | undefined;
  private animated = false;
  private acFrames = 1;
  private defaultImage = false;
  /** IEND came before any image data (Pillow: "cannot load this image" at load). */
  private noData = false;
  /** Which frame the canvas holds decoded pixels of (-1: none yet). */
  private loadedFrame = -1;
  /** Absolute offset of the next chunk header to read. */
  private pos = 0;
  private firstDataPos = 0;
  private rewindState!: HeaderState;
  private info: ImageInfo = {};
  private seq: number | null = null;
  private frameCtl: FrameControl | null = null;
  private frameIndex = 0;
  // APNG composition state. Pillow keeps a full copy `_prev_im` of the canvas before each
  // frame, but reads it only inside that frame's bbox (PREVIOUS disposal, OVER blending), so
  // `under` holds just that region.
  private canvas: Storage | null = null;
  private under: Storage | null = null;
  private dispose: { box: Box; region: Storage | null } | null = null;

  constructor(
    private readonly input: Input,
    private readonly options: Required<OpenOptions>,
    private readonly name: string,
  ) {}

  /** Pillow's split: header faults are "unidentified" at open, decode errors later. */
  private fail(e: unknown, phase: 'open' | 'load'): never {
    if (e instanceof ImarrayError) throw e;
    if (e instanceof BadSignature) throw new UnidentifiedImageError(`cannot identify image file ${this.name}: not a PNG file`);
    const msg = e instanceof Error ? e.message : String(e);
    if (phase === 'open') throw new UnidentifiedImageError(`cannot identify image file ${this.name}: ${msg}`, { cause: e });
    throw new DecodeError(`broken PNG file ${this.name}: ${msg}`, { cause: e });
  }

  // ---- header phase -------------------------------------------------------------------

  async open(): Promise<this> {
    const reader = new ChunkReader(true, 0);
    let sawIhdr = false;
    let stoppedAt = '';
    const handler: ChunkHandler = {
      header: (type) => {
        // Pillow reads any chunk before IHDR (text, gamma... land in info; PLTE and tRNS are
        // ignored without a mode); image data or frame control before it is unidentified
        if (!sawIhdr && (type === 'IDAT' || type === 'fdAT' || type === 'IEND' || type === 'fcTL')) throw new Error(`chunk ${type} before IHDR`);
        if (type === 'IDAT' || type === 'fdAT' || type === 'IEND') {
          stoppedAt = type;
          return false;
        }
        return true;
      },
      chunk: (type, data, crcOk, offset) => {
        const ancillary = (type.charCodeAt(0) & 0x20) !== 0;
        if (!crcOk && !(this.options.loadTruncated && ancillary)) {
          throw new Error(`broken PNG file (bad header checksum in ${type} at offset ${offset})`);
        }
        if (type === 'IHDR') {
          this.readIhdr(data);
          sawIhdr = true;
        } else {
          this.readHeaderChunk(type, data);
        }
      },
      sequence: () => undefined,
      data: () => undefined,
    };
    try {
      let complete = false;
      for await (const block of this.input.blocks(0)) {
        reader.feed(block, handler);
        if (reader.stopped) {
          complete = true;
          break;
        }
      }
      if (!complete) {
        // Input ended inside the header: inside a chunk body -> truncated (Pillow's
        // "Truncated File Read"); between chunks -> no more chunks, unidentified.
        if (reader.inChunk && reader.partialLength > 0 && !this.options.loadTruncated) {
          throw new TruncatedImageError(`Truncated File Read: ${this.name}: chunk ${reader.current} ends at offset ${reader.pos}`);
        }
        throw new UnidentifiedImageError(`cannot identify image file ${this.name}: file ends at offset ${reader.pos} before any image data`);
      }
    } catch (e) {
      this.fail(e, 'open');
    }
    this.firstDataPos = reader.pos;
    this.pos = reader.pos;
    if (stoppedAt === 'IDAT' && this.animated && this.frameCtl === null) {
      this.defaultImage = true;
      this.info.default_image = true;
    }
    this.rewindState = { info: { ...this.info }, seq: this.seq, frame: this.frameCtl };
    this.noData = stoppedAt === 'IEND';
    this.header = {
      format: 'PNG',
      mode: this.layout.mode,
      width: this.width,
      height: this.height,
      info: this.info,
      nFrames: this.animated ? this.acFrames + (this.defaultImage ? 1 : 0) : 1,
      ...(this.palette ? { palette: this.palette } : {}),
    };
    return this;
  }

  private readIhdr(s: Uint8Array): void {
    this.width = u32(s, 0);
    this.height = u32(s, 4);
    if (s.length < 13) throw new RangeError('short IHDR');
    const layout = pngLayout(s[8], s[9]);
    if (layout === undefined) throw new Error(`unsupported bit depth ${s[8]} / colour type ${s[9]} in IHDR`);
    if (s[11] !== 0) throw new Error(`unknown filter category ${s[11]}`);
    if (this.width > 0x7fffffff || this.height > 0x7fffffff) throw new Error(`bad IHDR size ${this.width}x${this.height}`);
    // Pillow's ImageFile refuses an empty image at open ("not identified by this driver")
    if (this.width === 0 || this.height === 0) throw new Error(`empty image size ${this.width}x${this.height} in IHDR`);
    this.layout = layout;
    if (s[12] !== 0) {
      this.interlaced = true;
      this.info.interlace = 1;
    }
  }

  /** Chunks met before image data (open) or between frames (seek). */
  private readHeaderChunk(type: string, s: Uint8Array): void {
    switch (type) {
      case 'PLTE':
        if ((this.layout as PngLayout | undefined)?.mode === 'P') this.palette = { mode: 'RGB', colors: s };
        return;
      case 'acTL': {
        if (this.animated) {
          this.animated = false;
          process.emitWarning('Invalid APNG, will use default PNG image if possible');
          return;
        }
        const n = u32(s, 0);
        if (n === 0 || n > 0x80000000) {
          process.emitWarning('Invalid APNG, will use default PNG image if possible');
          return;
        }
        this.animated = true;
        this.acFrames = n;
        this.info.loop = u32(s, 4);
        return;
      }
      case 'fcTL':
        this.readFcTL(s);
        return;
      default:
        readAncillary(type, s, this.info, (this.layout as PngLayout | undefined)?.mode);
    }
  }

  private readFcTL(s: Uint8Array): void {
    const seq = u32(s, 0);
    if ((this.seq === null && seq !== 0) || (this.seq !== null && seq !== this.seq + 1)) {
      throw new Error(`APNG contains frame sequence errors (fcTL sequence ${seq})`);
    }
    this.seq = seq;
    const w = u32(s, 4);
    const h = u32(s, 8);
    const px = u32(s, 12);
    const py = u32(s, 16);
    if (px + w > this.width || py + h > this.height) throw new Error(`APNG contains invalid frames (fcTL ${w}x${h}+${px}+${py})`);
    const bbox: Box = [px, py, px + w, py + h];
    this.info.bbox = [...bbox];
    const num = u16(s, 20);
    let den = u16(s, 22);
    if (den === 0) den = 100;
    this.info.duration = (num / den) * 1000;
    if (s.length < 26) throw new RangeError('short fcTL');
    this.info.disposal = s[24];
    this.info.blend = s[25];
    this.frameCtl = { bbox, disposal: s[24], blend: s[25] };
  }

  // ---- image data -------------------------------------------------------------------

  /**
   * Streams the data chunks (`kind`) at `this.pos` through inflate into `target`, then reads
   * the chunks after them into `info` up to IEND (or the next fcTL of an APNG).
   */
  private async decodeData(kind: 'IDAT' | 'fdAT', target: SinkTarget): Promise<void> {
    const sink = new RowSink(this.layout, target, this.interlaced);
    const reader = new ChunkReader(false, this.pos);
    let dataOver = false;
    let pending: Uint8Array[] = [];
    let failure: unknown = null;
    const handler: ChunkHandler = {
      header: (type) => {
        if (!dataOver && type === kind) return true;
        dataOver = true;
        if (type === 'IEND') return false;
        if (type === 'fcTL' && this.animated) return false;
        return true;
      },
      chunk: (type, data) => {
        // load_end: chunks after the image data; CRCs are not checked here (as Pillow)
        if (type === 'fcTL' || type === 'acTL' || type === 'PLTE' || type === 'IHDR') return;
        try {
          readAncillary(type, data, this.info, this.layout.mode);
        } catch (e) {
          if (!(e instanceof RangeError)) throw e;
        }
      },
      sequence: (seq) => {
        if (this.seq === null || seq !== this.seq + 1) throw new DecodeError(`APNG contains frame sequence errors (fdAT sequence ${seq})`);
        this.seq = seq;
      },
      data: (piece) => {
        if (!dataOver) pending.push(piece);
      },
    };

    const inflater = createInflater((data) => {
      sink.write(data);
      return !sink.done;
    }, sink.dataBytes);
    try {
      for await (const block of this.input.blocks(this.pos, 256 * 1024)) {
        reader.feed(block, handler);
        for (const piece of pending) {
          if (sink.done || inflater.failure !== null) break;
          await inflater.push(piece);
        }
        pending = [];
        await inflater.flush();
        if (!this.animated) this.input.release(reader.pos);
        if (reader.stopped) break;
      }
    } catch (e) {
      // garbage where a chunk header should be reads as the end of the file (Pillow's
      // load_read/load_end stop there); anything else is the failure to report
      if (!(e instanceof BadChunkType)) {
        failure = e;
        inflater.stop(); // zlib may never emit another event (fuzz find)
      }
    }
    await inflater.finish();
    sink.releaseSimd(); // no more rows: the kernel instance can serve the next decode
    failure = inflater.failure ?? failure; // the inflater's (or the unfilter's) came first
    this.pos = reader.stopped ? reader.pos : Number.POSITIVE_INFINITY;

    if (sink.done) return;
    sink.abandonPartialRow();
    if (this.options.loadTruncated) return; // Pillow LOAD_TRUNCATED_IMAGES: keep what we have, rest 0
    const rows = `${sink.rowsDone} of ${sink.rowsTotal} rows decoded`;
    if (failure instanceof ImarrayError) throw failure;
    if (failure !== null && (failure as { code?: string }).code !== 'Z_BUF_ERROR') {
      const msg = failure instanceof Error ? failure.message : JSON.stringify(failure);
      throw new DecodeError(`broken data stream when reading image file ${this.name}: ${msg} (${rows})`, { cause: failure });
    }
    // input ended, the IDAT run ended, or the zlib stream ended, before the last row
    throw new TruncatedImageError(`image file is truncated: ${this.name} (${rows})`);
  }

  /** Whether `load` can apply a band order (imread's `order`): a still 8-bit RGB or RGBA image. */
  get reorders(): boolean {
    return !this.animated && (this.layout.mode === 'RGB' || this.layout.mode === 'RGBA');
  }

  async load({ into, order }: LoadOptions = {}): Promise<ArrayOf<Mode>> {
    if (order !== undefined && !this.reorders) throw new Error(`internal: band order for a ${this.layout.mode}${this.animated ? ' animated' : ''} PNG`);
    if (this.noData && this.frameIndex === 0) {
      throw new DecodeError(`cannot load this image: ${this.name} has no image data (IDAT) before IEND`);
    }
    const mode = this.layout.mode;
    this.loadedFrame = this.frameIndex;
    if (this.frameIndex === 0) {
      this.canvas = (into ?? allocate(mode, this.width, this.height)) as Storage;
      const box: Box = this.frameCtl?.bbox ?? [0, 0, this.width, this.height];
      this.setupDispose(box);
      const target = this.target(this.canvas, this.defaultImage ? [0, 0, this.width, this.height] : box);
      if (order !== undefined) target.order = order;
      await this.decodeData('IDAT', target);
      return this.canvas;
    }
    const canvas = this.canvas as Storage;
    const ctl = this.frameCtl as FrameControl;
    await this.decodeData('fdAT', this.target(canvas, ctl.bbox));
    if (ctl.blend === BLEND_OVER && this.under !== null) blendOver(canvas, this.under, this.width, mode, this.info, ctl.bbox);
    return canvas;
  }

  private target(out: Storage, box: Box): SinkTarget {
    if (this.emptyFrame !== undefined && this.frameIndex > this.emptyFrame) {
      throw new DecodeError(`${this.name}: frame ${this.frameIndex} follows the empty frame ${this.emptyFrame}, which could not be loaded`);
    }
    if (box[2] <= box[0] || box[3] <= box[1]) {
      // Pillow's decoder setup refuses an empty tile (ValueError); the frames after it cannot
      // be composited either, so every later load fails the same way, as in Pillow
      this.emptyFrame ??= this.frameIndex;
      throw new DecodeError(`tile cannot extend outside image: ${this.name} frame ${this.frameIndex} is ${box[2] - box[0]}x${box[3] - box[1]}`);
    }
    return { out, canvasWidth: this.width, x: box[0], y: box[1], width: box[2] - box[0], height: box[3] - box[1] };
  }

  /**
   * Pillow: dispose op of the frame just sought to, applied when leaving it. Frame 0 has no
   * previous canvas, so PREVIOUS means BACKGROUND there.
   */
  private setupDispose(box: Box): void {
    const ctl = this.frameCtl;
    const op = ctl === null ? null : this.frameIndex === 0 && ctl.disposal === DISPOSE_PREVIOUS ? DISPOSE_BACKGROUND : ctl.disposal;
    if (op === DISPOSE_PREVIOUS) this.dispose = { box, region: this.under };
    else if (op === DISPOSE_BACKGROUND) this.dispose = { box, region: null };
    else this.dispose = null;
  }

  async seek(index: number): Promise<Header> {
    if (index < this.frameIndex) this.rewind();
    while (this.frameIndex < index) await this.nextFrame();
    return { ...this.header, info: this.info };
  }

  /** Back to frame 0 (Pillow `_seek(0, rewind=True)`): the next load re-reads from the first IDAT. */
  private rewind(): void {
    this.pos = this.firstDataPos;
    this.info = { ...this.rewindState.info };
    this.seq = this.rewindState.seq;
    this.frameCtl = this.rewindState.frame;
    this.frameIndex = 0;
    this.canvas = null;
    this.under = null;
    this.dispose = null;
  }

  private async nextFrame(): Promise<void> {
    const mode = this.layout.mode;
    const bands = bandCount(mode);
    if (this.canvas === null || this.loadedFrame !== this.frameIndex) {
      await this.load();
    }
    // The next frame draws on a copy: arrays taken from this frame must not change.
    const next = (this.canvas as Storage).slice();
    if (this.dispose !== null) pasteRegion(next, this.width, bands, this.dispose.box, this.dispose.region);
    // read up to the next frame's first fdAT
    const reader = new ChunkReader(false, this.pos);
    let found = false;
    let ended = false;
    const handler: ChunkHandler = {
      header: (type) => {
        if (type === 'fdAT') {
          found = true;
          return false;
        }
        if (type === 'IEND') {
          ended = true;
          return false;
        }
        return true;
      },
      chunk: (type, data) => {
        if (type === 'fcTL') this.readFcTL(data);
        else if (type !== 'IDAT') readAncillary(type, data, this.info, mode);
      },
      sequence: () => undefined,
      data: () => undefined,
    };
    try {
      for await (const block of this.input.blocks(this.pos, 256 * 1024)) {
        reader.feed(block, handler);
        if (reader.stopped) break;
      }
    } catch (e) {
      this.fail(e, 'load');
    }
    if (!found) {
      throw new EndOfSequenceError(ended ? 'no more images in APNG file' : `no more images in APNG file ${this.name} (data ends)`);
    }
    this.pos = reader.pos;
    this.frameIndex++;
    this.canvas = next;
    const ctl = this.frameCtl as FrameControl;
    const needsUnder = ctl.blend === BLEND_OVER || ctl.disposal === DISPOSE_PREVIOUS;
    this.under = needsUnder ? cropRegion(next, this.width, bands, ctl.bbox) : null;
    this.setupDispose(ctl.bbox);
  }

  close(): Promise<void> {
    return this.input.close();
  }
}

export const pngCodec = {
  format: 'PNG',
  description: 'Portable Network Graphics and APNG (imarray\'s own streaming decoder)',
  extensions: ['.png', '.apng'],
  mimeTypes: ['image/png', 'image/apng'],
  modes: ['1', 'L', 'LA', 'P', 'RGB', 'RGBA', 'I;16'],
  writer: { name: 'png' as const, writer: pngWriter },
  fuzz: {
    cases: 3000,
    minSeeds: 150,
    truncation: ['basn0g01', 'basn0g16', 'basn2c08', 'basn3p04', 'basn4a08', 'basn6a16', 'basi0g08', 'basi3p02', 'basi6a08', 'ct1n0g04', 'tbbn3p08'].map((n) => `png/pngsuite/${n}.png`),
    cuts: 4000,
  },
  accept: (p) => PNG_SIGNATURE.every((b, i) => p[i] === b),
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const d = await new PngDecoding(input, options, name).open();
    return {
      header: d.header,
      reorders: d.reorders,
      load: (options) => d.load(options),
      seek: (i: number) => d.seek(i),
      close: () => d.close(),
    };
  },
} satisfies Codec;
