/**
 * The AVIF (HEIF / ISOBMFF) boxes that decide what Pillow's AvifImagePlugin reports at open,
 * read without decoding: the primary item's size (`ispe`), whether it has an alpha auxiliary
 * image (`auxl` reference to an item whose `auxC` is an alpha URN) and whether it is
 * monochrome (`av1C`), the `irot`/`imir` transforms (which Pillow turns into an EXIF
 * orientation, not into pixels), the ICC profile (`colr`), Exif and XMP items (`cdsc`), and for
 * image sequences (`avis`) the frame count, timescale and sample durations of the colour track.
 */

/** Why the boxes cannot be read: Pillow's libavif fails at open. */
export class AvifFormatError extends Error {}

export interface AvifHeader {
  readonly width: number;
  readonly height: number;
  readonly alpha: boolean;
  readonly monochrome: boolean;
  /** libavif's irot angle (0-3, counter-clockwise quarter turns) and imir axis (-1: none). */
  readonly rotation: number;
  readonly mirror: number;
  readonly icc?: Uint8Array;
  /** The Exif item's payload after its 4-byte TIFF header offset (libavif's `image->exif`). */
  readonly exif?: Uint8Array;
  readonly xmp?: Uint8Array;
  readonly frames: number;
  /** Per frame [pts, duration] in `timescale` units (one entry of [0, 1] for a still image). */
  readonly timing: readonly (readonly [number, number])[];
  readonly timescale: number;
  /** The file ends inside a top-level box (cut short). */
  readonly truncated: boolean;
  /** The AV1 data, for a decoder that takes AV1 samples (the native back-end). */
  readonly av1: Av1Data;
}

/** Where the AV1 samples of the image are, and what libavif reads around them. */
export interface Av1Data {
  /** The colour image's samples: the primary item's payload, or every frame of a sequence. */
  readonly colour: readonly Uint8Array[];
  /** The alpha auxiliary image's samples, index for index, if there is one. */
  readonly alpha?: readonly Uint8Array[];
  /** A sequence's sync samples (0-based, ascending); absent: every sample is one. */
  readonly sync?: readonly number[];
  /** The container's nclx matrix coefficients and colour primaries; -1 where there is no nclx `colr`. */
  readonly mc: number;
  readonly cp: number;
  /** Why these samples cannot be decoded one picture each (a grid image, premultiplied alpha), if so. */
  readonly unsupported?: string;
}

interface Box { readonly type: string; readonly start: number; readonly end: number; readonly cut?: boolean }

const u16 = (s: Uint8Array, o: number): number => {
  if (o + 2 > s.length) throw new AvifFormatError(`box data ends at ${s.length}, want 2 bytes at ${o}`);
  return (s[o] << 8) | s[o + 1];
};
const u32 = (s: Uint8Array, o: number): number => {
  if (o + 4 > s.length) throw new AvifFormatError(`box data ends at ${s.length}, want 4 bytes at ${o}`);
  return ((s[o] << 24) | (s[o + 1] << 16) | (s[o + 2] << 8) | s[o + 3]) >>> 0;
};
const uN = (s: Uint8Array, o: number, n: number): number => (n === 0 ? 0 : n === 2 ? u16(s, o) : n === 4 ? u32(s, o) : u32(s, o) * 2 ** 32 + u32(s, o + 4));
const fourcc = (s: Uint8Array, o: number): string => String.fromCharCode(s[o], s[o + 1], s[o + 2], s[o + 3]);

function children(s: Uint8Array, from: number, to: number, clip = false): Box[] {
  const out: Box[] = [];
  for (let p = from; p + 8 <= to; ) {
    let size = u32(s, p);
    const type = fourcc(s, p + 4);
    let head = 8;
    if (size === 1) {
      size = u32(s, p + 8) * 2 ** 32 + u32(s, p + 12);
      head = 16;
    } else if (size === 0) size = to - p;
    if (clip && size >= head && p + size > to) {
      // the file ends inside this box: it was cut
      out.push({ type, start: p + head, end: to, cut: true });
      break;
    }
    if (size < head || p + size > to) throw new AvifFormatError(`box '${type}' at offset ${p} of size ${size} does not fit in its parent (ends at ${to})`);
    out.push({ type, start: p + head, end: p + size });
    p += size;
  }
  return out;
}

const find = (boxes: readonly Box[], type: string): Box | undefined => boxes.find((b) => b.type === type);

