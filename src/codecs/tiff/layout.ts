/**
 * Pillow's TiffImagePlugin `_setup`: from an IFD's tags to the mode, the rawmode and the data
 * layout, with Pillow's rules and its errors at open. The mode comes from Pillow's OPEN_INFO
 * table, keyed by byte order, photometric interpretation, sample format, fill order, bits per
 * sample and extra samples; `info` carries `compression`, `dpi` / `resolution`, `icc_profile`,
 * `xmp`. Orientation 5-8 swaps the reported size (the pixels are transposed at load).
 */
import { UnidentifiedImageError } from '../../core/errors.js';
import type { Mode } from '../../core/modes.js';
import type { ImageInfo, Palette } from '../../core/types.js';
import type { Ifd } from './ifd.js';

/** OPEN_INFO rows: byte order ('*' both), photometric, sample format, fill order, bits, extra samples, mode, rawmode. */
const OPEN_INFO: readonly (readonly [string, number, string, number, string, string, string, string])[] = [
  ['*', 0, '1', 1, '1', '', '1', '1;I'],
  ['*', 0, '1', 2, '1', '', '1', '1;IR'],
  ['*', 1, '1', 1, '1', '', '1', '1'],
  ['*', 1, '1', 2, '1', '', '1', '1;R'],
  ['*', 0, '1', 1, '2', '', 'L', 'L;2I'],
  ['*', 0, '1', 2, '2', '', 'L', 'L;2IR'],
  ['*', 1, '1', 1, '2', '', 'L', 'L;2'],
  ['*', 1, '1', 2, '2', '', 'L', 'L;2R'],
  ['*', 0, '1', 1, '4', '', 'L', 'L;4I'],
  ['*', 0, '1', 2, '4', '', 'L', 'L;4IR'],
  ['*', 1, '1', 1, '4', '', 'L', 'L;4'],
  ['*', 1, '1', 2, '4', '', 'L', 'L;4R'],
  ['*', 0, '1', 1, '8', '', 'L', 'L;I'],
  ['*', 0, '1', 2, '8', '', 'L', 'L;IR'],
  ['*', 1, '1', 1, '8', '', 'L', 'L'],
  ['*', 1, '2', 1, '8', '', 'L', 'L'],
  ['*', 1, '1', 2, '8', '', 'L', 'L;R'],
  ['II', 1, '1', 1, '12', '', 'I;16', 'I;12'],
  ['II', 0, '1', 1, '16', '', 'I;16', 'I;16'],
  ['II', 1, '1', 1, '16', '', 'I;16', 'I;16'],
  ['MM', 1, '1', 1, '16', '', 'I;16B', 'I;16B'],
  ['II', 1, '1', 2, '16', '', 'I;16', 'I;16R'],
  ['II', 1, '2', 1, '16', '', 'I', 'I;16S'],
  ['MM', 1, '2', 1, '16', '', 'I', 'I;16BS'],
  ['II', 0, '3', 1, '32', '', 'F', 'F;32F'],
  ['MM', 0, '3', 1, '32', '', 'F', 'F;32BF'],
  ['II', 1, '1', 1, '32', '', 'I', 'I;32N'],
  ['II', 1, '2', 1, '32', '', 'I', 'I;32S'],
  ['MM', 1, '2', 1, '32', '', 'I', 'I;32BS'],
  ['II', 1, '3', 1, '32', '', 'F', 'F;32F'],
  ['MM', 1, '3', 1, '32', '', 'F', 'F;32BF'],
  ['*', 1, '1', 1, '8,8', '2', 'LA', 'LA'],
  ['*', 2, '1', 1, '8,8,8', '', 'RGB', 'RGB'],
  ['*', 2, '1', 2, '8,8,8', '', 'RGB', 'RGB;R'],
  ['*', 2, '1', 1, '8,8,8,8', '', 'RGBA', 'RGBA'],
  ['*', 2, '1', 1, '8,8,8,8', '0', 'RGB', 'RGBX'],
  ['*', 2, '1', 1, '8,8,8,8,8', '0,0', 'RGB', 'RGBXX'],
  ['*', 2, '1', 1, '8,8,8,8,8,8', '0,0,0', 'RGB', 'RGBXXX'],
  ['*', 2, '1', 1, '8,8,8,8', '1', 'RGBA', 'RGBa'],
  ['*', 2, '1', 1, '8,8,8,8,8', '1,0', 'RGBA', 'RGBaX'],
  ['*', 2, '1', 1, '8,8,8,8,8,8', '1,0,0', 'RGBA', 'RGBaXX'],
  ['*', 2, '1', 1, '8,8,8,8', '2', 'RGBA', 'RGBA'],
  ['*', 2, '1', 1, '8,8,8,8,8', '2,0', 'RGBA', 'RGBAX'],
  ['*', 2, '1', 1, '8,8,8,8,8,8', '2,0,0', 'RGBA', 'RGBAXX'],
  ['*', 2, '1', 1, '8,8,8,8', '999', 'RGBA', 'RGBA'],
  ['II', 2, '1', 1, '16,16,16', '', 'RGB', 'RGB;16L'],
  ['MM', 2, '1', 1, '16,16,16', '', 'RGB', 'RGB;16B'],
  ['II', 2, '1', 1, '16,16,16,16', '', 'RGBA', 'RGBA;16L'],
  ['MM', 2, '1', 1, '16,16,16,16', '', 'RGBA', 'RGBA;16B'],
  ['II', 2, '1', 1, '16,16,16,16', '0', 'RGB', 'RGBX;16L'],
  ['MM', 2, '1', 1, '16,16,16,16', '0', 'RGB', 'RGBX;16B'],
  ['II', 2, '1', 1, '16,16,16,16', '1', 'RGBA', 'RGBa;16L'],
  ['MM', 2, '1', 1, '16,16,16,16', '1', 'RGBA', 'RGBa;16B'],
  ['II', 2, '1', 1, '16,16,16,16', '2', 'RGBA', 'RGBA;16L'],
  ['MM', 2, '1', 1, '16,16,16,16', '2', 'RGBA', 'RGBA;16B'],
  ['*', 3, '1', 1, '1', '', 'P', 'P;1'],
  ['*', 3, '1', 2, '1', '', 'P', 'P;1R'],
  ['*', 3, '1', 1, '2', '', 'P', 'P;2'],
  ['*', 3, '1', 2, '2', '', 'P', 'P;2R'],
  ['*', 3, '1', 1, '4', '', 'P', 'P;4'],
  ['*', 3, '1', 2, '4', '', 'P', 'P;4R'],
  ['*', 3, '1', 1, '8', '', 'P', 'P'],
  ['*', 3, '1', 1, '8,8', '0', 'P', 'PX'],
  ['*', 3, '1', 1, '8,8', '2', 'PA', 'PA'],
  ['*', 3, '1', 2, '8', '', 'P', 'P;R'],
  ['*', 5, '1', 1, '8,8,8,8', '', 'CMYK', 'CMYK'],
  ['*', 5, '1', 1, '8,8,8,8,8', '0', 'CMYK', 'CMYKX'],
  ['*', 5, '1', 1, '8,8,8,8,8,8', '0,0', 'CMYK', 'CMYKXX'],
  ['II', 5, '1', 1, '16,16,16,16', '', 'CMYK', 'CMYK;16L'],
  ['MM', 5, '1', 1, '16,16,16,16', '', 'CMYK', 'CMYK;16B'],
  ['*', 6, '1', 1, '8', '', 'L', 'L'],
  ['*', 6, '1', 1, '8,8,8', '', 'RGB', 'RGBX'],
  ['*', 8, '1', 1, '8,8,8', '', 'LAB', 'LAB'],
];

