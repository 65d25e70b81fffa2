/**
 * Where imarray deliberately differs from Pillow 12.3 on a fixture, as data: the conformance
 * harness (conformance.test.ts) expects the outcome given here instead of Pillow's, and prints
 * the reason. Keyed by the fixture path under fixtures/. Every entry needs a reason a user can
 * read in docs/pillow-versions.md.
 */
import type { ErrorCode } from '../../src/index.js';

export type Deviation =
  /** imarray raises (with this code) where Pillow gives an image. */
  | { kind: 'fails'; code: ErrorCode; reason: string }
  /** Pillow raises where imarray gives an image (equal to `sha256` of the array). */
  | { kind: 'opens'; sha256: string; reason: string }
  /** imarray raises, as Pillow does, but with another code than the harness derives from Pillow's exception. */
  | { kind: 'code'; code: ErrorCode; reason: string }
  /** Pixels differ on this platform/library build; the mode, size and shape still must match. */
  | { kind: 'values'; reason: string };

export const DEVIATIONS: Readonly<Record<string, Deviation>> = {};
