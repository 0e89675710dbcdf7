// `inkan verify FILE` on a file large enough for its reading thread (cli/read-file-worker.ts): once the
// thread handed the bytes over and ended, the main thread must not read the whole file a second time
// (the fallback for a thread that could not start is for a thread that gave nothing).
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import workerThreads from 'node:worker_threads';
import { randomBytes } from 'node:crypto';

test('the reading thread of inkan verify: the file is read once (no second read on the main thread when the thread ends)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-verify-once-'));
  const originalReadFile = fsp.readFile;
  const OriginalWorker = workerThreads.Worker;
  const reads: string[] = [];
  const workers: InstanceType<typeof OriginalWorker>[] = [];
  try {
    fsp.readFile = ((path: Parameters<typeof originalReadFile>[0], ...rest: unknown[]) => {
      reads.push(String(path));
      return (originalReadFile as (...a: unknown[]) => unknown)(path, ...rest);
    }) as typeof originalReadFile;
    workerThreads.Worker = class extends OriginalWorker {
      constructor(...args: ConstructorParameters<typeof OriginalWorker>) {
        super(...args);
        workers.push(this);
      }
    };
    syncBuiltinESMExports();
    const { readForVerification, READ_IN_WORKER_BYTES } = await import('../../src/cli/main.ts');
    const path = join(dir, 'large.bin');
    const bytes = randomBytes(READ_IN_WORKER_BYTES + 1024);
    writeFileSync(path, bytes);
    const file = readForVerification(path);
    assert.equal(file.inWorker, true);
    assert.equal(workers.length, 1);
    const exited = once(workers[0], 'exit');
    const read = await file.result;
    assert.ok(read.ok);
    assert.equal(Buffer.compare(read.bytes, bytes), 0);
    // The thread ends by itself once it posted the bytes; its end must not start another read.
    await exited;
    file.cancel();
    assert.deepEqual(
      reads.filter((p) => p === path),
      [],
    );
  } finally {
    fsp.readFile = originalReadFile;
    workerThreads.Worker = OriginalWorker;
    syncBuiltinESMExports();
    rmSync(dir, { recursive: true, force: true });
  }
});
