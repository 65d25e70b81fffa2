/**
 * PCX / Paintbrush (Pillow 12's PcxImagePlugin and PcxDecode.c): 1-bit, 2- and 4-plane bit
 * layers (`P`, the 16-colour header palette), 8-bit `L` or `P` (the 769-byte palette at the end),
 * 24-bit as three planes (`RGB`); byte-run RLE per row of all planes, planes packed as Pillow
 * packs them when the stored stride is wider than the row.
 */
import { DecodeError, TruncatedImageError, UnidentifiedImageError, UnsupportedError } from '../../core/errors.js';
import { u16le } from '../../core/bytes.js';
import type { Input } from '../../core/input.js';
import { allocate, bandCount, type Mode } from '../../core/modes.js';
import type { ImageInfo, Palette } from '../../core/types.js';
import { unpacker } from '../../pixels/unpack.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';

export const pcxCodec = {
  format: 'PCX',
  description: 'ZSoft Paintbrush',
  extensions: ['.pcx'],
  mimeTypes: ['image/x-pcx'],
  modes: ['1', 'L', 'P', 'RGB'],
  fuzz: {
    cases: 400,
    minSeeds: 6,
    // version, bits, box, planes, stride
    fields: [{ at: 1, bytes: 1 }, { at: 3, bytes: 1 }, { at: 4, bytes: 2, littleEndian: true }, { at: 6, bytes: 2, littleEndian: true }, { at: 8, bytes: 2, littleEndian: true }, { at: 10, bytes: 2, littleEndian: true }, { at: 65, bytes: 1 }, { at: 66, bytes: 2, littleEndian: true }], truncation: ['pcx/pcx_p.pcx', 'pcx/pcx_rgb.pcx'], cuts: 300 },
  accept: (p) => p.length >= 2 && p[0] === 10 && [0, 2, 3, 5].includes(p[1]),
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const s = await input.bytes();
    if (s.length < 68) throw new UnidentifiedImageError(`cannot identify image file ${name}: PCX header cut short`);
    const x0 = u16le(s, 4);
    const y0 = u16le(s, 6);
    const x1 = u16le(s, 8) + 1;
    const y1 = u16le(s, 10) + 1;
    if (x1 <= x0 || y1 <= y0) throw new UnidentifiedImageError(`cannot identify image file ${name}: bad PCX image size`);
    const version = s[1];
    const bits = s[3];
    const planes = s[65];
    const provided = u16le(s, 66);
    let mode: Mode;
    let rawmode: string;
    let palette: Palette | undefined;
    if (bits === 1 && planes === 1) [mode, rawmode] = ['1', '1'];
    else if (bits === 1 && (planes === 2 || planes === 4)) {
      [mode, rawmode] = ['P', `P;${planes}L`];
      palette = { mode: 'RGB', colors: s.slice(16, 64) };
    } else if (version === 5 && bits === 8 && planes === 1) {
      [mode, rawmode] = ['L', 'L'];
      const t = s.length - 769;
      if (t >= 0 && s[t] === 12) {
        let grey = true;
        for (let i = 0; i < 256 && grey; i++) grey = s[t + 1 + i * 3] === i && s[t + 2 + i * 3] === i && s[t + 3 + i * 3] === i;
        if (!grey) {
          [mode, rawmode] = ['P', 'P'];
          palette = { mode: 'RGB', colors: s.slice(t + 1) };
        }
      }
    } else if (version === 5 && bits === 8 && planes === 3) [mode, rawmode] = ['RGB', 'RGB;L'];
    else throw new UnsupportedError(`unknown PCX mode (version ${version}, ${bits} bits, ${planes} planes) in ${name}`);
    const width = x1 - x0;
    const height = y1 - y0;
    let stride = Math.floor((width * bits + 7) / 8);
    if (provided !== stride) stride += stride % 2;
    const info: ImageInfo = { dpi: [u16le(s, 12), u16le(s, 14)] };
    const header: Header = { format: 'PCX', mode, width, height, info, nFrames: 1 };
    if (palette !== undefined) header.palette = palette;
    return {
      header,
      load({ into } = {}) {
        const out = into ?? allocate(mode, width, height);
        const unpack = unpacker(mode, rawmode)!;
        const rowBytes = planes * stride;
        const uBits = unpack.bits;
        if (Math.floor((width * uBits + 7) / 8) > rowBytes) throw new DecodeError(`buffer overrun when reading image file ${name} (rows of ${rowBytes} bytes)`);
        const row = new Uint8Array(rowBytes);
        // PcxDecode.c's plane packing: planes of `stride` bytes moved to `xsize` apart
        const layered = uBits === 2 || uBits === 4;
        const xsize = layered ? Math.floor((width + 7) / 8) : width;
        const bands = layered ? uBits : bandCount(mode);
        const planeStride = Math.floor(rowBytes / bands);
        const step = bandCount(mode);
        let x = 0;
        let y = 0;
        let overrun = false;
        for (let p = 128; p < s.length && y < height; ) {
          const b = s[p];
          if ((b & 0xc0) === 0xc0) {
            if (p + 1 >= s.length) break;
            let n = b & 0x3f;
            while (n > 0) {
              if (x >= rowBytes) {
                overrun = true;
                break;
              }
              row[x++] = s[p + 1];
              n--;
            }
            p += 2;
          } else {
            row[x++] = b;
            p++;
          }
          if (x >= rowBytes) {
            if (planeStride > xsize) for (let i = 1; i < bands; i++) row.copyWithin(i * xsize, i * planeStride, i * planeStride + xsize);
            unpack.unpack(row, 0, out, y * width * step, width, step);
            x = 0;
            y++;
          }
        }
        // PcxDecode.c records an overrun and goes on; it is reported only if the rows complete
        if (y < height && !options.loadTruncated) throw new TruncatedImageError(`image file is truncated: ${name} (${y} of ${height} rows)`);
        if (overrun && y === height) throw new DecodeError(`buffer overrun when reading image file ${name}`);
        return Promise.resolve(out);
      },
      close: () => input.close(),
    };
  },
} satisfies Codec;
