/**
 * QOI, the "Quite OK Image" format (Pillow's QoiImagePlugin): a 14-byte header (magic, width,
 * height big-endian, channels, colour space), then the op stream. Mode RGB when channels is 3,
 * else RGBA, as Pillow decides it.
 */
import { TruncatedImageError, UnidentifiedImageError } from '../../core/errors.js';
import { startsWith, u32be } from '../../core/bytes.js';
import { allocate } from '../../core/modes.js';
import type { Input } from '../../core/input.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { decodeQoi } from './decode.js';

const HEADER_BYTES = 14;

export const qoiCodec = {
  format: 'QOI',
  description: 'Quite OK Image',
  extensions: ['.qoi'],
  mimeTypes: ['image/qoi'],
  modes: ['RGB', 'RGBA'],
  fuzz: { cases: 400, minSeeds: 5, fields: [{ at: 4, bytes: 4 }, { at: 8, bytes: 4 }, { at: 12, bytes: 1 }], truncation: ['qoi/op_index.qoi', 'qoi/hopper.qoi'], cuts: 600 },
  accept: (p) => startsWith(p, 'qoif'),
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const head = await input.prefix(HEADER_BYTES);
    if (head.length < HEADER_BYTES) throw new UnidentifiedImageError(`cannot identify image file ${name}: QOI header of ${head.length} bytes, want ${HEADER_BYTES}`);
    const width = u32be(head, 4);
    const height = u32be(head, 8);
    const mode = head[12] === 3 ? 'RGB' : 'RGBA';
    const header: Header = { format: 'QOI', mode, width, height, info: {}, nFrames: 1 };
    return {
      header,
      async load({ into } = {}) {
        const out = (into ?? allocate(mode, width, height)) as Uint8Array;
        const n = decodeQoi(await input.bytes(), HEADER_BYTES, out, mode === 'RGB' ? 3 : 4);
        if (n < width * height && !options.loadTruncated) {
          throw new TruncatedImageError(`image file is truncated: ${name} (${n} of ${width * height} pixels decoded)`);
        }
        return out;
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
