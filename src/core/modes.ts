/**
 * Pillow's image modes as one data table: mode -> bands, element type and numpy typestr.
 * Array shape is `[h, w]` for one band and `[h, w, bands]` otherwise (Pillow's
 * `_conv_type_shape`). imarray stores pixels exactly in that packed numpy layout, so an
 * array view needs no repacking (Pillow pads 3-band modes to 4 bytes internally; we don't).
 */

export const DTYPES = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  int32: Int32Array,
  float32: Float32Array,
} as const;

/** The element type of a mode's storage: uint8, uint16 (I;16), int32 (I) or float32 (F). */
export type DType = keyof typeof DTYPES;

/** The typed array that stores one dtype. */
export interface DTypeArrays {
  uint8: Uint8Array;
  uint16: Uint16Array;
  int32: Int32Array;
  float32: Float32Array;
}

/** Pillow's modes: per mode its band names, element type and numpy typestr. */
export const MODES = {
  /** Bilevel. Values are 0/1 (numpy shows bool; Pillow's raw bytes are 0/255). */
  '1': { bands: ['1'], dtype: 'uint8', typestr: '|b1' },
  L: { bands: ['L'], dtype: 'uint8', typestr: '|u1' },
  P: { bands: ['P'], dtype: 'uint8', typestr: '|u1' },
  LA: { bands: ['L', 'A'], dtype: 'uint8', typestr: '|u1' },
  La: { bands: ['L', 'a'], dtype: 'uint8', typestr: '|u1' },
  PA: { bands: ['P', 'A'], dtype: 'uint8', typestr: '|u1' },
  RGB: { bands: ['R', 'G', 'B'], dtype: 'uint8', typestr: '|u1' },
  YCbCr: { bands: ['Y', 'Cb', 'Cr'], dtype: 'uint8', typestr: '|u1' },
  LAB: { bands: ['L', 'A', 'B'], dtype: 'uint8', typestr: '|u1' },
  HSV: { bands: ['H', 'S', 'V'], dtype: 'uint8', typestr: '|u1' },
  RGBA: { bands: ['R', 'G', 'B', 'A'], dtype: 'uint8', typestr: '|u1' },
  RGBa: { bands: ['R', 'G', 'B', 'a'], dtype: 'uint8', typestr: '|u1' },
  RGBX: { bands: ['R', 'G', 'B', 'X'], dtype: 'uint8', typestr: '|u1' },
  CMYK: { bands: ['C', 'M', 'Y', 'K'], dtype: 'uint8', typestr: '|u1' },
  'I;16': { bands: ['I'], dtype: 'uint16', typestr: '<u2' },
  I: { bands: ['I'], dtype: 'int32', typestr: '<i4' },
  F: { bands: ['F'], dtype: 'float32', typestr: '<f4' },
} as const satisfies Record<string, { bands: readonly string[]; dtype: DType; typestr: string }>;

/** A Pillow mode name: '1', 'L', 'P', 'LA', 'RGB', 'RGBA', 'CMYK', 'I;16', 'I', 'F'... */
export type Mode = keyof typeof MODES;

/** The typed array a mode's pixels live in, known statically when the mode is. */
export type ArrayOf<M extends Mode> = DTypeArrays[(typeof MODES)[M]['dtype']];

/** Whether `value` is a mode name imarray knows. */
export function isMode(value: unknown): value is Mode {
  return typeof value === 'string' && Object.hasOwn(MODES, value);
}

/** The number of bands of `mode` (Pillow's `len(im.getbands())`). */
export function bandCount(mode: Mode): number {
  return MODES[mode].bands.length;
}

/** numpy-style shape of a `mode` image of `width` x `height`. */
export function shapeOf(mode: Mode, width: number, height: number): number[] {
  const bands = bandCount(mode);
  return bands === 1 ? [height, width] : [height, width, bands];
}

/** Number of elements (not bytes) of a packed `mode` image. */
export function elementCount(mode: Mode, width: number, height: number): number {
  return width * height * bandCount(mode);
}

/** Allocates zeroed storage for a packed `mode` image: the one allocation per image. */
export function allocate<M extends Mode>(mode: M, width: number, height: number): ArrayOf<M> {
  const Ctor = DTYPES[MODES[mode].dtype];
  return new Ctor(elementCount(mode, width, height)) as ArrayOf<M>;
}

/** Wraps existing bytes as the typed array of `mode`, without copying. */
export function viewAs<M extends Mode>(mode: M, bytes: Uint8Array): ArrayOf<M> {
  const Ctor = DTYPES[MODES[mode].dtype];
  return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / Ctor.BYTES_PER_ELEMENT) as ArrayOf<M>;
}
