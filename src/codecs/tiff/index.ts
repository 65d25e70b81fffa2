/**
 * TIFF and BigTIFF (Pillow's TiffImagePlugin): every IFD of the chain is a frame (`seek`),
 * each set up as Pillow's `_setup` does (./layout.ts: the mode and rawmode from Pillow's
 * OPEN_INFO table, `info`), its pixels decoded in TypeScript for uncompressed, LZW, Deflate and
 * PackBits data (./decode.ts, Pillow's raw path and its libtiff path), or by sharp's libtiff for
 * JPEG, old-style JPEG, CCITT and the other compressions (./sharp.ts); the EXIF orientation tag
 * is applied on load, as Pillow's `load_end` does.
 */
import { DecodeError, TruncatedImageError, UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import { PositionalBytes, type Input } from '../../core/input.js';
import { allocate, bandCount, type ArrayOf, type Mode } from '../../core/modes.js';
import { orientInto, reorients } from '../../pixels/orient.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { decodeRawTileBytes } from '../shared/tile.js';
import { AS_STORED, LOSSLESS, LZMA, decodeLibtiffLike, rawTiles } from './decode.js';
import { nativeJpeg, nativeLzma } from '../../kernels/native.js';
import { decodeOjpeg, isOjpegWithStream } from './ojpeg.js';
import { isTiffPrefix, readHeader, walkChain, type Ifd } from './ifd.js';
import { COMPRESSION_INFO, TAG, setup, type Layout } from './layout.js';
import { decodeTiffWithSharp, SHARP_COMPRESSIONS } from './sharp.js';

/** At most this many IFDs are followed (each is at least 6 bytes of a file, so a file bounds it anyway). */
const MAX_FRAMES = 1 << 20;

function headerOf(l: Layout): Header {
  const swap = reorients(l.orientation) && l.orientation >= 5;
  const header: Header = { format: 'TIFF', mode: l.mode, width: swap ? l.height : l.width, height: swap ? l.width : l.height, info: { ...l.info }, nFrames: 1 };
  if (l.palette !== undefined) header.palette = l.palette;
  return header;
}

/**
 * IFD `ifd`'s pixels at their stored size: into `target` when given, except sharp's pages,
 * whose own buffer is returned as it is (no second allocation, no copy).
 */
async function decodeStored(src: Source, ifd: Ifd, page: number, l: Layout, target: ArrayOf<Mode> | undefined, options: Required<OpenOptions>, name: string): Promise<ArrayOf<Mode>> {
  const { s, owned } = src;
  const jpeg = nativeJpeg();
  if (isOjpegWithStream(ifd, l) && jpeg !== null && options.backend !== 'js') {
    const out = (target ?? allocate(l.mode, l.width, l.height)) as Uint8Array;
    decodeOjpeg(s, ifd, l, out, jpeg, options.loadTruncated, name);
    return out;
  }
  if (SHARP_COMPRESSIONS.has(l.compression) || (LOSSLESS.has(l.compression) && l.photometric === 6)) {
    if (options.backend === 'js') throw new UnsupportedError(`${name}: TIFF compression ${COMPRESSION_INFO[l.compression]} is decoded by sharp (libtiff); backend 'js' was asked for`);
    const px = await decodeTiffWithSharp(s instanceof Uint8Array ? s : src.input.filename ?? (await src.input.bytes()), page, l, options.loadTruncated, name);
    if (target === undefined) return px;
    target.set(px);
    return target;
  }
  if (l.compression === 1) {
    // uncompressed data is read whole: a file's bytes, when in the image's own layout, are the image
    const bytes = s instanceof Uint8Array ? s : (src.s = await src.input.bytes());
    const view = owned ? inPlace(bytes, ifd, l) : undefined;
    if (view !== undefined) {
      if (target === undefined) return view;
      target.set(view);
      return target;
    }
  }
  const out = target ?? allocate(l.mode, l.width, l.height);
  if (l.compression === 1) {
    const bytes = s instanceof Uint8Array ? s : (src.s = await src.input.bytes());
    for (const tile of rawTiles(ifd, l, name)) decodeRawTileBytes(bytes, tile, { out, mode: l.mode, width: l.width, height: l.height }, name, options.loadTruncated);
  } else if (LOSSLESS.has(l.compression) || (l.compression === LZMA && nativeLzma() !== null && options.backend !== 'js')) {
    decodeLibtiffLike(s, ifd, l, out, options.loadTruncated, name);
  } else if (l.compression === LZMA) {
    const why = options.backend === 'js' ? "backend 'js' never loads the native kernel, whose liblzma decodes it" : 'the native kernel with liblzma is not built here (see backends())';
    throw new UnsupportedError(`${name}: TIFF compression ${COMPRESSION_INFO[l.compression]} (${l.compression}) is not supported: ${why}`);
  } else {
    throw new UnsupportedError(`${name}: TIFF compression ${COMPRESSION_INFO[l.compression]} (${l.compression}) is not supported`);
  }
  return out;
}

/**
 * An uncompressed IFD whose strips are the image's packed rows back to back in the file: the
 * view of those bytes (no allocation, no copy), else undefined. Only for bytes imarray read
 * itself (a file), never a caller's buffer.
 */
function inPlace(s: Uint8Array, ifd: Ifd, l: Layout): Uint8Array | undefined {
  if (!AS_STORED.has(l.mode) || l.rawmode !== l.mode || l.planar === 2 || l.fillOrder !== 1 || l.bitsPerSample.some((b) => b !== 8)) return undefined;
  if (!ifd.has(TAG.stripOffsets) || ifd.has(TAG.tileOffsets)) return undefined;
  const stride = l.width * bandCount(l.mode);
  const size = stride * l.height;
  let rps = ifd.number(TAG.rowsPerStrip, l.height);
  if (rps <= 0 || rps > l.height) rps = l.height;
  const offsets = ifd.numbers(TAG.stripOffsets) ?? [];
  // Pillow reads a single strip covering the image from the last offset
  const first = rps === l.height ? offsets[offsets.length - 1] : offsets[0];
  if (first === undefined || first + size > s.length) return undefined;
  if (rps !== l.height) {
    if (offsets.length !== Math.ceil(l.height / rps)) return undefined;
    for (let i = 0; i < offsets.length; i++) if (offsets[i] !== first + i * rps * stride) return undefined;
  }
  return s.subarray(first, first + size);
}

/**
 * The file's bytes as the decode reads them: all of them in memory, or (a large file) positional
 * reads, so that compressed strips are read one at a time and the file is never held whole;
 * `owned` when the bytes are imarray's own (a file), never a caller's buffer.
 */
interface Source {
  readonly input: Input;
  s: Uint8Array | PositionalBytes;
  readonly owned: boolean;
}

/** Decodes IFD `ifd` and applies its orientation, into `into` or new storage. */
async function decodeFrame(src: Source, ifd: Ifd, page: number, l: Layout, into: ArrayOf<Mode> | undefined, options: Required<OpenOptions>, name: string): Promise<ArrayOf<Mode>> {
  if (!reorients(l.orientation)) return decodeStored(src, ifd, page, l, into, options, name);
  const stored = await decodeStored(src, ifd, page, l, undefined, options, name);
  const swap = l.orientation >= 5;
  const out = into ?? allocate(l.mode, swap ? l.height : l.width, swap ? l.width : l.height);
  orientInto(stored, l.width, l.height, bandCount(l.mode), l.orientation, out);
  return out;
}

export const tiffCodec = {
  format: 'TIFF',
  description: 'Tagged Image File Format and BigTIFF, every page (LZW, Deflate, PackBits; LZMA and old-style JPEG native; JPEG, CCITT via sharp)',
  extensions: ['.tif', '.tiff'],
  mimeTypes: ['image/tiff'],
  modes: ['1', 'L', 'LA', 'P', 'PA', 'RGB', 'RGBA', 'CMYK', 'LAB', 'I;16', 'I', 'F'],
  fuzz: {
    cases: 300,
    minSeeds: 20,
    fields: [{ at: 4, bytes: 4, littleEndian: true }, { at: 8, bytes: 2, littleEndian: true }, { at: 18, bytes: 4, littleEndian: true }, { at: 30, bytes: 4, littleEndian: true }, { at: 42, bytes: 4, littleEndian: true }],
    truncation: ['tiff/current_tiff_rgb_raw.tif', 'tiff/ifd_first_lzw.tif', 'tiff/ifd_first_deflate.tif'],
    cuts: 200,
  },
  backends: ['js', 'sharp'],
  accept: isTiffPrefix,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const positional = input.positional();
    const s = positional ?? (await input.bytes());
    // a file's bytes are imarray's own: an uncompressed page can be a view of them
    const src: Source = { input, s, owned: input.filename !== undefined };
    const th = readHeader(s.subarray(0, 16));
    if (th === undefined) throw new UnidentifiedImageError(`cannot identify image file ${name}: not a TIFF header`);
    let ifds: Ifd[];
    try {
      ifds = walkChain(s, th, MAX_FRAMES);
    } catch (e) {
      throw new UnidentifiedImageError(`cannot identify image file ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    } finally {
      positional?.release();
    }
    if (ifds.length === 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: no more images in TIFF file (first IFD offset ${th.first})`);
    let page = 0;
    let layout = setup(ifds[0], name);
    const header = { ...headerOf(layout), nFrames: ifds.length };
    return {
      header,
      async load({ into } = {}) {
        try {
          return await decodeFrame(src, ifds[page], page, layout, into, options, name);
        } catch (e) {
          if (e instanceof RangeError) throw new TruncatedImageError(`image file is truncated: ${name}: ${e.message}`, { cause: e });
          throw e;
        } finally {
          // a large file's descriptor and strip buffer are held for one decode only
          if (src.s instanceof PositionalBytes) src.s.release();
        }
      },
      seek(index: number): Promise<Header> {
        try {
          layout = setup(ifds[index], name);
        } catch (e) {
          if (e instanceof UnidentifiedImageError) throw new DecodeError(`frame ${index}: ${e.message}`, { cause: e });
          throw e;
        }
        page = index;
        return Promise.resolve({ ...headerOf(layout), nFrames: ifds.length });
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
