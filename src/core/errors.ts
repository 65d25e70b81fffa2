/**
 * Error classes. Every error imarray throws on bad input or bad arguments is an
 * {@link ImarrayError} with a stable `code`; tests and callers branch on `code` or
 * `instanceof`, never on message text. Messages name the offset or value at fault.
 */

export type ErrorCode =
  | 'ERR_IMARRAY_UNIDENTIFIED'
  | 'ERR_IMARRAY_TRUNCATED'
  | 'ERR_IMARRAY_DECODE'
  | 'ERR_IMARRAY_UNSUPPORTED'
  | 'ERR_IMARRAY_DECOMPRESSION_BOMB'
  | 'ERR_IMARRAY_INVALID_ARGUMENT'
  | 'ERR_IMARRAY_NOT_LOADED'
  | 'ERR_IMARRAY_EOF'
  | 'ERR_IMARRAY_FILE';

/** Base class of every error imarray raises on purpose. */
export class ImarrayError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** No codec recognises the data (Pillow: `UnidentifiedImageError`). */
export class UnidentifiedImageError extends ImarrayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_IMARRAY_UNIDENTIFIED', message, options);
  }
}

/** The data breaks the format's rules (Pillow: `OSError("broken data stream ...")`). */
export class DecodeError extends ImarrayError {
  /** Byte offset in the input where the fault was seen, when known. */
  readonly offset: number | undefined;
  constructor(message: string, options?: { cause?: unknown; offset?: number }) {
    super('ERR_IMARRAY_DECODE', message, options);
    this.offset = options?.offset;
  }
}

/** The input ended early (Pillow: `OSError("image file is truncated")`). */
export class TruncatedImageError extends ImarrayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_IMARRAY_TRUNCATED', message, options);
  }
}

/** Valid input that imarray (like Pillow) does not handle, e.g. 12-bit JPEG. */
export class UnsupportedError extends ImarrayError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_IMARRAY_UNSUPPORTED', message, options);
  }
}

/** Image larger than twice the pixel limit (Pillow: `DecompressionBombError`). */
export class DecompressionBombError extends ImarrayError {
  readonly pixels: number;
  readonly limit: number;
  constructor(pixels: number, limit: number) {
    super(
      'ERR_IMARRAY_DECOMPRESSION_BOMB',
      `Image size (${pixels} pixels) exceeds limit of ${2 * limit} pixels, could be decompression bomb DOS attack.`,
    );
    this.pixels = pixels;
    this.limit = limit;
  }
}

/** The caller passed something imarray cannot use. */
export class InvalidArgumentError extends ImarrayError {
  constructor(message: string) {
    super('ERR_IMARRAY_INVALID_ARGUMENT', message);
  }
}

/** Pixels were asked for before `await img.load()`. */
export class ImageNotLoadedError extends ImarrayError {
  constructor(what: string) {
    super('ERR_IMARRAY_NOT_LOADED', `${what}: the image is not loaded yet; call \`await img.load()\` first`);
  }
}

/** `seek()` past the last frame (Pillow: `EOFError`). */
export class EndOfSequenceError extends ImarrayError {
  constructor(message: string) {
    super('ERR_IMARRAY_EOF', message);
  }
}

/**
 * The file could not be read: missing, a directory, no permission... (Pillow: `OSError`'s
 * `FileNotFoundError`, `IsADirectoryError`, `PermissionError`). `path` names it; `syscall`
 * is Node's code (`ENOENT`, `EISDIR`, `EACCES`...) and `cause` Node's error.
 */
export class FileError extends ImarrayError {
  readonly path: string;
  readonly syscall: string;
  constructor(path: string, cause: Error & { code?: unknown }) {
    const sys = typeof cause.code === 'string' ? cause.code : 'EIO';
    const what: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied', EPERM: 'permission denied', ENOTDIR: 'a parent is not a directory', EMFILE: 'too many open files' };
    super('ERR_IMARRAY_FILE', `cannot read image file ${path}: ${what[sys] ?? cause.message} (${sys})`, { cause });
    this.path = path;
    this.syscall = sys;
  }
}

/** `name` expected `expected` but got `actual`: the one shape of argument messages. */
export function invalidArgument(name: string, expected: string, actual: unknown): InvalidArgumentError {
  let shown: string;
  if (typeof actual === 'string') shown = JSON.stringify(actual);
  else if (actual === null || typeof actual !== 'object') shown = String(actual);
  else if (Array.isArray(actual)) shown = `an array of length ${actual.length}${actual.length <= 8 ? ` [${actual.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(', ')}]` : ''}`;
  else if (ArrayBuffer.isView(actual)) shown = `a ${actual.constructor.name} of ${'length' in actual ? `length ${String(actual.length)}` : `${actual.byteLength} bytes`}`;
  else shown = `an object of type ${actual.constructor.name}`;
  return new InvalidArgumentError(`Expected ${expected} for ${name} but received ${shown}`);
}

/** Throws InvalidArgumentError naming the first key of `options` not in `known`. */
export function checkKeys(what: string, options: object, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new InvalidArgumentError(`${what}: unknown option ${JSON.stringify(key)} (known: ${known.join(', ')})`);
  }
}
