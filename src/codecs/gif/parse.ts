/**
 * The GIF block structure as Pillow's GifImageFile reads it: the logical screen (size,
 * background, global palette), then per frame its extensions (graphic control: transparency,
 * duration, disposal; comments; application blocks such as NETSCAPE2.0's loop count) and image
 * descriptor (box, interlace, local palette, LZW code size, where its data sub-blocks start).
 */
import { UnidentifiedImageError } from '../../core/errors.js';
import { u16le } from '../../core/bytes.js';

export interface GifScreen {
  version: Uint8Array;
  width: number;
  height: number;
  background?: number;
  /** The global colour table, when it is not the identity grey ramp (Pillow's `_is_palette_needed`). */
  palette?: Uint8Array;
  /** Offset of the first block after the screen descriptor and global table. */
  start: number;
}

export interface GifFrame {
  box: [number, number, number, number];
  interlace: boolean;
  /** Local colour table: the bytes, `false` when present but the identity grey ramp, undefined when absent. */
  palette: Uint8Array | false | undefined;
  transparency?: number;
  duration?: number;
  /** Graphic control disposal bits, 0 when absent (Pillow keeps the last non-zero one). */
  disposal: number;
  comment?: Uint8Array;
  /** Frame 0's application extension: its first sub-block and the offset after it. */
  extension?: [Uint8Array, number];
  loop?: number;
  minCodeSize: number;
  /** Offset of the first data sub-block. */
  dataOffset: number;
}

/** Pillow's `_is_palette_needed`: false when entry i is (i, i, i) for every entry. */
function paletteNeeded(p: Uint8Array): boolean {
  for (let i = 0; i + 2 < p.length; i += 3) if (!(i / 3 === p[i] && p[i] === p[i + 1] && p[i] === p[i + 2])) return true;
  return p.length % 3 !== 0;
}

export function parseScreen(s: Uint8Array, name: string): GifScreen {
  if (s.length < 13) throw new UnidentifiedImageError(`cannot identify image file ${name}: GIF header cut short`);
  const width = u16le(s, 6);
  const height = u16le(s, 8);
  if (width === 0 || height === 0) throw new UnidentifiedImageError(`cannot identify image file ${name}: size ${width}x${height}`);
  const flags = s[10];
  const screen: GifScreen = { version: s.slice(0, 6), width, height, start: 13 };
  if ((flags & 128) !== 0) {
    screen.background = s[11];
    const n = 3 << ((flags & 7) + 1);
    const p = s.subarray(13, 13 + n);
    if (paletteNeeded(p)) screen.palette = p.slice();
    screen.start += n;
  }
  return screen;
}

/** Skips data sub-blocks from `p`; returns the offset after the terminator (or the end of `s`). */
export function skipSubBlocks(s: Uint8Array, p: number): number {
  while (p < s.length && s[p] !== 0) p += s[p] + 1;
  return Math.min(s.length, p + 1);
}

/**
 * The frame starting at `p` (Pillow's `_seek` block loop), or undefined at the trailer or the
 * end of the data (EOFError in Pillow: no more frames). `first`: frame 0 records application blocks.
 */
export function parseFrame(s: Uint8Array, p: number, first: boolean): { frame: GifFrame; next: number } | undefined {
  if (p >= s.length || s[p] === 0x3b) return undefined;
  let transparency: number | undefined;
  let duration: number | undefined;
  let disposal = 0;
  let comment: Uint8Array | undefined;
  let extension: [Uint8Array, number] | undefined;
  let loop: number | undefined;
  while (p < s.length && s[p] !== 0x3b) {
    const t = s[p++];
    if (t === 0x21) {
      if (p >= s.length) break;
      const label = s[p++];
      const size = p < s.length ? s[p] : 0;
      const block = size > 0 && p + 1 + size <= s.length ? s.subarray(p + 1, p + 1 + size) : undefined;
      if (block !== undefined) p += 1 + size;
      else if (size > 0) return undefined; // cut inside a block
      else p++;
      if (label === 0xf9 && block !== undefined) {
        const flags = block[0];
        if ((flags & 1) !== 0 && block.length >= 4) transparency = block[3];
        if (block.length >= 3) duration = u16le(block, 1) * 10;
        const bits = (flags & 0x1c) >> 2;
        if (bits !== 0) disposal = bits;
      } else if (label === 0xfe) {
        const parts: Uint8Array[] = [];
        let len = 0;
        for (let b = block; b !== undefined; ) {
          parts.push(b);
          len += b.length;
          if (p >= s.length || s[p] === 0) break;
          const n = s[p];
          b = p + 1 + n <= s.length ? s.subarray(p + 1, p + 1 + n) : undefined;
          p += 1 + n;
        }
        const c = new Uint8Array(len);
        let o = 0;
        for (const part of parts) {
          c.set(part, o);
          o += part.length;
        }
        if (len > 0) {
          if (comment === undefined) comment = c;
          else {
            const joined = new Uint8Array(comment.length + 1 + c.length);
            joined.set(comment);
            joined[comment.length] = 0x0a;
            joined.set(c, comment.length + 1);
            comment = joined;
          }
        }
        if (block !== undefined) p = skipSubBlocks(s, p);
        continue;
      } else if (label === 0xff && first && block !== undefined) {
        extension = [block.slice(), p];
        if (String.fromCharCode(...block.subarray(0, 11)) === 'NETSCAPE2.0' && p < s.length && s[p] >= 3 && p + 1 + s[p] <= s.length) {
          const sub = s.subarray(p + 1, p + 1 + s[p]);
          if (sub[0] === 1) loop = u16le(sub, 1);
          p += 1 + s[p];
        }
      }
      // Pillow's `while self.data()`: after an empty first sub-block it reads on from there
      p = skipSubBlocks(s, p);
    } else if (t === 0x2c) {
      if (p + 9 > s.length) return undefined;
      const x0 = u16le(s, p);
      const y0 = u16le(s, p + 2);
      const box: [number, number, number, number] = [x0, y0, x0 + u16le(s, p + 4), y0 + u16le(s, p + 6)];
      const flags = s[p + 8];
      p += 9;
      let palette: Uint8Array | false | undefined;
      if ((flags & 128) !== 0) {
        const n = 3 << ((flags & 7) + 1);
        const raw = s.subarray(p, p + n);
        palette = paletteNeeded(raw) ? raw.slice() : false;
        p += n;
      }
      if (p >= s.length) return undefined;
      const minCodeSize = s[p++];
      const frame: GifFrame = { box, interlace: (flags & 64) !== 0, palette, disposal, minCodeSize, dataOffset: p };
      if (transparency !== undefined) frame.transparency = transparency;
      if (duration !== undefined) frame.duration = duration;
      if (comment !== undefined) frame.comment = comment;
      if (extension !== undefined) frame.extension = extension;
      if (loop !== undefined) frame.loop = loop;
      return { frame, next: skipSubBlocks(s, p) };
    }
    // any other byte between blocks is skipped, as Pillow's loop does
  }
  return undefined;
}

/** The LZW data of a frame: its sub-blocks joined into one buffer. */
export function frameData(s: Uint8Array, p: number): Uint8Array {
  let n = 0;
  for (let q = p; q < s.length && s[q] !== 0; q += s[q] + 1) n += Math.min(s[q], s.length - q - 1);
  const out = new Uint8Array(n);
  let o = 0;
  for (let q = p; q < s.length && s[q] !== 0; q += s[q] + 1) {
    const part = s.subarray(q + 1, Math.min(s.length, q + 1 + s[q]));
    out.set(part, o);
    o += part.length;
  }
  return out;
}
