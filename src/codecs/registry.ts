/** The built-in codecs, tried in order on the first 16 bytes (never the file extension). */
import type { Codec } from './codec.js';
import { jpegCodec } from './jpeg/index.js';
import { pngCodec } from './png/index.js';

export const CODECS: readonly Codec[] = [pngCodec, jpegCodec];

export function identify(prefix: Uint8Array): Codec | undefined {
  return CODECS.find((c) => c.accept(prefix));
}
