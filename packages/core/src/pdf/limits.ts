/*
 * Resource limits of reading one PDF. Every decode and every loop whose length the file decides is
 * counted against them, so a small hostile file (a deflate bomb, 100,000 nested arrays, a /Prev
 * chain that loops) costs bounded memory and time. Over a limit → CoreError PDF_TOO_COMPLEX naming
 * the limit (details.limit, details.max), and the budget remembers it: code that swallows errors
 * while reading cannot turn an over-limit file into a partial report.
 */
import { CoreError } from '../errors.ts';

const MiB = 1024 * 1024;

/** The names of the limits, as error details and configuration say them. */
export type PdfLimitName =
  'decoded-bytes' | 'objects' | 'nesting-depth' | 'xref-sections' | 'object-streams' | 'signatures';

/** Limits of reading one file; each one left out takes its default. */
export interface PdfLimits {
  /** Bytes all decoded streams of the file may add up to (default 4 × file size + 64 MiB). */
  maxDecodedBytes?: number;
  /** Objects in the cross-reference table or one object stream (default 1,000,000). */
  maxObjects?: number;
  /** Arrays and dictionaries inside one another, and references followed while reading one object (default 256). */
  maxNestingDepth?: number;
  /** Cross-reference sections in the /Prev chain (default 10,000); a chain that loops is over it. */
  maxXrefSections?: number;
  /** Object streams decoded (default 100,000). */
  maxObjectStreams?: number;
  /** Signatures and document timestamps verified (default 1,000). */
  maxSignatures?: number;
}

/** The default limits that do not depend on the file's size. */
export const DEFAULT_PDF_LIMITS = {
  maxObjects: 1_000_000,
  maxNestingDepth: 256,
  maxXrefSections: 10_000,
  maxObjectStreams: 100_000,
  maxSignatures: 1_000,
} as const;

/** The default decoded-bytes budget of a file: 4 × its size + 64 MiB. */
export function defaultDecodedBytes(fileSize: number): number {
  return 4 * fileSize + 64 * MiB;
}

/** What going over each limit means, with its maximum. */
const OVER_LIMIT: Record<PdfLimitName, (max: string) => string> = {
  'decoded-bytes': (max) => `its streams decode to more than ${max}`,
  objects: (max) => `it has more than ${max} objects`,
  'nesting-depth': (max) => `its objects are nested more than ${max} deep`,
  'xref-sections': (max) => `its cross-reference chain has more than ${max} sections`,
  'object-streams': (max) => `it has more than ${max} object streams`,
  signatures: (max) => `it has more than ${max} signatures`,
};

/** The limits of one file and what it has used of them; shared by every document read from the file. */
export class PdfBudget {
  readonly maxDecodedBytes: number;
  readonly maxObjects: number;
  readonly maxNestingDepth: number;
  readonly maxXrefSections: number;
  readonly maxObjectStreams: number;
  readonly maxSignatures: number;
  #decodedBytes = 0;
  #objectStreams = 0;
  #exceeded: CoreError | undefined;

  constructor(fileSize: number, limits: PdfLimits = {}) {
    this.maxDecodedBytes = given(limits.maxDecodedBytes) ?? defaultDecodedBytes(fileSize);
    this.maxObjects = given(limits.maxObjects) ?? DEFAULT_PDF_LIMITS.maxObjects;
    this.maxNestingDepth = given(limits.maxNestingDepth) ?? DEFAULT_PDF_LIMITS.maxNestingDepth;
    this.maxXrefSections = given(limits.maxXrefSections) ?? DEFAULT_PDF_LIMITS.maxXrefSections;
    this.maxObjectStreams = given(limits.maxObjectStreams) ?? DEFAULT_PDF_LIMITS.maxObjectStreams;
    this.maxSignatures = given(limits.maxSignatures) ?? DEFAULT_PDF_LIMITS.maxSignatures;
  }

  /** The first limit the file went over, if any (kept even when the error thrown for it was caught). */
  get exceeded(): CoreError | undefined {
    return this.#exceeded;
  }

  /** Decoded bytes used so far. */
  get decodedBytes(): number {
    return this.#decodedBytes;
  }

  /** How many more decoded bytes the file may produce (0 once over a limit). */
  get remainingDecodedBytes(): number {
    if (this.#exceeded) return 0;
    return Math.max(0, this.maxDecodedBytes - this.#decodedBytes);
  }

  /** Counts `bytes` of decoded output; throws when the budget is spent (or any limit was already exceeded). */
  chargeDecoded(bytes: number): void {
    if (this.#exceeded) throw this.#exceeded;
    if (this.#decodedBytes + bytes > this.maxDecodedBytes) this.exceed('decoded-bytes', this.maxDecodedBytes);
    this.#decodedBytes += bytes;
  }

  /** Counts one more decoded object stream. */
  chargeObjectStream(): void {
    if (this.#exceeded) throw this.#exceeded;
    if (++this.#objectStreams > this.maxObjectStreams) this.exceed('object-streams', this.maxObjectStreams);
  }

  /** Throws when `value` is over `max` for the limit `name`. */
  check(name: PdfLimitName, value: number, max: number): void {
    if (value > max) this.exceed(name, max);
  }

  /** Records and throws PDF_TOO_COMPLEX for a limit; `reason` says what happened when it is not just "too many". */
  exceed(name: PdfLimitName, max: number, reason?: string): never {
    this.#exceeded ??= tooComplex(name, max, reason);
    throw this.#exceeded;
  }
}

/** The PDF_TOO_COMPLEX error of a limit (for limits counted outside a PdfBudget). */
export function tooComplex(name: PdfLimitName, max: number, reason?: string): CoreError {
  const amount = name === 'decoded-bytes' ? `${Math.round((max / MiB) * 10) / 10} MiB` : max.toLocaleString('en-US');
  const what = reason ?? OVER_LIMIT[name](amount);
  return new CoreError('PDF_TOO_COMPLEX', `the PDF is too complex to verify: ${what} (limit "${name}": ${amount})`, {
    details: { limit: name, max },
  });
}

/** A usable limit (a finite number ≥ 0), or undefined for the default. */
function given(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) && value >= 0 ? value : undefined;
}
