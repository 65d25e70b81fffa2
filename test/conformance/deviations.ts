/**
 * Where imarray deliberately differs from Pillow 12.3 on a fixture, as data: the conformance
 * harness (conformance.test.ts) expects the outcome given here instead of Pillow's, and prints
 * the reason. Keyed by the fixture path under fixtures/. Every entry needs a reason a user can
 * read in docs/pillow-versions.md.
 */
import type { ErrorCode } from '../../src/index.js';
import { nativeAvif, nativeJ2k, nativeJpeg, nativeLzma } from '../../src/kernels/native.js';

export type Deviation =
  /** imarray raises (with this code) where Pillow gives an image. */
  | { kind: 'fails'; code: ErrorCode; reason: string }
  /** Pillow raises where imarray gives an image (equal to `sha256` of the array). */
  | { kind: 'opens'; sha256: string; reason: string }
  /** imarray raises, as Pillow does, but with another code than the harness derives from Pillow's exception. */
  | { kind: 'code'; code: ErrorCode; reason: string }
  /**
   * Pixels differ off `exactOn` (the architecture the references were made on); mode, size,
   * shape and dtype still must match, and the codec's own test bounds the difference.
   */
  | { kind: 'platform'; exactOn: NodeJS.Architecture; reason: string }
  /**
   * Pixels differ from Pillow 12.3's (mode, size, shape and dtype still must match), with
   * `sha256` of ours; frames from `framesFrom` on are not compared.
   */
  | { kind: 'values'; sha256: string; reason: string; framesFrom?: number }
  /**
   * Pillow's big-endian mode (`I;16B`, a `>u2` array) is given as `mode` (`I;16`, native
   * `<u2`): the harness byte-swaps ours and expects Pillow's hash.
   */
  | { kind: 'byteorder'; mode: string; reason: string }
  /** Frames from `from` on are not compared (frame 0 and the count still are). */
  | { kind: 'frames'; from: number; reason: string };

const AVIF_COLOUR = 'AVIF colour within 2 of Pillow\'s (libavif\'s YUV -> RGB without libyuv)';

/**
 * JPEG 2000 where the native OpenJPEG decoder is not built (the WebAssembly build decodes 1 and 3
 * components; the native one is Pillow's Jpeg2KDecode.c and decodes them all).
 */
const J2K_WASM: Readonly<Record<string, Deviation>> = {
  'jpeg2000/current_j2k_rgba.j2k': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: '4-component JPEG 2000: not decoded by the OpenJPEG WebAssembly build' },
  'jpeg2000/current_jp2_rgba_q.jp2': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: '4-component JPEG 2000: not decoded by the OpenJPEG WebAssembly build' },
  'jpeg2000/rgb_trns_ycbc.j2k': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: '4-component JPEG 2000: not decoded by the OpenJPEG WebAssembly build' },
  'jpeg2000/rgb_trns_ycbc.jp2': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: '4-component JPEG 2000: not decoded by the OpenJPEG WebAssembly build' },
};

/**
 * AVIF where the native dav1d + libyuv decoder is not built: libavif 1.0 in WebAssembly, whose
 * own YUV -> RGB differs from Pillow's libyuv path (the native decoder equals Pillow on every file
 * and frame).
 */
