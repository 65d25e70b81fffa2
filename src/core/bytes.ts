/**
 * Byte readers for headers and chunks: unsigned/signed integers of either byte order at an
 * offset. A read past the end throws RangeError, which each codec turns into its own typed
 * error (a short chunk, a truncated header...).
 */

function need(s: Uint8Array, o: number, n: number): void {
  if (o < 0 || o + n > s.length) throw new RangeError(`short data: ${n} bytes at offset ${o} of ${s.length}`);
}

export const u8 = (s: Uint8Array, o: number): number => {
  need(s, o, 1);
  return s[o];
};
export const u16be = (s: Uint8Array, o: number): number => {
  need(s, o, 2);
  return (s[o] << 8) | s[o + 1];
};
export const u16le = (s: Uint8Array, o: number): number => {
  need(s, o, 2);
  return s[o] | (s[o + 1] << 8);
};
export const u32be = (s: Uint8Array, o: number): number => {
  need(s, o, 4);
  return ((s[o] << 24) | (s[o + 1] << 16) | (s[o + 2] << 8) | s[o + 3]) >>> 0;
};
export const u32le = (s: Uint8Array, o: number): number => {
  need(s, o, 4);
  return (s[o] | (s[o + 1] << 8) | (s[o + 2] << 16) | (s[o + 3] << 24)) >>> 0;
};
export const i32le = (s: Uint8Array, o: number): number => u32le(s, o) | 0;
export const i32be = (s: Uint8Array, o: number): number => u32be(s, o) | 0;
export const i16le = (s: Uint8Array, o: number): number => (u16le(s, o) << 16) >> 16;
export const i16be = (s: Uint8Array, o: number): number => (u16be(s, o) << 16) >> 16;

/** True when `s` starts with the bytes of the ASCII string `text` at `o`. */
export function startsWith(s: Uint8Array, text: string, o = 0): boolean {
  if (o + text.length > s.length) return false;
  for (let i = 0; i < text.length; i++) if (s[o + i] !== text.charCodeAt(i)) return false;
  return true;
}