const OPEN_INFO_MAP = new Map<string, readonly [string, string]>();
for (const [order, photo, sf, fo, bps, extra, mode, rawmode] of OPEN_INFO) {
  for (const o of order === '*' ? ['II', 'MM'] : [order]) OPEN_INFO_MAP.set(`${o}|${photo}|${sf}|${fo}|${bps}|${extra}`, [mode, rawmode]);
}
/** Most samples per pixel of any OPEN_INFO row (Pillow's MAX_SAMPLESPERPIXEL). */
const MAX_SAMPLES = Math.max(...OPEN_INFO.map((r) => r[4].split(',').length));

/** Pillow's COMPRESSION_INFO: TIFF compression number -> the name in `info.compression`. */
export const COMPRESSION_INFO: Readonly<Record<number, string>> = {
  1: 'raw', 2: 'tiff_ccitt', 3: 'group3', 4: 'group4', 5: 'tiff_lzw', 6: 'tiff_jpeg', 7: 'jpeg', 8: 'tiff_adobe_deflate',
  32771: 'tiff_raw_16', 32773: 'packbits', 32809: 'tiff_thunderscan', 32946: 'tiff_deflate', 34676: 'tiff_sgilog',
  34677: 'tiff_sgilog24', 34925: 'lzma', 50000: 'zstd', 50001: 'webp',
};