const AVIF_WASM: Readonly<Record<string, Deviation>> = {
  // AVIF colour: libavif's built-in YUV -> RGB (the WebAssembly build) against Pillow's libyuv
  // path: within 2 of Pillow's values, grey and alpha exact (test/codecs/avif holds the bound
  // on the current/ files, whose arrays the corpus keeps); sequences decode their first frame
  'avif/current_avif_anim.avif': { kind: 'values', sha256: '8ec75b5d5926a3dc90da4dc78602ecda3221a32db92bd8ea360615ddf1d8338d', reason: AVIF_COLOUR, framesFrom: 1 },
  'avif/current_avif_rgb_lossless.avif': { kind: 'values', sha256: '8b85aa187d890542579ae6bde776f1319fdd8a7192b3a96de83f0fd81960ccae', reason: AVIF_COLOUR },
  'avif/current_avif_rgb_q30_420.avif': { kind: 'values', sha256: '332d3d6ecc62784d8bfc4c3d03035777b5c7d38e035ab8b171930b58ce5bd089', reason: AVIF_COLOUR },
  'avif/current_avif_rgb_q30_444.avif': { kind: 'values', sha256: 'c1e5207b674352345f53360358503c4d9390f2464270d11d7d00b7a0c0ce3b2c', reason: AVIF_COLOUR },
  'avif/current_avif_rgb_q75_420.avif': { kind: 'values', sha256: '602645725c2ef13ffd1ea200233cb386c35352d1d221b0f3e550de5a9edd33b0', reason: AVIF_COLOUR },
  'avif/current_avif_rgb_q75_444.avif': { kind: 'values', sha256: 'cb217ccf2f210daf5b2e4b1edadedc4fa564eedf7838e8ca9908008690b506b8', reason: AVIF_COLOUR },
  'avif/current_avif_rgb_q95_420.avif': { kind: 'values', sha256: 'a10621030626c4579482d0580f99c4ace4732ae443222edd330e6f59b7a0ce33', reason: AVIF_COLOUR },
  'avif/current_avif_rgb_q95_444.avif': { kind: 'values', sha256: '660203248ca62aac34165d1687aadbe7698e2bf194d04f3c181ad9fe34151363', reason: AVIF_COLOUR },
  'avif/current_avif_rgba_q75.avif': { kind: 'values', sha256: 'aed4651df62b6a08ce544b68582a8e3e9e8dde60884a1c198126ea2f766ccb8f', reason: AVIF_COLOUR },
  'avif/exif.avif': { kind: 'values', sha256: '0ad7252e75cb426a1bc11223d8677c75fb98572bdc5540082ed4af20f77c3b46', reason: AVIF_COLOUR },
  'avif/hopper.avif': { kind: 'values', sha256: 'cd632f62fa8406b949b7da5bd30c23f8991b4ae428d61c3110c08bbcb3997866', reason: AVIF_COLOUR },
  'avif/icc_profile.avif': { kind: 'values', sha256: 'fec4fda859ee487d466d8cb91c3249b87d15b922b57ffc352a222ac5e1a62f9b', reason: AVIF_COLOUR },
  'avif/icc_profile_none.avif': { kind: 'values', sha256: 'fec4fda859ee487d466d8cb91c3249b87d15b922b57ffc352a222ac5e1a62f9b', reason: AVIF_COLOUR },
  'avif/rot0mir0.avif': { kind: 'values', sha256: 'eb144a6942a2a626a7c5cb008b16be9cc0e2833f820b0e89789cab408844a08e', reason: AVIF_COLOUR },
  'avif/rot0mir1.avif': { kind: 'values', sha256: '3f3c9c81df08ab11de33b51430983e41983c1615998da1f62896c09d9056dc65', reason: AVIF_COLOUR },
  'avif/rot1mir0.avif': { kind: 'values', sha256: 'b4772447e19e2e144787b43c578c54e4dacc292ee35e02c1ac132038fd330da9', reason: AVIF_COLOUR },
  'avif/rot1mir1.avif': { kind: 'values', sha256: 'dd0748d736ca30d1b57b96ad2e893eab47a33c3242631f66d11a8b2494566e67', reason: AVIF_COLOUR },
  'avif/rot2mir0.avif': { kind: 'values', sha256: '9b71010a68735f1bd0a4f7e701a96223b148f59c0b8609919cdb9fbe79031e99', reason: AVIF_COLOUR },
  'avif/rot2mir1.avif': { kind: 'values', sha256: '2d1576e1b43b5f6e27f10352b94e8ac5a729af38a789c2a00ca796895aaaa6e1', reason: AVIF_COLOUR },
  'avif/rot3mir0.avif': { kind: 'values', sha256: 'b950d770ff152d75218ba1ad1b1b2e7b03372fc308a69b89b8c52965e3a664ae', reason: AVIF_COLOUR },
  'avif/rot3mir1.avif': { kind: 'values', sha256: 'a83386d1a89631e2e05148ac4053dc121044067d359cb83c3524331fa1aff259', reason: AVIF_COLOUR },
  'avif/star.avifs': { kind: 'values', sha256: '858f4b24964a933edc08d18fe361e94259ca656f0aebf8c0c04f9c9fdfe00903', reason: AVIF_COLOUR, framesFrom: 1 },
  'avif/transparency.avif': { kind: 'values', sha256: '385bfa60f0be8962ce0fcba27409897293c3e2368d86d6c7a30bd929cbde4843', reason: AVIF_COLOUR },
  'avif/xmp_tags_orientation.avif': { kind: 'values', sha256: '553f8626cc34cc0fc81b16c7f8cb083f670eaf5a1585e44d0bfab901dc0b0682', reason: AVIF_COLOUR },
  'avif/hopper-missing-pixi.avif': { kind: 'fails', code: 'ERR_IMARRAY_DECODE', reason: 'no pixi property: libavif 1.0 (the WebAssembly build) refuses it, Pillow\'s 1.4 reads it' },
};

