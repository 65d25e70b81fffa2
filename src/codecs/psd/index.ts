/**
 * PSD, Adobe Photoshop (Pillow 12's PsdImagePlugin): the merged composite image at open, in
 * Pillow's modes (`1`, `L`, `P` with the colour-mode palette, `RGB`, `RGBA` with 4 channels,
 * `CMYK`), planar channels raw or PackBits; layers as Pillow gives them: frames 1..n
 * (`firstFrame` 1, the composite showing until another frame is sought), each on the full
 * canvas in the layer's mode, its channels read where Pillow's `_layerinfo` points (offsets
 * within the layer block, read as file offsets), zeros outside the layer's box.
 */
import { DecodeError, TruncatedImageError, UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import { i16be as i16, i32be, u16be, u32be } from '../../core/bytes.js';
import type { Input } from '../../core/input.js';
import { allocate, bandCount, type ArrayOf, type Mode } from '../../core/modes.js';
import type { ImageInfo, Palette } from '../../core/types.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { unpackBitsRows } from '../shared/rle.js';
import { unpacker } from '../../pixels/unpack.js';

const bitRow = unpacker('1', '1')!.unpack;

const MODES: Readonly<Record<string, [Mode, number]>> = {
  '0 1': ['1', 1], '0 8': ['L', 1], '1 8': ['L', 1], '2 8': ['P', 1], '3 8': ['RGB', 3], '4 8': ['CMYK', 4], '7 8': ['L', 1], '8 8': ['L', 1],
};


/** One channel's pixels of a layer: where Pillow's `_maketile` says they are. */
interface LayerTile {
  readonly compression: 0 | 1;
  /** Offset Pillow reads at: relative to the layer block, used as a file offset (as Pillow does). */
  readonly offset: number;
  /** Band written: 0-3 of the layer's mode. */
  readonly band: number;
}

/** A layer as Pillow's `PsdImageFile.layers` lists it. */
interface Layer {
  readonly name: string;
  /** `L`, `RGB`, `RGBA`, or '' where Pillow finds no mode for the channels. */
  readonly mode: '' | 'L' | 'RGB' | 'RGBA';
  /** (x0, y0, x1, y1) on the canvas. */
  readonly bbox: readonly [number, number, number, number];
  readonly tiles: readonly LayerTile[];
}

/**
 * Pillow's `_layerinfo`, step for step over the layer block (`blk`, a `BytesIO` in Pillow):
 * layer records with at most 4 channels (others are skipped, their channel data not), the
 * mode from the sorted channel letters, then each layer's channel tiles read in the order of
 * its mode's bands. Reads past the block are TruncatedImageErrors; seeks clamp as BytesIO's do.
 */
function layerInfo(blk: Uint8Array, name: string): Layer[] {
  let p = 0;
  const need = (n: number): number => {
    if (n < 0 || p + n > blk.length) throw new TruncatedImageError(`Truncated File Read: ${name}: layer block of ${blk.length} bytes ends before offset ${p + n}`);
    const at = p;
    p += n;
    return at;
  };
  const seekBy = (n: number): void => {
    p = Math.max(0, p + n);
  };
  const ct = Math.abs(i16(blk, need(2)));
  if (blk.length < ct * 20) throw new UnidentifiedImageError(`cannot identify image file ${name}: Layer block too short for number of layers requested`);
  const records: { name: string; mode: Layer['mode']; bbox: Layer['bbox'] }[] = [];
  for (let k = 0; k < ct; k++) {
    const y0 = i32be(blk, need(4));
    const x0 = i32be(blk, need(4));
    const y1 = i32be(blk, need(4));
    const x1 = i32be(blk, need(4));
    const types = u16be(blk, need(2));
    if (types > 4) {
      seekBy(types * 6 + 12);
      seekBy(u32be(blk, need(4)));
      continue;
    }
    const bands: string[] = [];
    for (let c = 0; c < types; c++) {
      const id = u16be(blk, need(2));
      bands.push(id === 65535 ? 'A' : id < 4 ? 'RGBA'[id] : '');
      need(4);
    }
    const key = bands.sort().join(',');
    const mode = key === 'R' ? 'L' : key === 'B,G,R' ? 'RGB' : key === 'A,B,G,R' ? 'RGBA' : '';
    need(12);
    let layerName = '';
    const size = u32be(blk, need(4));
    if (size > 0) {
      const end = p + size;
      const mask = u32be(blk, need(4));
      if (mask > 0) seekBy(mask - 16);
      seekBy(u32be(blk, need(4)));
      const len = blk[need(1)];
      if (len > 0) layerName = latin1(blk.subarray(need(len), p));
      p = end;
    }
    records.push({ name: layerName, mode, bbox: [x0, y0, x1, y1] });
  }
  return records.map((r) => {
    const tiles: LayerTile[] = [];
    const ysize = r.bbox[3] - r.bbox[1];
    const xsize = r.bbox[2] - r.bbox[0];
    for (let band = 0; band < r.mode.length; band++) {
      // Pillow's _maketile: plain reads here (a short one is struct.error in Pillow)
      const compression = u16be(blk, need(2));
      let offset = p;
      if (compression === 0) {
        tiles.push({ compression, offset, band });
        offset += xsize * ysize;
      } else if (compression === 1) {
        const counts = ysize >= 0 ? need(Math.min(ysize * 2, blk.length - p)) : need(blk.length - p);
        offset = p;
        tiles.push({ compression, offset, band });
        for (let y = 0; y < ysize; y++) offset += u16be(blk, counts + y * 2);
      }
      p = Math.max(0, offset);
      if ((offset & 1) !== 0 && p < blk.length) p++;
    }
    return { ...r, tiles };
  });
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/**
 * One planar channel of `rows` rows of `rowBytes`, raw or PackBits, from `at`: whole rows only,
 * as Pillow's raw and PackBits decoders hand rows over. `end` is where the channel's data ends.
 */
function readPlane(s: Uint8Array, at: number, compression: number, rowBytes: number, rows: number, plane: Uint8Array): { rows: number; end: number } {
  const want = rowBytes * rows;
  if (compression === 1) {
    const r = unpackBitsRows(s, at, plane, 0, rowBytes, rows);
    return { rows: Math.floor(r.written / rowBytes), end: at + r.read };
  }
  const got = Math.max(0, Math.min(want, s.length - at));
  plane.set(s.subarray(at, at + got));
  return { rows: Math.floor(got / rowBytes), end: at + want };
}

export const psdCodec = {
  format: 'PSD',
  description: 'Adobe Photoshop (the merged composite; layers as frames 1..n)',
  extensions: ['.psd'],
  mimeTypes: ['image/vnd.adobe.photoshop'],
  modes: ['1', 'L', 'P', 'RGB', 'RGBA', 'CMYK'],
  fuzz: { cases: 300, minSeeds: 8, fields: [{ at: 12, bytes: 2 }, { at: 14, bytes: 4 }, { at: 18, bytes: 4 }, { at: 22, bytes: 2 }, { at: 24, bytes: 2 }, { at: 26, bytes: 4 }], truncation: ['psd/hopper.psd', 'psd/layers/boxes.psd'], cuts: 300 },
  accept: (p) => p.length >= 4 && p[0] === 0x38 && p[1] === 0x42 && p[2] === 0x50 && p[3] === 0x53,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const s = await input.bytes();
    const bad = (why: string): never => {
      throw new UnidentifiedImageError(`cannot identify image file ${name}: ${why}`);
    };
    if (s.length < 26 || u16be(s, 4) !== 1) bad('not a PSD file');
    const channels = u16be(s, 12);
    const height = u32be(s, 14);
    const width = u32be(s, 18);
    const bits = u16be(s, 22);
    const psdMode = u16be(s, 24);
    const key = `${psdMode} ${bits}`;
    if (!Object.hasOwn(MODES, key)) throw new UnsupportedError(`PSD colour mode ${psdMode} at ${bits} bits is not supported (${name})`);
    let [mode, bands] = MODES[key];
    if (bands > channels) throw new UnsupportedError(`not enough channels in ${name}`);
    if (mode === 'RGB' && channels === 4) [mode, bands] = ['RGBA', 4];
    if (width === 0 || height === 0) bad(`size ${width}x${height}`);
    const info: ImageInfo = {};
    let palette: Palette | undefined;
    try {
      let p = 26;
      const cm = u32be(s, p);
      if (mode === 'P' && cm === 768) {
        const colors = new Uint8Array(768);
        for (let i = 0; i < 256; i++) for (let c = 0; c < 3; c++) colors[i * 3 + c] = s[p + 4 + c * 256 + i];
        palette = { mode: 'RGB', colors };
      }
      p += 4 + cm;
      const resources = u32be(s, p);
      const resEnd = p + 4 + resources;
      for (let q = p + 4; q < resEnd; ) {
        const id = u16be(s, q + 4);
        const nameLen = s[q + 6];
        q += 7 + nameLen;
        if ((nameLen & 1) === 0) q++;
        const len = u32be(s, q);
        if (id === 1039) info.icc_profile = s.slice(q + 4, q + 4 + len);
        q += 4 + len + (len & 1);

      }
      p = resEnd;
      const layerSize = u32be(s, p);
      const layersAt = p + 4;
      p += 4 + layerSize;
      // Pillow's _maketile for the composite at open: channel offsets from the PackBits byte
      // counts; a file that ends before them is not identified (struct.error in Pillow's open)
      if (p + 2 > s.length || p + 2 + (u16be(s, p) === 1 ? bands * height * 2 : 0) > s.length) bad(`image data at offset ${p} is past the end of the file`);
      const compression = u16be(s, p);
      p += 2;
      const rowBytes = mode === '1' ? Math.ceil(width / 8) : width;
      const composite: LayerTile[] = [];
      let offset = compression === 1 ? p + bands * height * 2 : p;
      for (let c = 0; c < bands; c++) {
        if (compression !== 0 && compression !== 1) throw new UnsupportedError(`PSD compression ${compression} at offset ${p - 2} is not supported (${name})`);
        composite.push({ compression, offset, band: c });
        if (compression === 0) offset += width * height;
        else for (let y = 0; y < height; y++) offset += u16be(s, p + (c * height + y) * 2);
      }
      // Pillow's layers (read when n_frames is asked)
      let layers: Layer[] = [];
      if (layerSize > 0) {
        const inner = u32be(s, layersAt);
        if (inner > 0) {
          if (s.length < layersAt + 4 + inner) throw new TruncatedImageError(`Truncated File Read: ${name}: the layer block of ${inner} bytes at offset ${layersAt + 4} ends after the file`);
          layers = layerInfo(s.subarray(layersAt + 4, layersAt + 4 + inner), name);
        }
      }
      const header: Header = { format: 'PSD', mode, width, height, info, nFrames: Math.max(1, layers.length), firstFrame: 1 };
      if (palette !== undefined) header.palette = palette;
      let current: Layer | undefined;
      // the last frame decoded: a layer of the same mode is painted over a copy of it, as
      // Pillow paints a layer into the image memory it already has
      let last: { mode: Mode; data: ArrayOf<Mode> } | undefined;
      return {
        header,
        load({ into } = {}) {
          let lm: Mode = mode;
          let bbox: Layer['bbox'] = [0, 0, width, height];
          let tiles: readonly LayerTile[] = composite;
          if (current !== undefined) {
            if (current.mode === '' || current.tiles.length === 0) throw new DecodeError(`cannot load this image: PSD layer "${current.name}" has no channel data Pillow can read (${name})`);
            ({ mode: lm, bbox, tiles } = current);
            const [x0, y0, x1, y1] = bbox;
            if (x0 < 0 || y0 < 0 || x1 > width || y1 > height || x1 <= x0 || y1 <= y0) {
              throw new DecodeError(`tile cannot extend outside image: PSD layer "${current.name}" box (${bbox.join(', ')}) on a ${width}x${height} canvas (${name})`);
            }
          }
          const out = into ?? allocate(lm, width, height);
          if (current !== undefined && last?.mode === lm) out.set(last.data);
          // what was painted stays the last frame even when the data ends early (as in Pillow)
          last = { mode: lm, data: out };
          const rowLength = current === undefined ? rowBytes : bbox[2] - bbox[0];
          return Promise.resolve(paint(s, out, lm, width, bbox, tiles, rowLength, options.loadTruncated, name));
        },
        seek(index: number): Promise<Header> {
          // Pillow: frames 1..n are the layers; frame 1 at open is the composite
          const layer = layers[index - 1];
          if (layer.mode === '') throw new DecodeError(`cannot load this image: PSD layer ${index} ("${layer.name}") has no channels Pillow maps to a mode (${name})`);
          current = layer;
          return Promise.resolve({ ...header, mode: layer.mode });
        },
        close: () => input.close(),
      };
    } catch (e) {
      if (e instanceof RangeError) throw new TruncatedImageError(`Truncated File Read: ${name}: ${e.message}`, { cause: e });
      throw e;
    }
  },
} satisfies Codec;

/**
 * Draws channel tiles into `out` (packed, `mode`, canvas `width` wide) inside `bbox`, each
 * tile's band planar from its offset, in offset order as Pillow's `ImageFile.load` sorts them;
 * CMYK bands inverted, mode `1` unpacked from bits. A channel whose data ends early is a
 * TruncatedImageError, or with `loadTruncated` Pillow's partial image (whole rows only).
 */
function paint<T extends ArrayOf<Mode>>(
  s: Uint8Array, out: T, mode: Mode, width: number, bbox: readonly [number, number, number, number],
  tiles: readonly LayerTile[], rowBytes: number, loadTruncated: boolean, name: string,
): T {
  const [x0, y0, x1, y1] = bbox;
  const rows = y1 - y0;
  const xsize = x1 - x0;
  const step = bandCount(mode);
  const plane = new Uint8Array(rowBytes * rows);
  for (const t of [...tiles].sort((a, b) => a.offset - b.offset)) {
    const got = readPlane(s, t.offset, t.compression, rowBytes, rows, plane);
    if (mode === '1') {
      for (let y = 0; y < got.rows; y++) bitRow(plane, y * rowBytes, out, (y0 + y) * width, width, 1);
    } else {
      const flip = mode === 'CMYK' ? 255 : 0;
      for (let y = 0; y < got.rows; y++) {
        let o = ((y0 + y) * width + x0) * step + t.band;
        const r = y * rowBytes;
        for (let x = 0; x < xsize; x++, o += step) out[o] = flip ^ plane[r + x];
      }
    }
    if (got.rows < rows && !loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name} (channel data from offset ${t.offset} ends after ${got.rows} of ${rows} rows)`);
  }
  return out;
}
