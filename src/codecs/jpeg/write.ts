/**
 * JPEG writer through sharp (libjpeg-turbo): L and RGB, quality 75 and 4:2:0 by default as
 * Pillow's; 1 is written as grey, P as RGB. RGBA / LA raise, as in Pillow.
 */
import { invalidArgument } from '../../core/errors.js';
import type { Mode } from '../../core/modes.js';
import type { Writer } from '../codec.js';
import { sharpOfRaster } from '../sharp.js';

export const jpegWriter: Writer = {
  modes: new Set<Mode>(['L', 'RGB']),
  convertFirst: (mode) => (mode === '1' ? 'L' : mode === 'P' ? 'RGB' : undefined),
  checkOptions(options) {
    const quality = options.quality ?? 75;
    if (!Number.isInteger(quality) || quality < 1 || quality > 100) throw invalidArgument('options.quality', 'an integer 1-100', quality);
  },
  async write(r, options) {
    return (await sharpOfRaster(r)).jpeg({ quality: options.quality ?? 75, chromaSubsampling: '4:2:0' }).toBuffer();
  },
};
