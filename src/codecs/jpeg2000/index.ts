/**
 * JPEG 2000, codestreams (.j2k, .j2c, .jpc) and JP2 files (.jp2, .jpf, .jpx), as Pillow's
 * Jpeg2KImagePlugin opens them (`header.ts`: mode, size, palette, info) and decodes them with
 * OpenJPEG: imarray's native OpenJPEG decoder (`native.ts` + `openjpeg.c`, Pillow's
 * Jpeg2KDecode.c; the default where the native kernel has it: prebuilt for linux-x64/arm64), or
 * OpenJPEG in WebAssembly (`wasm.ts`, `backend: 'js'`, or automatically elsewhere; 1 and 3
 * components only).
 */
import { UnidentifiedImageError } from '../../core/errors.js';
import type { Input } from '../../core/input.js';
import { nativeJ2k } from '../../kernels/native.js';
import type { Codec, Decoding, Header, OpenOptions } from '../codec.js';
import { chooseBackend } from '../sharp.js';
import { HeaderError, isJpeg2000, parseJ2kHeader, type J2kHeader } from './header.js';
import { decodeWithNative } from './native.js';
import { decodeWithWasm } from './wasm.js';

export const jpeg2000Codec = {
  format: 'JPEG2000',
  description: 'JPEG 2000 codestreams and JP2 (OpenJPEG: native, or WebAssembly for 1 and 3 components)',
  extensions: ['.jp2', '.j2k', '.jpc', '.jpf', '.jpx', '.j2c'],
  mimeTypes: ['image/jp2'],
  backends: ['native', 'js'],
  modes: ['L', 'I;16', 'P', 'RGB', 'LA', 'PA', 'RGBA', 'CMYK'],
  fuzz: { cases: 150, minSeeds: 10, fields: [{ at: 6, bytes: 2 }, { at: 8, bytes: 4 }, { at: 12, bytes: 4 }, { at: 40, bytes: 2 }], truncation: ['jpeg2000/current_j2k_rgb.j2k'], cuts: 60 },
  accept: isJpeg2000,
  async open(input: Input, options: Required<OpenOptions>, name: string): Promise<Decoding> {
    const s = await input.bytes();
    let h: J2kHeader;
    try {
      h = parseJ2kHeader(s);
    } catch (e) {
      if (e instanceof HeaderError || e instanceof RangeError) throw new UnidentifiedImageError(`cannot identify image file ${name}: ${e.message}`, { cause: e });
      throw e;
    }
    if (h.width <= 0 || h.height <= 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: size ${h.width}x${h.height}`);
    const header: Header = { format: 'JPEG2000', mode: h.mode, width: h.width, height: h.height, info: h.info, nFrames: 1 };
    if (h.palette !== undefined) header.palette = h.palette;
    const native = nativeJ2k();
    const chosen = await chooseBackend(jpeg2000Codec.backends, options.backend, name, native !== null);
    return {
      header,
      offThread: chosen === 'native',
      load: ({ into } = {}) => (chosen === 'native' && native !== null ? decodeWithNative(native, s, h, options.loadTruncated, name, into) : decodeWithWasm(h, into, name)),
      close: () => input.close(),
    };
  },
} satisfies Codec;