/** Pillow's `_accept`: an `ftyp` box whose major brand is avif, avis, mif1 or msf1. */
export function isAvif(prefix: Uint8Array): boolean {
  if (prefix.length < 12 || fourcc(prefix, 4) !== 'ftyp') return false;
  return ['avif', 'avis', 'mif1', 'msf1'].includes(fourcc(prefix, 8));
}

const ALPHA_URNS = ['urn:mpeg:mpegB:cicp:systems:auxiliary:alpha', 'urn:mpeg:hevc:2015:auxid:1'];
const cstring = (s: Uint8Array, from: number, to: number): string => {
  let e = from;
  while (e < to && s[e] !== 0) e++;
  return String.fromCharCode(...s.subarray(from, e));
};

export function parseAvif(s: Uint8Array): AvifHeader {
  const top = children(s, 0, s.length, true);
  const truncated = top.some((b) => b.cut === true);
  try {
    return parseBoxes(s, top, truncated);
  } catch (e) {
    if (truncated && e instanceof AvifFormatError) throw new AvifFormatError(`${e.message} (the file is cut inside box '${top[top.length - 1].type}')`, { cause: e });
    throw e;
  }
}

function parseBoxes(s: Uint8Array, top: readonly Box[], truncated: boolean): AvifHeader {
  const ftyp = find(top, 'ftyp');
  if (ftyp === undefined) throw new AvifFormatError('no ftyp box');
  const brands = [fourcc(s, ftyp.start)];
  for (let p = ftyp.start + 8; p + 4 <= ftyp.end; p += 4) brands.push(fourcc(s, p));
  if (!brands.includes('avif') && !brands.includes('avis')) throw new AvifFormatError(`no avif or avis brand among ${brands.join(', ')}`);
  const meta = find(top, 'meta');
  if (meta === undefined) throw new AvifFormatError('no meta box');
  const mb = children(s, meta.start + 4, meta.end);
  const pitm = find(mb, 'pitm');
  if (pitm === undefined) throw new AvifFormatError('no primary item (pitm)');
  const primary = s[pitm.start] === 0 ? u16(s, pitm.start + 4) : u32(s, pitm.start + 4);

  // item types (iinf / infe version 2 and 3)
  const types = new Map<number, { type: string; contentType: string }>();
  const iinf = find(mb, 'iinf');
  if (iinf !== undefined) {
    const v = s[iinf.start];
    for (const infe of children(s, iinf.start + 4 + (v === 0 ? 2 : 4), iinf.end)) {
      if (infe.type !== 'infe') continue;
      const iv = s[infe.start];
      if (iv < 2) continue;
      const id = iv === 2 ? u16(s, infe.start + 4) : u32(s, infe.start + 4);
      const at = infe.start + 4 + (iv === 2 ? 2 : 4) + 2;
      const type = fourcc(s, at);
      let contentType = '';
      if (type === 'mime') {
        const nameEnd = s.indexOf(0, at + 4);
        if (nameEnd >= 0 && nameEnd < infe.end) contentType = cstring(s, nameEnd + 1, infe.end);
      }
      types.set(id, { type, contentType });
    }
  }
  // references: from item -> [type, to items]
  const refs: { type: string; from: number; to: number[] }[] = [];
  const iref = find(mb, 'iref');
  if (iref !== undefined) {
    const wide = s[iref.start] !== 0;
    const n = wide ? 4 : 2;
    for (const r of children(s, iref.start + 4, iref.end)) {
      const from = uN(s, r.start, n);
      const count = u16(s, r.start + n);
      const to = Array.from({ length: count }, (_, i) => uN(s, r.start + n + 2 + i * n, n));
      refs.push({ type: r.type, from, to });
    }
  }
  // properties and their associations
  const props: Box[] = [];
  const assoc = new Map<number, number[]>();
  const iprp = find(mb, 'iprp');
  if (iprp !== undefined) {
    const ib = children(s, iprp.start, iprp.end);
    const ipco = find(ib, 'ipco');
    if (ipco !== undefined) props.push(...children(s, ipco.start, ipco.end));
    for (const ipma of ib.filter((b) => b.type === 'ipma')) {
      const v = s[ipma.start];
      const big = (s[ipma.start + 3] & 1) === 1;
      let p = ipma.start + 4;
      const count = u32(s, p);
      p += 4;
      for (let i = 0; i < count; i++) {
        const id = v < 1 ? u16(s, p) : u32(s, p);
        p += v < 1 ? 2 : 4;
        const k = s[p++];
        const list: number[] = [];
        for (let j = 0; j < k; j++) {
          list.push(big ? u16(s, p) & 0x7fff : s[p] & 0x7f);
          p += big ? 2 : 1;
        }
        assoc.set(id, [...(assoc.get(id) ?? []), ...list]);
      }
    }
  }
  const propsOf = (id: number): Box[] => (assoc.get(id) ?? []).filter((i) => i >= 1 && i <= props.length).map((i) => props[i - 1]);
  const own = propsOf(primary);
  const ispe = find(own, 'ispe');
  if (ispe === undefined) throw new AvifFormatError(`the primary item ${primary} has no ispe (size) property`);
  const width = u32(s, ispe.start + 4);
  const height = u32(s, ispe.start + 8);
  const av1C = find(own, 'av1C');
  const monochrome = av1C !== undefined && av1C.end - av1C.start >= 3 && (s[av1C.start + 2] & 0x10) !== 0;
  const irot = find(own, 'irot');
  const imir = find(own, 'imir');
  let icc: Uint8Array | undefined;
  let nclx = { mc: -1, cp: -1 };
  for (const colr of own.filter((b) => b.type === 'colr')) {
    const t = fourcc(s, colr.start);
    if (t === 'prof' || t === 'rICC') icc = s.slice(colr.start + 4, colr.end);
    if (t === 'nclx' && nclx.mc < 0) nclx = nclxOf(s, colr);
  }
  const isAlpha = (id: number): boolean => {
    const auxC = find(propsOf(id), 'auxC');
    return auxC !== undefined && ALPHA_URNS.includes(cstring(s, auxC.start + 4, auxC.end));
  };
  const alphaItem = refs.find((r) => r.type === 'auxl' && r.to.includes(primary) && isAlpha(r.from))?.from;
  const alpha = alphaItem !== undefined;

  // Exif and XMP items describing the primary item, their bytes through iloc
  const itemBytes = itemReader(s, mb);
  let exif: Uint8Array | undefined;
  let xmp: Uint8Array | undefined;
  for (const r of refs.filter((x) => x.type === 'cdsc' && x.to.includes(primary))) {
    const t = types.get(r.from);
    if (t?.type === 'Exif' && exif === undefined) {
      const data = itemBytes(r.from);
      if (data !== undefined && data.length >= 4) {
        const offset = u32(data, 0);
        if (4 + offset <= data.length) exif = data.slice(4 + offset);
      }
    } else if (t?.type === 'mime' && t.contentType === 'application/rdf+xml' && xmp === undefined) {
      xmp = itemBytes(r.from)?.slice();
    }
  }
  const sequence = sequenceTiming(s, top);
  let av1: Av1Data;
  if (sequence.colourSamples !== undefined) {
    av1 = { colour: sequence.colourSamples, ...(sequence.alphaSamples !== undefined ? { alpha: sequence.alphaSamples } : {}), ...(sequence.sync !== undefined ? { sync: sequence.sync } : {}), ...sequence.nclx };
  } else {
    const colour = itemBytes(primary);
    const alphaBytes = alphaItem === undefined ? undefined : itemBytes(alphaItem);
    const kind = types.get(primary)?.type;
    const why = kind !== 'av01' ? `the primary item is '${kind ?? '?'}', not one AV1 image` : colour === undefined ? 'the primary item has no data' : alphaItem !== undefined && alphaBytes === undefined ? 'the alpha item has no data'
      : refs.some((r) => r.type === 'prem' && r.from === primary) ? 'premultiplied alpha' : undefined;
    av1 = { colour: colour === undefined ? [] : [colour], ...(alphaBytes !== undefined ? { alpha: [alphaBytes] } : {}), ...nclx, ...(why !== undefined ? { unsupported: why } : {}) };
  }
  return {
    width, height, alpha: alpha || sequence.alpha, monochrome,
    rotation: irot !== undefined ? s[irot.start] & 3 : -1,
    mirror: imir !== undefined ? s[imir.start] & 1 : -1,
    frames: sequence.timing.length || 1,
    timing: sequence.timing.length > 0 ? sequence.timing : [[0, 1]],
    timescale: sequence.timescale,
    truncated,
    av1,
    ...(icc !== undefined ? { icc } : {}),
    ...(exif !== undefined ? { exif } : {}),
    ...(xmp !== undefined ? { xmp } : {}),
  };
}

