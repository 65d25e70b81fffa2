/**
 * PNG (bit depth, colour type) -> Pillow mode and rawmode: Pillow's `PngImagePlugin._MODES`,
 * as of Pillow >= 10.3 (16-bit grey is `I;16`; 9.4 said `I`). The rawmode names the unpacker.
 */
import type { Mode } from '../../core/modes.js';

export type Rawmode =
  | '1' | 'L;2' | 'L;4' | 'L' | 'I;16B'
  | 'RGB' | 'RGB;16B'
  | 'P;1' | 'P;2' | 'P;4' | 'P'
  | 'LA' | 'LA;16B'
  | 'RGBA' | 'RGBA;16B';

export interface PngLayout {
  mode: Mode;
  rawmode: Rawmode;
  /** Samples per pixel in the file. */
  channels: number;
  bitDepth: number;
}

const TABLE: Record<string, [Mode, Rawmode, number]> = {
  '1,0': ['1', '1', 1],
  '2,0': ['L', 'L;2', 1],
  '4,0': ['L', 'L;4', 1],
  '8,0': ['L', 'L', 1],
  '16,0': ['I;16', 'I;16B', 1],
  '8,2': ['RGB', 'RGB', 3],
  '16,2': ['RGB', 'RGB;16B', 3],
  '1,3': ['P', 'P;1', 1],
  '2,3': ['P', 'P;2', 1],
  '4,3': ['P', 'P;4', 1],
  '8,3': ['P', 'P', 1],
  '8,4': ['LA', 'LA', 2],
  '16,4': ['RGBA', 'LA;16B', 2], // Pillow: L, L, L, A (high bytes)
  '8,6': ['RGBA', 'RGBA', 4],
  '16,6': ['RGBA', 'RGBA;16B', 4],
};

export function pngLayout(bitDepth: number, colorType: number): PngLayout | undefined {
  const e = TABLE[`${bitDepth},${colorType}`];
  return e === undefined ? undefined : { mode: e[0], rawmode: e[1], channels: e[2], bitDepth };
}

/** Bytes per complete pixel for the filter's "left" distance (at least 1). */
export function filterBpp(l: PngLayout): number {
  return Math.max(1, (l.channels * l.bitDepth) >> 3);
}

/** Filtered bytes of one row of `width` pixels (without the filter-type byte). */
export function rowBytes(l: PngLayout, width: number): number {
  return Math.ceil((width * l.channels * l.bitDepth) / 8);
}
