/**
 * Pillow's decompression-bomb guard: above `maxImagePixels` a `DecompressionBombWarning`
 * process warning, above twice that a `DecompressionBombError` raised by `open()` before any
 * pixel memory exists. Pillow's default is 1024*1024*1024 // 4 // 3 = 89,478,485 pixels.
 */
import { DecompressionBombError, invalidArgument } from './errors.js';

/** Pillow's default `Image.MAX_IMAGE_PIXELS`: 1024 * 1024 * 1024 // 4 // 3. */
export const DEFAULT_MAX_IMAGE_PIXELS = 89_478_485;
let maxImagePixels: number | null = DEFAULT_MAX_IMAGE_PIXELS;

/** Sets the process-wide limit (Pillow `Image.MAX_IMAGE_PIXELS = n`); `null` turns it off. */
export function setMaxImagePixels(n: number | null): void {
  if (n !== null && !(Number.isInteger(n) && n > 0)) throw invalidArgument('maxImagePixels', 'a positive integer or null', n);
  maxImagePixels = n;
}

/** The process-wide pixel limit (`null`: no limit). */
export function getMaxImagePixels(): number | null {
  return maxImagePixels;
}

/** Throws or warns like Pillow's `_decompression_bomb_check(size)`. */
export function checkDecompressionBomb(width: number, height: number, limit: number | null): void {
  if (limit === null) return;
  const pixels = Math.max(1, width) * Math.max(1, height);
  if (pixels > 2 * limit) throw new DecompressionBombError(pixels, limit);
  if (pixels > limit) {
    process.emitWarning(
      `Image size (${pixels} pixels) exceeds limit of ${limit} pixels, could be decompression bomb DOS attack.`,
      { type: 'DecompressionBombWarning', code: 'IMARRAY_DECOMPRESSION_BOMB' },
    );
  }
}
