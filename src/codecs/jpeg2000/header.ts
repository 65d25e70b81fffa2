/**
 * JPEG 2000 headers as Pillow's Jpeg2KImagePlugin reads them at open: a raw codestream (SIZ
 * gives the size and, from the component count and the first component's precision, the mode)
 * or a JP2 file (the `jp2h` box: `ihdr`, `colr`, `pclr`, `res `/`resc`), and the
 * first COM marker as `info.comment`. Also the codestream's SIZ in full (every component's
 * precision, sign and subsampling), which the decoder checks against what it supports.
 */
import type { Mode } from '../../core/modes.js';
import type { ImageInfo, Palette } from '../../core/types.js';

export const J2K_SIGNATURE = [0xff, 0x4f, 0xff, 0x51] as const;
export const JP2_SIGNATURE = [0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a] as const;

/** Why Pillow's `_open` rejects the header (SyntaxError, ValueError, OSError), with its message. */
export class HeaderError extends Error {}

export interface Component {
  readonly precision: number;
  readonly signed: boolean;
  readonly dx: number;
  readonly dy: number;
}

export interface J2kHeader {
  readonly codec: 'j2k' | 'jp2';
  readonly width: number;
  readonly height: number;
  readonly mode: Mode;
  readonly info: ImageInfo;
  readonly palette?: Palette;
  /** The codestream (a JP2 file's `jp2c` box contents). */
  readonly codestream: Uint8Array;
  /** The JP2 `colr` enumerated colour space (16 sRGB, 17 grey, 18 sYCC, 12 CMYK), if any. */
  readonly enumcs?: number;
  readonly components: readonly Component[];
}

/** A codestream that does not end with its EOC marker (FF D9): the file was cut. */
export const isCut = (cs: Uint8Array): boolean => cs.length < 2 || cs[cs.length - 2] !== 0xff || cs[cs.length - 1] !== 0xd9;

const startsWith = (s: Uint8Array, sig: readonly number[]): boolean => s.length >= sig.length && sig.every((b, i) => s[i] === b);

export function isJpeg2000(prefix: Uint8Array): boolean {
  return startsWith(prefix, J2K_SIGNATURE) || startsWith(prefix, JP2_SIGNATURE);
}

const u16 = (s: Uint8Array, o: number): number => (s[o] << 8) | s[o + 1];
const u32 = (s: Uint8Array, o: number): number => ((s[o] << 24) | (s[o + 1] << 16) | (s[o + 2] << 8) | s[o + 3]) >>> 0;

/** Pillow's `_parse_codestream` from the SIZ marker at `at` (just after SOC), plus the components. */
function parseSiz(s: Uint8Array, at: number): { width: number; height: number; mode: Mode | undefined; components: Component[] } {
  if (at + 2 > s.length) throw new HeaderError('not enough data for the SIZ marker');
  const lsiz = u16(s, at);
  if (lsiz < 38) throw new HeaderError('SIZ marker length must be at least 38');
  if (at + lsiz > s.length) throw new HeaderError(`SIZ marker of ${lsiz} bytes runs past the end of the file`);
  const xsiz = u32(s, at + 4);
  const ysiz = u32(s, at + 8);
  const xosiz = u32(s, at + 12);
  const yosiz = u32(s, at + 16);
  const csiz = u16(s, at + 36);
  const components: Component[] = [];
  for (let c = 0; c < csiz && at + 38 + 3 * c + 3 <= at + lsiz; c++) {
    const ssiz = s[at + 38 + 3 * c];
    components.push({ precision: (ssiz & 0x7f) + 1, signed: (ssiz & 0x80) !== 0, dx: s[at + 39 + 3 * c], dy: s[at + 40 + 3 * c] });
  }
  let mode: Mode | undefined;
  if (csiz === 1) mode = ((s[at + 38] ?? 0) & 0x7f) + 1 > 8 ? 'I;16' : 'L';
  else if (csiz === 2) mode = 'LA';
  else if (csiz === 3) mode = 'RGB';
  else if (csiz === 4) mode = 'RGBA';
  return { width: xsiz - xosiz, height: ysiz - yosiz, mode, components };
}