export const TAG = {
  width: 256, height: 257, bitsPerSample: 258, compression: 259, photometric: 262, fillOrder: 266,
  stripOffsets: 273, orientation: 274, samplesPerPixel: 277, rowsPerStrip: 278, stripByteCounts: 279,
  xResolution: 282, yResolution: 283, planar: 284, resolutionUnit: 296, predictor: 317, colorMap: 320,
  tileWidth: 322, tileLength: 323, tileOffsets: 324, tileByteCounts: 325, extraSamples: 338, sampleFormat: 339,
  jpegTables: 347, ycbcrSubsampling: 530, xmp: 700, icc: 34675, wmp: 0xbc01,
} as const;

/** What `_setup` decides for one IFD. */
export interface Layout {
  /** imarray's mode (Pillow's `I;16B` is stored as `I;16`: the same values, native byte order). */
  readonly mode: Mode;
  /** Pillow's mode name (`I;16B` where imarray says `I;16`). */
  readonly pillowMode: string;
  /** Pillow's rawmode for the file's own bytes (the uncompressed path). */
  readonly rawmode: string;
  readonly littleEndian: boolean;
  readonly compression: number;
  readonly photometric: number;
  readonly planar: number;
  readonly fillOrder: number;
  readonly bitsPerSample: readonly number[];
  readonly samplesPerPixel: number;
  readonly extraSamples: readonly number[];
  /** Width and height as stored (Pillow's `_tile_size`), before orientation. */
  readonly width: number;
  readonly height: number;
  /** The EXIF orientation tag (1 when absent). */
  readonly orientation: number;
  readonly info: ImageInfo;
  readonly palette?: Palette;
}

const fail = (name: string, why: string): never => {
  throw new UnidentifiedImageError(`cannot identify image file ${name}: ${why}`);
};

