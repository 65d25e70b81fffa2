/**
 * PNG chunk stream as a push state machine (PNG spec 5.3): fed blocks of any size, it never
 * joins them. Image-data chunks (IDAT, fdAT) are passed on piece by piece as they arrive;
 * other chunks are collected whole (they are small) and handed over with their CRC verdict.
 * The handler can stop the reader before a chunk; `feed` then returns the bytes consumed so
 * the caller can resume at that absolute offset later.
 */
import { crc32 } from 'node:zlib';

export interface ChunkHandler {
  /** Called at each chunk header. Return false to stop before this chunk. */
  header(type: string, length: number, offset: number): boolean;
  /** A whole non-image-data chunk. */
  chunk(type: string, data: Uint8Array, crcOk: boolean, offset: number): void;
  /** The sequence number of an fdAT chunk (before its data). */
  sequence(seq: number, offset: number): void;
  /** A piece of IDAT / fdAT image data, valid for as long as the block it came from. */
  data(piece: Uint8Array): void;
}

export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

const enum State {
  Signature,
  Header,
  Body,
  Crc,
  Stopped,
}

/** Pillow's `is_cid`: four word characters. */
export function isChunkType(b: Uint8Array, o: number): boolean {
  for (let i = 0; i < 4; i++) {
    const c = b[o + i];
    const word = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
    if (!word) return false;
  }
  return true;
}

export class BadChunkType extends Error {
  constructor(
    readonly bytes: Uint8Array,
    readonly offset: number,
  ) {
    super(`broken PNG file (chunk ${JSON.stringify(String.fromCharCode(...bytes))} at offset ${offset})`);
  }
}
export class BadSignature extends Error {}

const latin1 = new TextDecoder('latin1');

export class ChunkReader {
  private state: State;
  /** Absolute offset of the next byte to consume. */
  pos: number;
  private small = new Uint8Array(8);
  private smallFill = 0;
  private type = '';
  private typeBytes = new Uint8Array(4);
  private length = 0;
  private chunkStart = 0;
  private left = 0;
  private streamed = false;
  private seqLeft = 0;
  private parts: Uint8Array[] = [];
  private crc = 0;
  stopped = false;

  constructor(atSignature: boolean, pos = 0) {
    this.state = atSignature ? State.Signature : State.Header;
    this.pos = pos;
  }

  /** True when the reader sits between chunks (or at the start), i.e. not inside one. */
  get atBoundary(): boolean {
    return this.state === State.Header && this.smallFill === 0;
  }
  /** Type of the chunk being read (for truncation messages). */
  get current(): string {
    return this.type;
  }

  /** Consumes from `block`; returns bytes used (less than its length only when stopped). */
  feed(block: Uint8Array, h: ChunkHandler): number {
    let i = 0;
    const n = block.length;
    this.stopped = false;
    while (i < n) {
      switch (this.state) {
        case State.Signature: {
          i += this.fillSmall(block, i, 8);
          if (this.smallFill === 8) {
            if (!PNG_SIGNATURE.every((b, k) => this.small[k] === b)) throw new BadSignature('not a PNG file');
            this.smallFill = 0;
            this.state = State.Header;
          }
          break;
        }
        case State.Header: {
          i += this.fillSmall(block, i, 8);
          if (this.smallFill < 8) break;
          const s = this.small;
          const start = this.pos + i - 8;
          if (!isChunkType(s, 4)) throw new BadChunkType(s.slice(4, 8), start + 4);
          const length = ((s[0] << 24) | (s[1] << 16) | (s[2] << 8) | s[3]) >>> 0;
          const type = latin1.decode(s.subarray(4, 8));
          if (!h.header(type, length, start)) {
            // stop before this chunk: give the 8 header bytes back
            this.smallFill = 0;
            this.pos += i - 8;
            this.stopped = true;
            this.state = State.Header;
            return i - 8 < 0 ? 0 : i - 8;
          }
          this.smallFill = 0;
          this.type = type;
          this.typeBytes = s.slice(4, 8);
          this.length = length;
          this.chunkStart = start;
          this.left = length;
          this.streamed = type === 'IDAT' || type === 'fdAT';
          this.seqLeft = type === 'fdAT' ? 4 : 0;
          this.parts = [];
          this.crc = crc32(this.typeBytes);
          this.state = State.Body;
          if (length === 0) this.endBody();
          break;
        }
        case State.Body: {
          const take = Math.min(this.left, n - i);
          const piece = block.subarray(i, i + take);
          i += take;
          this.left -= take;
          if (this.streamed) {
            let p = piece;
            if (this.seqLeft > 0) {
              const k = Math.min(this.seqLeft, p.length);
              this.small.set(p.subarray(0, k), 4 - this.seqLeft);
              this.seqLeft -= k;
              p = p.subarray(k);
              if (this.seqLeft === 0) {
                const s = this.small;
                h.sequence(((s[0] << 24) | (s[1] << 16) | (s[2] << 8) | s[3]) >>> 0, this.chunkStart);
              }
            }
            if (p.length > 0) h.data(p);
          } else {
            this.parts.push(piece.slice()); // blocks may be reused by the caller
            this.crc = crc32(piece, this.crc);
          }
          if (this.left === 0) this.endBody();
          break;
        }
        case State.Crc: {
          i += this.fillSmall(block, i, 4);
          if (this.smallFill === 4) {
            const s = this.small;
            const stored = ((s[0] << 24) | (s[1] << 16) | (s[2] << 8) | s[3]) >>> 0;
            this.smallFill = 0;
            this.state = State.Header;
            if (!this.streamed) h.chunk(this.type, this.body(), stored === this.crc >>> 0, this.chunkStart);
          }
          break;
        }
        case State.Stopped:
          return i;
      }
    }
    this.pos += i;
    return i;
  }

  /** Copies up to `want - smallFill` bytes of `block` from `i` into the small buffer. */
  private fillSmall(block: Uint8Array, i: number, want: number): number {
    const take = Math.min(want - this.smallFill, block.length - i);
    this.small.set(block.subarray(i, i + take), this.smallFill);
    this.smallFill += take;
    return take;
  }

  private endBody(): void {
    this.smallFill = 0;
    this.state = State.Crc;
  }

  private body(): Uint8Array {
    if (this.parts.length === 1) return this.parts[0];
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    this.parts = [];
    return out;
  }

  /** Bytes of the current chunk still missing (for "truncated" decisions). */
  get inChunk(): boolean {
    return this.state !== State.Header || this.smallFill > 0;
  }
  /** The chunk body read so far, when the input ends inside a non-data chunk. */
  get partialLength(): number {
    return this.length - this.left;
  }
}