/** Old-style JPEG in TIFF decodes with the native libjpeg-turbo decoder only. */
const OJPEG_WITHOUT_NATIVE: Readonly<Record<string, Deviation>> = {
  'tiff/old-style-jpeg-compression.tif': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: 'old-style (compression 6) JPEG TIFF: decoded by the native libjpeg-turbo decoder, not built here' },
  'tiff/old-style-jpeg-compression-no-samplesperpixel.tif': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: 'old-style (compression 6) JPEG TIFF: decoded by the native libjpeg-turbo decoder, not built here' },
};

export const DEVIATIONS: Readonly<Record<string, Deviation>> = {
  // Pillow's ZipDecode stops without an error when the zlib stream ends right after a whole
  // row, and returns the image with the rows never sent left black. That is silent garbage;
  // imarray raises the truncation (loadTruncated gives Pillow's partial image).
  'png/malformed/short_stream.png': { kind: 'fails', code: 'ERR_IMARRAY_TRUNCATED', reason: 'image data ends before the last row: typed error, not black rows' },
  // libjpeg-turbo's SIMD IDCTs (SSE2 on x64, NEON on arm64) treat the out-of-range coefficients
  // of this corrupt scan differently; test/codecs/jpeg/jpeg.test.ts bounds it (47 of 250,000 values on arm64)
  // RLE4 absolute runs: Pillow 12.3 gives every second pixel of these runs as 0; its plugin at
  // the corpus commit (BmpRleDecoder, 2026-08) and the BMP suite's pictures give both nibbles,
  // as imarray does (docs: "Pillow versions")
  'bmp/g/pal4rle.bmp': { kind: 'values', sha256: '15a793c35adf7c4a2fd5ceed62d85cfa5a4bae6245eadb5e1ec675fb83daa168', reason: 'RLE4 absolute runs: both nibbles, as the BMP suite intends' },
  'bmp/q/pal4rletrns.bmp': { kind: 'values', sha256: '603c53bd5ef3574461ef4fad2eaa98b62f74994cf7bc21389875bed7cf054934', reason: 'RLE4 absolute runs: both nibbles, as the BMP suite intends' },
  // MPO: frame 0 only so far (nFrames is right; seek to the second picture raises EndOfSequenceError)
  // TIFF: big-endian 16-bit grey is Pillow's mode I;16B (a >u2 array); JS typed arrays are
  // native-endian, so imarray gives the same values as I;16 (<u2)
  'tiff/16bit.MM.cropped.tif': { kind: 'byteorder', mode: 'I;16', reason: 'I;16B as I;16: the same values in native byte order' },
  'tiff/16bit.MM.deflate.tif': { kind: 'byteorder', mode: 'I;16', reason: 'I;16B as I;16: the same values in native byte order' },
  // TIFF compressions whose decoder sharp's libtiff is built without (LZMA: imarray's liblzma, where the native kernel has it)
  ...(nativeLzma() === null ? { 'tiff/hopper_lzma.tif': { kind: 'fails', code: 'ERR_IMARRAY_UNSUPPORTED', reason: 'LZMA-compressed TIFF: liblzma is in the native kernel, not built here' } } : {}),
  ...(nativeJpeg() === null ? OJPEG_WITHOUT_NATIVE : {}),
  // Pillow's libtiff has no WebP codec either and says "decoder error -2"; imarray names the compression
  'tiff/hopper_webp.tif': { kind: 'code', code: 'ERR_IMARRAY_UNSUPPORTED', reason: 'WebP-compressed TIFF: unsupported, named as such' },
  ...(nativeJ2k() === null ? J2K_WASM : {}),
  // A JP2 whose codestream is cut (no end marker) and does not decode: Pillow says "broken data
  // stream", imarray names the truncation (TruncatedImageError; loadTruncated gives Pillow's array)
  'jpeg2000/balloon_eciRGBv2_aware.jp2': { kind: 'code', code: 'ERR_IMARRAY_TRUNCATED', reason: 'cut codestream: TruncatedImageError' },
  ...(nativeAvif() === null ? AVIF_WASM : {}),
  'jpeg/hopper_bad_exif.jpg': { kind: 'platform', exactOn: 'x64', reason: 'corrupt scan: SIMD IDCT differs by architecture' },
};
