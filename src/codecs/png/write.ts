/**
 * PNG writer through sharp (libpng): L / LA / RGB / RGBA / I;16 as they are; 1 is written as
 * 8-bit grey 0/255 and P as RGB (RGBA with transparency), where Pillow would keep 1-bit and
 * palette files (the pixels are the same after reading back as that mode).
 */
import { invalidArgument } from '../../core/errors.js';
import type { Mode } from '../../core/modes.js';
import type { EncodeOptions, Writer } from '../codec.js';
import { sharpOfRaster } from '../sharp.js';

/** `compressionLevel`, or its older name `compressLevel`, or Pillow's default 6. */
function compressionLevel(options: EncodeOptions): number {
  // eslint-disable-next-line @typescript-eslint/no-deprecated -- the older name still works
  return options.compressionLevel ?? options.compressLevel ?? 6;
}

export const pngWriter: Writer = {
  modes: new Set<Mode>(['L', 'LA', 'RGB', 'RGBA', 'I;16']),
  convertFirst: (mode, info) => (mode === '1' ? 'L' : mode === 'P' ? (info.transparency !== undefined ? 'RGBA' : 'RGB') : undefined),
  checkOptions(options) {
    const level = compressionLevel(options);
    if (!Number.isInteger(level) || level < 0 || level > 9) throw invalidArgument('options.compressionLevel', 'an integer 0-9', level);
  },
  async write(r, options) {
    return (await sharpOfRaster(r)).png({ compressionLevel: compressionLevel(options) }).toBuffer();
  },
};
