// Shared shapes of the signing benchmark: what a case is, what a child process reports back.

/** Key material every implementation signs with (RSA-2048 leaf under an openssl-made root). */
export interface KeyMaterial {
  leafKeyPem: string;
  leafDer: Uint8Array;
  rootDer: Uint8Array;
  /** leaf key + leaf + root, readable by node-forge (@signpdf). */
  p12: Buffer;
  p12Password: string;
}

/** What a benchmarked implementation gets once, before timing. */
export interface BenchContext {
  /** The input PDF, read into memory before the memory baseline is taken. */
  pdf: Buffer;
  keys: KeyMaterial;
}

/** A prepared, warm-able operation: one call = one timed run. */
export interface PreparedCase {
  run(): Promise<unknown>;
  /** Turns the last run's result into a PDF to check with pdfsig, or a short text to show. */
  describe(result: unknown): { pdf?: Uint8Array; note?: string };
}

/** An implementation under test; `prepare` may report that it cannot be measured yet. */
export interface BenchImpl {
  id: ImplId;
  label: string;
  section: 'sign' | 'verify';
  prepare(ctx: BenchContext): Promise<PreparedCase | { unavailable: string }>;
}

export type ImplId =
  'floor-sign' | 'inkan-sign' | 'inkan-sign-parts' | 'libpdf' | 'signpdf' | 'floor-hash' | 'inkan-verify';

/** The PDF sizes of the benchmark. */
export type SizeId = '1p' | '100p' | '1000p' | '50MiB';

/** What the parent tells a child process to run. */
export interface CaseSpec {
  impl: ImplId;
  sizeId: SizeId;
  pdfPath: string;
  keysPath: string;
  /** Where the child writes the last run's output PDF (for the parent's validity check). */
  outputPath: string;
  maxWarmup: number;
  warmupBudgetMs: number;
  minRuns: number;
  maxRuns: number;
  budgetMs: number;
}

/** What a child process reports. */
export type CaseReport =
  | {
      status: 'ok';
      warmup: number;
      samplesMs: number[];
      /** Per run: kernel high-water mark of RSS minus the RSS just before the run (bytes). */
      peakRssBytes: number[];
      /** Per run: max sampled (external) minus its value before the run (bytes). */
      peakExternalBytes: number[];
      rssMethod: 'vmhwm' | 'sampled';
      baselineRssBytes: number;
      outputWritten: boolean;
      note?: string;
    }
  | { status: 'unavailable'; reason: string }
  | { status: 'error'; message: string };