/** Item payloads through `iloc` (construction method 0, file offsets; 1, the `idat` box). */
function itemReader(s: Uint8Array, mb: readonly Box[]): (id: number) => Uint8Array | undefined {
  const iloc = find(mb, 'iloc');
  const idat = find(mb, 'idat');
  const items = new Map<number, Uint8Array>();
  if (iloc !== undefined) {
    const v = s[iloc.start];
    let p = iloc.start + 4;
    const offsetSize = s[p] >> 4;
    const lengthSize = s[p] & 15;
    const baseSize = s[p + 1] >> 4;
    const indexSize = v === 1 || v === 2 ? s[p + 1] & 15 : 0;
    p += 2;
    const count = v < 2 ? u16(s, p) : u32(s, p);
    p += v < 2 ? 2 : 4;
    for (let i = 0; i < count; i++) {
      const id = v < 2 ? u16(s, p) : u32(s, p);
      p += v < 2 ? 2 : 4;
      const method = v === 1 || v === 2 ? u16(s, p) & 15 : 0;
      if (v === 1 || v === 2) p += 2;
      p += 2; // data reference index
      const base = uN(s, p, baseSize);
      p += baseSize;
      const extents = u16(s, p);
      p += 2;
      const parts: Uint8Array[] = [];
      for (let e = 0; e < extents; e++) {
        p += indexSize;
        const off = uN(s, p, offsetSize);
        p += offsetSize;
        const len = uN(s, p, lengthSize);
        p += lengthSize;
        const src = method === 1 && idat !== undefined ? s.subarray(idat.start, idat.end) : s;
        const at = base + off;
        parts.push(src.subarray(at, len === 0 ? src.length : Math.min(src.length, at + len)));
      }
      const total = parts.reduce((n, x) => n + x.length, 0);
      const data = new Uint8Array(total);
      let o = 0;
      for (const x of parts) {
        data.set(x, o);
        o += x.length;
      }
      items.set(id, data);
    }
  }
  return (id) => items.get(id);
}

