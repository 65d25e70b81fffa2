/**
 * JPEG 2000 back-end 'js': OpenJPEG compiled to WebAssembly (@cornerstonejs/codec-openjpeg) decodes
 * the codestream, and each component's samples are brought to the mode's depth as Pillow's
 * Jpeg2KDecode.c does (shifted to 8 bits, or to 16 for `I;16`, signed samples offset to
 * unsigned). That build decodes one and three components: 2- and 4-component images (LA, RGBA,
 * CMYK), subsampled components and sYCC raise UnsupportedError; the native back-end
 * (`native.ts`) decodes them all.
 */
import { DecodeError, TruncatedImageError, UnsupportedError } from '../../core/errors.js';
import { allocate, bandCount, type ArrayOf, type Mode } from '../../core/modes.js';
import { emscriptenCodec } from '../shared/emscripten.js';
import { isCut, type J2kHeader } from './header.js';

interface FrameInfo { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned: boolean }
interface J2KDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  decode(): void;
  getFrameInfo(): FrameInfo;
  getDecodedBuffer(): Uint8Array;
  delete(): void;
}
interface OpenJpegModule { J2KDecoder: new () => J2KDecoder }

const openjpeg = emscriptenCodec<OpenJpegModule>('@cornerstonejs/codec-openjpeg/decodewasm', () => import('@cornerstonejs/codec-openjpeg/decodewasmjs'));

/** OpenJPEG's colour space for a JP2 `colr` enumerated colour space. */
const OPJ_SPACE: Readonly<Record<number, string>> = { 16: 'srgb', 17: 'gray', 18: 'sycc', 24: 'eycc', 12: 'cmyk' };

/** Pillow's j2k_unpackers: mode, colour space, components, whether subsampled components are taken. */
const UNPACKERS: readonly (readonly [Mode, string, number, boolean])[] = [
  ['L', 'gray', 1, false], ['P', 'srgb', 1, false], ['P', 'cmyk', 1, false], ['PA', 'srgb', 2, false], ['I;16', 'gray', 1, false],
  ['LA', 'gray', 2, false], ['RGB', 'gray', 1, false], ['RGB', 'gray', 2, false], ['RGB', 'srgb', 3, true], ['RGB', 'sycc', 3, true],
  ['RGB', 'srgb', 4, true], ['RGB', 'sycc', 4, true], ['RGBA', 'gray', 1, false], ['RGBA', 'gray', 2, false], ['RGBA', 'srgb', 3, true],
  ['RGBA', 'sycc', 3, true], ['RGBA', 'gray', 4, true], ['RGBA', 'srgb', 4, true], ['RGBA', 'sycc', 4, true], ['CMYK', 'cmyk', 4, true],
];

/** Pillow's j2ku_shift with its rounding offset: a sample of `precision` bits to `bits` bits. */
function scaler(precision: number, signed: boolean, bits: number): (v: number) => number {
  const shift = bits - precision;
  let offset = signed ? 1 << (precision - 1) : 0;
  if (shift < 0) offset += 1 << (-shift - 1);
  const top = bits === 8 ? 0xff : 0xffff;
  return shift < 0 ? (v) => ((offset + v) >>> -shift) & top : (v) => ((offset + v) << shift) & top;
}

export async function decodeWithWasm(h: J2kHeader, into: ArrayOf<Mode> | undefined, name: string): Promise<ArrayOf<Mode>> {
  const comps = h.components;
  const broken = (why: string): never => {
    throw new DecodeError(`broken data stream when reading image file ${name}: ${why}`);
  };
  const unsupported = (why: string): never => {
    throw new UnsupportedError(`${name}: JPEG 2000 ${why} is not supported by the bundled OpenJPEG (WebAssembly) build`);
  };
  // Pillow's unpacker choice (Jpeg2KDecode.c): none for the image's mode, colour space,
  // component count and subsampling is a broken data stream
  if (comps.length < 1 || comps.length > 4) broken(`${comps.length} components`);
  const subsampling = comps.findIndex((c) => c.dx !== 1 || c.dy !== 1);
  let space = h.codec === 'jp2' ? (OPJ_SPACE[h.enumcs ?? -1] ?? 'unknown') : 'unknown';
  if (space === 'unknown') space = comps.length <= 2 ? 'gray' : subsampling === 1 || subsampling === 2 ? 'sycc' : 'srgb';
  const unpacker = UNPACKERS.find((u) => u[0] === h.mode && u[1] === space && u[2] === comps.length && (u[3] || subsampling === -1));
  if (unpacker === undefined) broken(`no unpacker for mode ${h.mode}, ${space}, ${comps.length} components${subsampling >= 0 ? `, component ${subsampling} subsampled` : ''}`);
  // what the WebAssembly build decodes
  if (comps.length !== 1 && comps.length !== 3) unsupported(`with ${comps.length} components`);
  if (subsampling >= 0) unsupported('with subsampled components');
  if (space === 'sycc') unsupported('in YCC colour');
  if (comps.some((c) => c.precision !== comps[0].precision || c.signed !== comps[0].signed || c.precision > 16)) unsupported('with mixed or deep component precisions');
  const mode = h.mode;
  if (bandCount(mode) !== comps.length) unsupported(`${comps.length}-component data for mode ${mode}`);
  // a codestream without its end marker that does not decode was cut short
  const cut = isCut(h.codestream);
  const failed = (why: string, cause?: unknown): never => {
    if (cut) throw new TruncatedImageError(`image file is truncated: ${name}: the codestream has no end marker and ${why}`, { cause });
    throw new DecodeError(`broken data stream when reading image file ${name}: ${why}`, { cause });
  };
  const mod = await openjpeg.get();
  const decoder = new mod.J2KDecoder();
  let samples: Uint8Array;
  let fi: FrameInfo;
  try {
    decoder.getEncodedBuffer(h.codestream.length).set(h.codestream);
    decoder.decode();
    fi = decoder.getFrameInfo();
    samples = decoder.getDecodedBuffer().slice();
  } catch (e) {
    openjpeg.reset();
    return failed(`OpenJPEG failed (${openjpeg.messages.join(' ') || String(e)})`, e);
  } finally {
    openjpeg.clearMessages();
    try {
      decoder.delete();
    } catch {
      // the instance is being replaced after a failure
    }
  }
  if (fi.width !== h.width || fi.height !== h.height || fi.componentCount !== comps.length) {
    return failed(`OpenJPEG gave ${fi.width}x${fi.height}x${fi.componentCount}, the header says ${h.width}x${h.height}x${comps.length}`);
  }
  const n = h.width * h.height * comps.length;
  const wide = comps[0].precision > 8;
  const view = new DataView(samples.buffer, samples.byteOffset, samples.byteLength);
  if (samples.length < n * (wide ? 2 : 1)) throw new DecodeError(`broken data stream when reading image file ${name}: ${samples.length} bytes of samples`);
  const out = into ?? allocate(mode, h.width, h.height);
  const scale = scaler(comps[0].precision, comps[0].signed, mode === 'I;16' ? 16 : 8);
  const signed = comps[0].signed;
  for (let i = 0; i < n; i++) {
    const v = wide ? (signed ? view.getInt16(i * 2, true) : view.getUint16(i * 2, true)) : signed ? (samples[i] << 24) >> 24 : samples[i];
    out[i] = scale(v);
  }
  return out;
}

