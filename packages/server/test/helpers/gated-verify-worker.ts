// A verification worker for the pool tests, steered by the upload's bytes: "HOLD" waits until the
// gate file (workerData.gateFile) exists, "HEAP" grows the JavaScript heap until the worker's cap
// stops it, anything else is verified by the real verifier. Lets a test keep workers busy for as
// long as it needs, without depending on how fast this machine is.
import { existsSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { verifyPdf } from '@inkan/core';
import {
  runVerifyTask,
  type VerifyTask,
  type VerifyWorkerMessage,
} from '../../src/adapters/verification/verify-worker.ts';

const port = parentPort!;
const { gateFile } = workerData as { gateFile: string };

async function answer(task: VerifyTask): Promise<VerifyWorkerMessage> {
  const text = Buffer.from(task.bytes).toString('latin1');
  if (text === 'HOLD') {
    while (!existsSync(gateFile)) await new Promise((resolve) => setTimeout(resolve, 20));
    const report = await verifyPdf(new Uint8Array(Buffer.from('not a pdf')), { now: new Date(task.now) });
    return { type: 'report', id: task.id, report };
  }
  if (text === 'HEAP') {
    const hoard: string[][] = [];
    for (;;) hoard.push(Array.from({ length: 100_000 }, (_, i) => `${i}-${hoard.length}`));
  }
  return runVerifyTask(task, undefined);
}

port.on('message', (task: VerifyTask) => void answer(task).then((message) => port.postMessage(message)));
port.postMessage({ type: 'ready' } satisfies VerifyWorkerMessage);
