// The shared test corpus (PDFs Inkan did not write) lives beside the repository, in ../shared/corpus:
// resolved from this file's location so that a clone anywhere finds it (never a fixed /work path).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The corpus root: <repository>/../shared/corpus (this file is <repository>/packages/core/test/helpers/corpus.ts). */
export const CORPUS_ROOT = fileURLToPath(new URL('../../../../../shared/corpus/', import.meta.url));

/** Absolute path of a corpus file, e.g. corpusPath('pyhanko', 'valid', 'x.pdf'); throws when it is missing. */
export function corpusPath(...parts: string[]): string {
  const path = join(CORPUS_ROOT, ...parts);
  // A missing corpus must fail loudly: a test that silently skips its inputs proves nothing.
  if (!existsSync(path)) throw new Error(`corpus file not found: ${path} (the corpus is expected at <repository>/../shared/corpus)`);
  return path;
}
