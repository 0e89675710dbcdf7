// The test corpus (PDFs and certificates Inkan did not write) is kept in the repository under
// packages/core/test/fixtures/corpus, each source with its licence (see its README.md), so that a fresh
// clone passes its tests alone. Resolved from this file's location, never a fixed path.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The corpus root: <repository>/packages/core/test/fixtures/corpus (this file is packages/core/test/helpers/corpus.ts). */
export const CORPUS_ROOT = fileURLToPath(new URL('../fixtures/corpus/', import.meta.url));

/** Absolute path of a corpus file, e.g. corpusPath('pyhanko', 'valid', 'x.pdf'); throws when it is missing. */
export function corpusPath(...parts: string[]): string {
  const path = join(CORPUS_ROOT, ...parts);
  // A missing corpus must fail loudly: a test that silently skips its inputs proves nothing.
  if (!existsSync(path))
    throw new Error(`corpus file not found: ${path} (the corpus is kept at packages/core/test/fixtures/corpus)`);
  return path;
}
