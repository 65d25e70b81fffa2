/**
 * JPEG (and MPO frame 0) through sharp: libvips bundles libjpeg-turbo's decoder (ISLOW IDCT,
 * fancy upsampling), the same as Pillow's, so with Pillow's settings (ICC profile NOT applied,
 * source colourspace kept, EXIF orientation NOT applied) the output equals Pillow's value for
 * value. sharp allocates the result itself and hands it over without a copy; that buffer
 * becomes the image's storage, so a JPEG costs exactly one pixel allocation and no copy.
 */
import type sharpType from 'sharp';
import type { OutputInfo } from 'sharp';
import { DecodeError, TruncatedImageError, UnidentifiedImageError } from '../../errors.js';
import type { Codec, Decoding, OpenOptions } from '../codec.js';
import type { Input } from '../../io/input.js';
import { parseJpegHeader, NeedMoreData, type JpegHeader } from './header.js';

let sharpModule: Promise<typeof sharpType> | undefined;
function loadSharp(): Promise<typeof sharpType> {
  sharpModule ??= import('sharp').then((m) => m.default);
  return sharpModule;
}

/** Reads a growing prefix until the marker walk reaches SOS. */
async function readHeader(input: Input, name: string): Promise<JpegHeader> {
  for (let n = 65536; ; n *= 4) {
    const head = await input.prefix(n);
    try {
      return parseJpegHeader(head, head.length < n, name);
    } catch (e) {
      if (!(e instanceof NeedMoreData)) throw e;
    }
  }
}

export const jpegCodec: Codec = {
  format: 'JPEG',
  accept: (p) => p[0] === 0xff && p[1] === 0xd8 && p[2] === 0xff,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const h = await readHeader(input, name);
    const header = { format: h.format, mode: h.mode, width: h.width, height: h.height, info: h.info, nFrames: h.nFrames };
    return {
      header,
      async load() {
        const sharp = await loadSharp();
        const src = await input.whole();
        let pipeline = sharp(src, {
          ignoreIcc: true,
          failOn: options.loadTruncated ? 'none' : 'truncated',
          limitInputPixels: false, // imarray's own bomb check ran at open()
        });
        if (h.mode === 'L') pipeline = pipeline.toColourspace('b-w');
        else if (h.mode === 'CMYK') pipeline = pipeline.pipelineColourspace('cmyk').toColourspace('cmyk');
        let out: { data: Buffer; info: OutputInfo };
        try {
          out = await pipeline.raw().toBuffer({ resolveWithObject: true });
        } catch (e) {
          const msg = e instanceof Error ? e.message : String(e);
          if (/premature end|truncated/i.test(msg)) {
            throw new TruncatedImageError(`image file is truncated: ${name}: ${msg.split('\n')[0] ?? msg}`, { cause: e });
          }
          if (/unsupported|not a known|bad input/i.test(msg)) {
            throw new UnidentifiedImageError(`cannot identify image file ${name}: ${msg.split('\n')[0] ?? msg}`, { cause: e });
          }
          throw new DecodeError(`broken data stream when reading image file ${name}: ${msg.split('\n')[0] ?? msg}`, { cause: e });
        }
        const { data, info } = out;
        const bands = h.mode === 'L' ? 1 : h.mode === 'RGB' ? 3 : 4;
        if (info.width !== h.width || info.height !== h.height || info.channels !== bands) {
          throw new DecodeError(
            `${name}: decoder returned ${info.width}x${info.height}x${info.channels}, header says ${h.width}x${h.height}x${bands}`,
          );
        }
        // Pillow reads every 4-component JPEG as Adobe-inverted CMYK (rawmode CMYK;I); libvips
        // inverts them all the same way, with or without an APP14 marker (tested both).
        return new Uint8Array(data.buffer, data.byteOffset, data.length);
      },
      close: () => input.close(),
    };
  },
};
