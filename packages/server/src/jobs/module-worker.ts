import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running the ES module at `entry` (a file: URL). Worker threads do not
 * inherit the main thread's module hooks: a TypeScript entry (tests, a checkout) registers tsx in the
 * thread first; compiled JavaScript is imported as it is. `workerData` reaches the module unchanged.
 */
export function startModuleWorker(entry: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const bootstrap = entry.endsWith('.ts')
    ? `const { workerData } = require('node:worker_threads');
       import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`
    : `import(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { ...options, eval: true });
}