/** Pillow's `_parse_comment`: the first COM marker of the main header (its text after the 2-byte registration). */
function parseComment(s: Uint8Array, at: number, info: ImageInfo): void {
  let p = at;
  while (p + 2 <= s.length) {
    const typ = s[p + 1];
    p += 2;
    if (typ === 0x90 || typ === 0xd9) return;
    if (p + 2 > s.length) return;
    const length = u16(s, p);
    if (length < 2) throw new HeaderError('Marker length too small');
    if (typ === 0x64) {
      info.comment = s.slice(Math.min(s.length, p + 4), Math.min(s.length, p + length));
      return;
    }
    p += length;
  }
}

interface Box { readonly type: string; readonly start: number; readonly end: number }

/** The boxes of `s[from..to)` as Pillow's BoxReader walks them (a box may not claim more than is left). */
function boxes(s: Uint8Array, from: number, to: number): Box[] {
  const out: Box[] = [];
  let p = from;
  while (p < to) {
    if (p + 8 > to) throw new HeaderError('Not enough data in header');
    let lbox = u32(s, p);
    const type = String.fromCharCode(s[p + 4], s[p + 5], s[p + 6], s[p + 7]);
    let hlen = 8;
    if (lbox === 1) {
      if (p + 16 > to) throw new HeaderError('Not enough data in header');
      lbox = u32(s, p + 8) * 2 ** 32 + u32(s, p + 12);
      hlen = 16;
    }
    if (lbox < hlen || p + lbox > to) throw new HeaderError('Invalid header length');
    out.push({ type, start: p + hlen, end: p + lbox });
    p += lbox;
  }
  return out;
}

/** Pillow's `_res_to_dpi`: (num / denom) * 10^exp dots per metre, in dots per inch. */
const resToDpi = (num: number, denom: number, exp: number): number | undefined => (denom === 0 ? undefined : (254 * num * 10 ** exp) / (10000 * denom));

