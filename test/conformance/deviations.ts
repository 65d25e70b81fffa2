/**
 * Where imarray deliberately differs from Pillow 12.3 on a fixture, as data: the conformance
 * harness (conformance.test.ts) expects the outcome given here instead of Pillow's, and prints
 * the reason. Keyed by the fixture path under fixtures/. Every entry needs a reason a user can
 * read in docs/pillow-versions.md.
 */
import type { ErrorCode } from '../../src/index.js';

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
  | { kind: 'platform'; exactOn: NodeJS.Architecture; reason: string };

export const DEVIATIONS: Readonly<Record<string, Deviation>> = {
  // Pillow's ZipDecode stops without an error when the zlib stream ends right after a whole
  // row, and returns the image with the rows never sent left black. That is silent garbage;
  // imarray raises the truncation (loadTruncated gives Pillow's partial image).
  'png/malformed/short_stream.png': { kind: 'fails', code: 'ERR_IMARRAY_TRUNCATED', reason: 'image data ends before the last row: typed error, not black rows' },
  // libjpeg-turbo's SIMD IDCTs (SSE2 on x64, NEON on arm64) treat the out-of-range coefficients
  // of this corrupt scan differently; test/codecs/jpeg/jpeg.test.ts bounds it (47 of 250,000 values on arm64)
  'jpeg/hopper_bad_exif.jpg': { kind: 'platform', exactOn: 'x64', reason: 'corrupt scan: SIMD IDCT differs by architecture' },
};
