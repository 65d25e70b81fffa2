/**
 * PBM / PGM / PPM / PNM and PFM (Pillow's PpmImagePlugin): P1/P4 -> `1`, P2/P5 -> `L` (or `I`,
 * int32, when maxval > 255), P3/P6 -> `RGB`, Pf -> `F` (bottom-up, byte order from the scale's
 * sign), and Pillow's P0CMYK / PyP / PyRGBA / PyCMYK. Binary data at maxval 255 (or 65535 for
 * grey) goes through the raw tile decoder; other maxvals and the ASCII variants are scaled with
 * Python's `round`, as Pillow's decoders do.
 */
import { TruncatedImageError } from '../../core/errors.js';
import { parsePrefix, type Input } from '../../core/input.js';
import { allocate, bandCount, type Mode } from '../../core/modes.js';
import type { ImageInfo } from '../../core/types.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { decodeRawTile } from '../shared/tile.js';
import { parsePpmHeader, type PpmHeader } from './header.js';
import { decodePlainBitmap, decodePlainSamples, decodeScaledSamples } from './plain.js';

function readHeader(input: Input, name: string): Promise<PpmHeader> {
  return parsePrefix(input, 1024, 8, (head, complete) => parsePpmHeader(head, complete, name));
}

/** The raw decoder's rawmode where Pillow uses it, else undefined (a scaling decoder). */
function rawmodeOf(h: PpmHeader): string | undefined {
  if (h.magic === 'P1' || h.magic === 'P2' || h.magic === 'P3') return undefined;
  if (h.mode === '1') return '1;I';
  if (h.mode === 'F') return h.littleEndian === true ? 'F;32F' : 'F;32BF';
  if (h.maxval === 65535 && h.mode === 'I') return 'I;16B';
  return h.maxval === 255 ? h.mode : undefined;
}

export const ppmCodec = {
  format: 'PPM',
  description: 'Netpbm PBM, PGM, PPM (binary and ASCII) and PFM',
  extensions: ['.pbm', '.pgm', '.ppm', '.pnm', '.pfm'],
  mimeTypes: ['image/x-portable-anymap', 'image/x-portable-bitmap', 'image/x-portable-graymap', 'image/x-portable-pixmap'],
  modes: ['1', 'L', 'I', 'RGB', 'F', 'CMYK', 'P', 'RGBA'],
  fuzz: { cases: 600, minSeeds: 15, truncation: ['ppm/hopper_8bit.pgm', 'ppm/hopper_16bit_plain.pgm', 'ppm/hopper.pfm', 'ppm/hopper_1bit.pbm'], cuts: 500 },
  accept: (p) => p.length >= 2 && p[0] === 0x50 && '0123456fy'.includes(String.fromCharCode(p[1])),
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const h = await readHeader(input, name);
    const info: ImageInfo = h.scale === undefined ? {} : { scale: h.scale };
    const header: Header = { format: 'PPM', mode: h.mode, width: h.width, height: h.height, info, nFrames: 1 };
    return {
      header,
      async load({ into } = {}) {
        const mode: Mode = h.mode;
        const out = into ?? allocate(mode, h.width, h.height);
        const rawmode = rawmodeOf(h);
        if (rawmode !== undefined) {
          const tile = { offset: h.offset, rawmode, bottomUp: mode === 'F' };
          await decodeRawTile(input, tile, { out, mode, width: h.width, height: h.height }, name, options.loadTruncated);
          return out;
        }
        const bytes = await input.bytes();
        const outMax = mode === 'I' ? 65535 : 255;
        const maxval = h.maxval ?? 1;
        const n =
          h.magic === 'P1' ? decodePlainBitmap(bytes, h.offset, out, name)
          : h.magic === 'P2' || h.magic === 'P3' ? decodePlainSamples(bytes, h.offset, out, maxval, outMax, name)
          : decodeScaledSamples(bytes, h.offset, out, maxval, outMax, bandCount(mode));
        if (n < out.length && !options.loadTruncated) {
          // Pillow: "not enough image data" (a ValueError from set_as_raw); the data ended early
          throw new TruncatedImageError(`image file is truncated: ${name} (${n} of ${out.length} samples from offset ${h.offset})`);
        }
        return out;
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