/** An nclx `colr` box's colour primaries and matrix coefficients. */
function nclxOf(s: Uint8Array, colr: Box): { mc: number; cp: number } {
  if (colr.end - colr.start < 11) return { mc: -1, cp: -1 };
  return { cp: u16(s, colr.start + 4), mc: u16(s, colr.start + 8) };
}

interface Track { timing: [number, number][]; timescale: number; samples: Uint8Array[]; sync?: number[]; nclx: { mc: number; cp: number } }

/** A track's samples (stsz, stsc, stco/co64), sync samples (stss), timing (stts) and its av01 entry's nclx. */
function readTrack(s: Uint8Array, md: readonly Box[]): Track {
  const mdhd = find(md, 'mdhd');
  const timescale = mdhd === undefined ? 1 : u32(s, mdhd.start + 4 + (s[mdhd.start] === 1 ? 16 : 8));
  const minf = find(md, 'minf');
  const stbl = minf === undefined ? undefined : find(children(s, minf.start, minf.end), 'stbl');
  const sb = stbl === undefined ? [] : children(s, stbl.start, stbl.end);
  const stsz = find(sb, 'stsz');
  const count = stsz === undefined ? 0 : u32(s, stsz.start + 8);
  const sizes: number[] = [];
  // every sample is at least a byte of the file, and a table of sizes needs 4 bytes a sample
  if (stsz !== undefined) {
    const sampleSize = u32(s, stsz.start + 4);
    const most = sampleSize === 0 ? Math.floor((stsz.end - stsz.start - 12) / 4) : Math.floor(s.length / sampleSize);
    if (count > most) throw new AvifFormatError(`stsz claims ${count} samples, the file holds at most ${most}`);
    for (let i = 0; i < count; i++) sizes.push(sampleSize !== 0 ? sampleSize : u32(s, stsz.start + 12 + i * 4));
  }
  const durations: number[] = [];
  const stts = find(sb, 'stts');
  if (stts !== undefined) {
    const entries = u32(s, stts.start + 4);
    for (let i = 0; i < entries && durations.length < count; i++) {
      const n = u32(s, stts.start + 8 + i * 8);
      const d = u32(s, stts.start + 12 + i * 8);
      for (let k = 0; k < n && durations.length < count; k++) durations.push(d);
    }
  }
  const timing: [number, number][] = [];
  let pts = 0;
  for (let i = 0; i < count; i++) {
    const d = durations[i] ?? 0;
    timing.push([pts, d]);
    pts += d;
  }
  // chunk offsets, and samples per chunk (stsc runs); tables that do not read leave the track
  // without samples (the WebAssembly back-end, which reads the file itself, decodes it then)
  const samples: Uint8Array[] = [];
  let sync: number[] | undefined;
  let nclx = { mc: -1, cp: -1 };
  try {
    readSamples();
  } catch (e) {
    if (!(e instanceof AvifFormatError)) throw e;
    samples.length = 0;
  }
  return { timing, timescale, samples, ...(sync !== undefined ? { sync } : {}), nclx };

  function readSamples(): void {
    const stco = find(sb, 'stco') ?? find(sb, 'co64');
    const stsc = find(sb, 'stsc');
    if (stco !== undefined && stsc !== undefined && count > 0) {
      const wide = stco.type === 'co64';
      const chunks = Math.min(u32(s, stco.start + 4), Math.floor((stco.end - stco.start - 8) / (wide ? 8 : 4)));
      const runs = Math.min(u32(s, stsc.start + 4), Math.floor((stsc.end - stsc.start - 8) / 12));
      let sample = 0;
      for (let r = 0; r < runs && sample < count; r++) {
        const first = u32(s, stsc.start + 8 + r * 12);
        const perChunk = u32(s, stsc.start + 12 + r * 12);
        const next = r + 1 < runs ? u32(s, stsc.start + 8 + (r + 1) * 12) : chunks + 1;
        for (let c = first; c < next && c <= chunks && sample < count; c++) {
          let at = wide ? uN(s, stco.start + 8 + (c - 1) * 8, 8) : u32(s, stco.start + 8 + (c - 1) * 4);
          for (let k = 0; k < perChunk && sample < count; k++, sample++) {
            samples.push(s.subarray(Math.min(at, s.length), Math.min(at + sizes[sample], s.length)));
            at += sizes[sample];
          }
        }
      }
    }
    const stss = find(sb, 'stss');
    if (stss !== undefined) {
      const n = Math.min(u32(s, stss.start + 4), Math.floor((stss.end - stss.start - 8) / 4));
      sync = Array.from({ length: n }, (_, i) => u32(s, stss.start + 8 + i * 4) - 1);
    }
    // the av01 sample entry's colr (nclx)
    const stsd = find(sb, 'stsd');
    if (stsd !== undefined) {
      const entry = children(s, stsd.start + 8, stsd.end).find((b) => b.type === 'av01');
      // a visual sample entry: 8 bytes of SampleEntry, 70 of VisualSampleEntry, then its boxes
      const colr = entry === undefined || entry.end - entry.start < 78 ? undefined : children(s, entry.start + 78, entry.end).find((b) => b.type === 'colr' && fourcc(s, b.start) === 'nclx');
      if (colr !== undefined) nclx = nclxOf(s, colr);
    }
  }
}

