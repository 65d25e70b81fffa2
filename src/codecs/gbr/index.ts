/**
 * GBR, GIMP brushes (Pillow 12's GbrImagePlugin): versions 1 and 2, 1 byte a pixel -> `L`,
 * 4 -> `RGBA`, rows top-down after the header and its comment; `info.comment` (and `spacing`
 * for version 2).
 */
import { UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import { startsWith, u32be } from '../../core/bytes.js';
import type { Input } from '../../core/input.js';
import type { ImageInfo } from '../../core/types.js';
import { allocate } from '../../core/modes.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { decodeRawTile } from '../shared/tile.js';

export const gbrCodec = {
  format: 'GBR',
  description: 'GIMP brush',
  extensions: ['.gbr'],
  mimeTypes: [],
  modes: ['L', 'RGBA'],
  fuzz: { cases: 300, minSeeds: 2, fields: [{ at: 0, bytes: 4 }, { at: 8, bytes: 4 }, { at: 12, bytes: 4 }, { at: 16, bytes: 4 }], truncation: ['gbr/brush_v2_rgba.gbr'], cuts: 200 },
  accept: (p) => p.length >= 8 && u32be(p, 0) >= 20 && (u32be(p, 4) === 1 || u32be(p, 4) === 2),
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const head = await input.prefix(28);
    const bad = (why: string): never => {
      throw new UnidentifiedImageError(`cannot identify image file ${name}: ${why}`);
    };
    if (head.length < 20) bad('GIMP brush header cut short');
    const headerSize = u32be(head, 0);
    const version = u32be(head, 4);
    const width = u32be(head, 8);
    const height = u32be(head, 12);
    const depth = u32be(head, 16);
    if (width === 0 || height === 0) bad('not a GIMP brush');
    if (depth !== 1 && depth !== 4) throw new UnsupportedError(`Unsupported GIMP brush color depth: ${depth} (${name})`);
    const info: ImageInfo = {};
    let commentAt = 20;
    let commentLength = headerSize - 20;
    if (version === 2) {
      if (!startsWith(head, 'GIMP', 20)) bad('not a GIMP brush, bad magic number');
      info.spacing = u32be(head, 24);
      commentAt = 28;
      commentLength = headerSize - 28;
    }
    const all = await input.prefix(commentAt + Math.max(0, commentLength));
    info.comment = all.slice(commentAt, Math.max(commentAt, commentAt + commentLength - 1));
    const mode = depth === 1 ? 'L' : 'RGBA';
    const header: Header = { format: 'GBR', mode, width, height, info, nFrames: 1 };
    const offset = commentAt + Math.max(0, commentLength);
    return {
      header,
      async load({ into } = {}) {
        const out = into ?? allocate(mode, width, height);
        await decodeRawTile(input, { offset, rawmode: mode }, { out, mode, width, height }, name, options.loadTruncated);
        return out;
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