/** Pillow's `_setup` for `ifd` (its errors at open are UnidentifiedImageErrors naming the cause). */
export function setup(ifd: Ifd, name: string): Layout {
  if (ifd.has(TAG.wmp)) fail(name, 'Windows Media Photo files not yet supported');
  const compression = ifd.number(TAG.compression, 1);
  if (!Object.hasOwn(COMPRESSION_INFO, compression)) fail(name, `unknown TIFF compression ${compression}`);
  const compressionName = COMPRESSION_INFO[compression];
  const planar = ifd.number(TAG.planar, 1);
  let photo = ifd.number(TAG.photometric, 0);
  if (compressionName === 'tiff_jpeg') photo = 6;
  const fillOrder = ifd.number(TAG.fillOrder, 1);
  if (!ifd.has(TAG.width) || !ifd.has(TAG.height)) fail(name, 'Missing dimensions');
  if (!ifd.isInteger(TAG.width) || !ifd.isInteger(TAG.height)) fail(name, 'Invalid dimensions');
  const width = ifd.number(TAG.width, 0);
  const height = ifd.number(TAG.height, 0);
  const orientation = ifd.number(TAG.orientation, 1);

  let sampleFormat = ifd.numbers(TAG.sampleFormat) ?? [1];
  if (sampleFormat.length > 1 && Math.max(...sampleFormat) === Math.min(...sampleFormat)) sampleFormat = [sampleFormat[0]];
  let bps = ifd.numbers(TAG.bitsPerSample) ?? [1];
  let extra = ifd.numbers(TAG.extraSamples) ?? [];
  let spp = ifd.number(TAG.samplesPerPixel, compressionName === 'tiff_jpeg' && (photo === 2 || photo === 6) ? 3 : 1);
  if (planar === 2 && extra.length > 0 && Math.max(...extra) === 0) {
    bps = bps.slice(0, bps.length - extra.length);
    spp -= extra.length;
    extra = [];
  }
  if (spp > MAX_SAMPLES) fail(name, `Invalid value for samples per pixel: ${spp}`);
  if (spp < bps.length) bps = bps.slice(0, spp);
  else if (spp > bps.length && bps.length === 1) bps = Array.from({ length: spp }, () => bps[0]);
  if (bps.length !== spp) fail(name, `unknown data organization: ${bps.length} bits-per-sample values for ${spp} samples`);
  const order = ifd.header.littleEndian ? 'II' : 'MM';
  const key = (fo: number): string => `${order}|${photo}|${sampleFormat.join(',')}|${fo}|${bps.join(',')}|${extra.join(',')}`;
  const found = OPEN_INFO_MAP.get(key(fillOrder));
  if (found === undefined) fail(name, `unknown pixel mode (${key(fillOrder)})`);
  let [pillowMode, rawmode] = found!;
  // libtiff (every compression but raw) undoes fill order 2 itself: Pillow takes the fill order 1 row
  if (compressionName !== 'raw' && fillOrder === 2) [pillowMode, rawmode] = OPEN_INFO_MAP.get(key(1))!;

  if (compressionName === 'raw') {
    // Pillow's own raw decoder needs the data's place at open
    if (!ifd.has(TAG.stripOffsets) && !ifd.has(TAG.tileOffsets)) fail(name, 'unknown data organization (no strip or tile offsets)');
    if (!ifd.has(TAG.stripOffsets) && (!ifd.isInteger(TAG.tileWidth) || !ifd.isInteger(TAG.tileLength))) fail(name, 'Invalid tile dimensions');
  }
  const info: ImageInfo = { compression: compressionName };
  const xres = ifd.number(TAG.xResolution, 1);
  const yres = ifd.number(TAG.yResolution, 1);
  if (xres && yres) {
    const unit = ifd.number(TAG.resolutionUnit);
    if (unit === 2) info.dpi = [xres, yres];
    else if (unit === 3) info.dpi = [xres * 2.54, yres * 2.54];
    else if (unit === undefined) {
      info.dpi = [xres, yres];
      info.resolution = [xres, yres];
    } else info.resolution = [xres, yres];
  }
  const icc = ifd.bytes(TAG.icc);
  if (icc !== undefined) info.icc_profile = icc.slice();
  const xmp = ifd.bytes(TAG.xmp);
  if (xmp !== undefined) info.xmp = xmp.slice();
  let palette: Palette | undefined;
  if (pillowMode === 'P' || pillowMode === 'PA') {
    const map = ifd.numbers(TAG.colorMap);
    if (map === undefined) fail(name, 'a palette image without a ColorMap');
    const n = Math.floor(map!.length / 3);
    const colors = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) colors[i * 3 + c] = Math.floor(map![c * n + i] / 256) & 255;
    palette = { mode: 'RGB', colors };
  }
  const mode = (pillowMode === 'I;16B' ? 'I;16' : pillowMode) as Mode;
  const layout: Layout = {
    mode, pillowMode, rawmode, littleEndian: ifd.header.littleEndian, compression, photometric: photo, planar, fillOrder,
    bitsPerSample: bps, samplesPerPixel: spp, extraSamples: extra, width, height, orientation, info,
    ...(palette !== undefined ? { palette } : {}),
  };
  return layout;
}