/** An image sequence's colour track (frame count, timescale, per-sample [pts, duration], samples), and its alpha track. */
function sequenceTiming(s: Uint8Array, top: readonly Box[]): {
  timing: [number, number][]; timescale: number; alpha: boolean;
  colourSamples?: Uint8Array[]; alphaSamples?: Uint8Array[]; sync?: number[]; nclx: { mc: number; cp: number };
} {
  const none = { timing: [], timescale: 1, alpha: false, nclx: { mc: -1, cp: -1 } };
  const moov = find(top, 'moov');
  if (moov === undefined) return none;
  let colour: Track | undefined;
  let alphaTrack: Track | undefined;
  let alpha = false;
  for (const trak of children(s, moov.start, moov.end).filter((b) => b.type === 'trak')) {
    const tb = children(s, trak.start, trak.end);
    const mdia = find(tb, 'mdia');
    if (mdia === undefined) continue;
    const md = children(s, mdia.start, mdia.end);
    const hdlr = find(md, 'hdlr');
    const handler = hdlr === undefined ? '' : fourcc(s, hdlr.start + 8);
    const tref = find(tb, 'tref');
    if (handler === 'auxv' || (tref !== undefined && children(s, tref.start, tref.end).some((b) => b.type === 'auxl'))) {
      alpha = true;
      alphaTrack ??= readTrack(s, md);
      continue;
    }
    if (handler !== 'pict' || colour !== undefined) continue;
    colour = readTrack(s, md);
  }
  if (colour === undefined) return { ...none, alpha };
  return {
    timing: colour.timing, timescale: colour.timescale, alpha, nclx: colour.nclx,
    ...(colour.samples.length > 0 ? { colourSamples: colour.samples } : {}),
    ...(alphaTrack !== undefined && alphaTrack.samples.length > 0 ? { alphaSamples: alphaTrack.samples } : {}),
    ...(colour.sync !== undefined ? { sync: colour.sync } : {}),
  };
}
