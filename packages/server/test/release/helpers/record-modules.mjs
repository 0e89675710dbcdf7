// Preloaded with `node --import` by the release test: records every module the process (and each of its
// worker threads) loads — ESM through a resolve hook, CommonJS from require.cache at exit — one URL or
// path a line, into the file named by RECORD_MODULES_FILE. Imports Node's built-ins only.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.RECORD_MODULES_FILE;
if (file) {
  register(new URL('./record-modules-hooks.mjs', import.meta.url), { data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(file, `${Object.keys(cache).join('\n')}\n`));
}