export function parseJ2kHeader(s: Uint8Array): J2kHeader {
  const info: ImageInfo = {};
  if (startsWith(s, J2K_SIGNATURE)) {
    const siz = parseSiz(s, 4);
    if (siz.mode === undefined) throw new HeaderError('unable to determine J2K image mode');
    parseComment(s, 4 + u16(s, 4), info);
    return { codec: 'j2k', width: siz.width, height: siz.height, mode: siz.mode, info, codestream: s, components: siz.components };
  }
  if (!startsWith(s, JP2_SIGNATURE)) throw new HeaderError('not a JPEG 2000 file');
  // Pillow reads top-level boxes until jp2h (no file length known: a box is skipped, not checked)
  let jp2h: Box | undefined;
  for (let p = 12; jp2h === undefined; ) {
    if (p + 8 > s.length) throw new HeaderError(`Expected to read 8 bytes but only got ${Math.max(0, s.length - p)}.`);
    let lbox = u32(s, p);
    const type = String.fromCharCode(s[p + 4], s[p + 5], s[p + 6], s[p + 7]);
    let hlen = 8;
    if (lbox === 1) {
      if (p + 16 > s.length) throw new HeaderError('Expected to read 8 bytes');
      lbox = u32(s, p + 8) * 2 ** 32 + u32(s, p + 12);
      hlen = 16;
    }
    if (lbox < hlen) throw new HeaderError('Invalid header length');
    if (type === 'jp2h') {
      if (p + lbox > s.length) throw new HeaderError(`Expected to read ${lbox - hlen} bytes but only got ${s.length - p - hlen}.`);
      jp2h = { type, start: p + hlen, end: p + lbox };
    }
    p += lbox;
  }
  let size: [number, number] | undefined;
  let mode: Mode | undefined;
  let nc = 0;
  let colr: string | undefined;
  let enumcs: number | undefined;
  let palette: Palette | undefined;
  const need = (b: Box, n: number): void => {
    if (b.end - b.start < n) throw new HeaderError('Not enough data in header');
  };
  for (const b of boxes(s, jp2h.start, jp2h.end)) {
    if (b.type === 'ihdr') {
      need(b, 11);
      const height = u32(s, b.start);
      const width = u32(s, b.start + 4);
      nc = u16(s, b.start + 8);
      const bpc = s[b.start + 10];
      size = [width, height];
      mode = nc === 1 && (bpc & 0x7f) > 8 ? 'I;16' : nc === 1 ? 'L' : nc === 2 ? 'LA' : nc === 3 ? 'RGB' : nc === 4 ? 'RGBA' : mode;
    } else if (b.type === 'colr') {
      need(b, 7);
      const meth = s[b.start];
      const cs = u32(s, b.start + 3);
      if (meth === 1) {
        enumcs = cs;
        if (cs === 0 || cs === 15) colr = '1';
        else if (cs === 12) {
          colr = 'CMYK';
          if (nc === 4) mode = 'CMYK';
        } else if (cs === 17) colr = 'L';
      }
    } else if (b.type === 'pclr' && (mode === 'L' || mode === 'LA') && colr !== '1' && colr !== 'L') {
      need(b, 3);
      const ne = u16(s, b.start);
      const npc = s[b.start + 2];
      need(b, 3 + npc + ne * npc);
      let maxDepth = 0;
      for (let i = 0; i < npc; i++) maxDepth = Math.max(maxDepth, s[b.start + 3 + i]);
      if (maxDepth <= 8) {
        const paletteMode = npc === 4 ? (colr === 'CMYK' ? 'CMYK' : 'RGBA') : 'RGB';
        if (paletteMode !== 'RGB') throw new HeaderError(`a ${paletteMode} palette (not supported)`);
        // Pillow's palette.getcolor: each new colour once, in order of first use
        const seen = new Map<string, number>();
        const colors: number[] = [];
        for (let i = 0; i < ne; i++) {
          const at = b.start + 3 + npc + i * npc;
          const c = Array.from(s.subarray(at, at + Math.min(npc, 3)));
          const key = c.join(',');
          if (!seen.has(key)) {
            seen.set(key, seen.size);
            colors.push(...c);
          }
        }
        palette = { mode: 'RGB', colors: Uint8Array.from(colors) };
        mode = mode === 'L' ? 'P' : 'PA';
      }
    } else if (b.type === 'res ') {
      for (const r of boxes(s, b.start, b.end)) {
        if (r.type !== 'resc') continue;
        need(r, 10);
        const h = resToDpi(u16(s, r.start + 4), u16(s, r.start + 6), (s[r.start + 9] << 24) >> 24);
        const v = resToDpi(u16(s, r.start), u16(s, r.start + 2), (s[r.start + 8] << 24) >> 24);
        if (h !== undefined && v !== undefined) info.dpi = [h, v];
        break;
      }
    }
  }
  if (size === undefined || mode === undefined) throw new HeaderError('Malformed JP2 header');
  // the codestream: Pillow looks for it right after jp2h (for the comment); the decoder finds it as a box
  let codestream: Uint8Array = new Uint8Array(0);
  let immediate = false;
  for (let p = jp2h.end; p + 8 <= s.length; ) {
    let lbox = u32(s, p);
    const type = String.fromCharCode(s[p + 4], s[p + 5], s[p + 6], s[p + 7]);
    let hlen = 8;
    if (lbox === 1 && p + 16 <= s.length) {
      lbox = u32(s, p + 8) * 2 ** 32 + u32(s, p + 12);
      hlen = 16;
    }
    if (lbox === 0) lbox = s.length - p;
    if (lbox < hlen) break;
    if (type === 'jp2c') {
      codestream = s.subarray(p + hlen, Math.min(s.length, p + lbox));
      immediate = p === jp2h.end;
      break;
    }
    p += lbox;
  }
  let components: Component[] = [];
  if (startsWith(codestream, J2K_SIGNATURE)) {
    try {
      components = parseSiz(codestream, 4).components;
    } catch (e) {
      if (!(e instanceof HeaderError)) throw e; // the decoder reports a broken codestream at load
    }
    if (immediate && codestream.length >= 6) parseComment(codestream, 4 + u16(codestream, 4), info);
  }
  const header: J2kHeader = { codec: 'jp2', width: size[0], height: size[1], mode, info, codestream, components, ...(enumcs !== undefined ? { enumcs } : {}) };
  return palette === undefined ? header : { ...header, palette };
}
