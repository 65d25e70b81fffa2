/**
 * `img.convert(mode)`: Pillow's conversions, one pass from the source storage into the new
 * image's one allocation. Implemented so far: P -> RGB and P -> RGBA (tRNS applied as
 * Pillow's `putpalettealpha(s)`), and the identity.
 */
import { UnsupportedError, invalidArgument } from './errors.js';
import { fromStorage, type Image } from './image.js';
import { allocate, isMode, type ArrayOf, type Mode } from './modes.js';

/** Pillow's palette for a P image: entries past the file's palette are the grey ramp (i, i, i). */
function paletteTable(img: Image, alpha: boolean): Uint8Array {
  const table = new Uint8Array(256 * 4);
  for (let i = 0; i < 256; i++) table.fill(i, i * 4, i * 4 + 3).fill(255, i * 4 + 3, i * 4 + 4);
  const colors = img.palette?.colors ?? new Uint8Array(0);
  for (let i = 0; i < 256 && i * 3 + 2 < colors.length; i++) table.set(colors.subarray(i * 3, i * 3 + 3), i * 4);
  const t = img.info.transparency;
  if (alpha && typeof t === 'number' && t >= 0 && t < 256) table[t * 4 + 3] = 0;
  if (alpha && t instanceof Uint8Array) for (let i = 0; i < t.length && i < 256; i++) table[i * 4 + 3] = t[i];
  return table;
}

function paletteToRgb(src: Uint8Array, dst: Uint8Array, table: Uint8Array, bands: 3 | 4): void {
  for (let i = 0, o = 0; i < src.length; i++, o += bands) {
    const e = src[i] * 4;
    dst[o] = table[e];
    dst[o + 1] = table[e + 1];
    dst[o + 2] = table[e + 2];
    if (bands === 4) dst[o + 3] = table[e + 3];
  }
}

export function convert<N extends Mode>(img: Image, mode: N): Image<N> {
  if (!isMode(mode)) throw invalidArgument('mode', 'a Pillow mode', mode);
  const src = img._storage('convert');
  if ((img.mode) === mode) {
    return fromStorage(mode, img.size, src.slice() as ArrayOf<N>, { ...img.info }, img.palette);
  }
  if (img.mode === 'P' && (mode === 'RGB' || mode === 'RGBA')) {
    const out = allocate(mode, img.width, img.height) as Uint8Array;
    paletteToRgb(src as Uint8Array, out, paletteTable(img, mode === 'RGBA'), mode === 'RGB' ? 3 : 4);
    const info = { ...img.info };
    delete info.transparency;
    return fromStorage(mode, img.size, out as ArrayOf<N>, info);
  }
  throw new UnsupportedError(`conversion from ${img.mode} to ${mode} not supported yet`);
}
