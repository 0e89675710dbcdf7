// Loads `inkan verify FILE` as one script with its V8 code cache: packages/server/dist/verify-cli.js (the
// bundle of packages/server/src/cli/verify-cli.ts) and verify-cli.cache beside it, both made by
// scripts/build.mjs. With the cache, V8 takes the compiled functions from it instead of parsing and
// compiling the verifier at every start. Used by bin/inkan.mjs, by the build (which makes the cache with
// it, so the script is compiled exactly as here) and by the tests. Imports Node's built-ins only.
//
// V8 takes a cache only under the flags it was made with: the build makes one for plain `node` and one
// for the flags of deploy/node-flags.json (the container's entrypoint runs every command with them).
import { createRequire } from 'node:module';

// Node's built-ins through require: each one imported as an ES module costs a facade of its exports to
// make (≈ 0.5 ms apiece, measured), on a path where every millisecond counts.
const require = createRequire(import.meta.url);
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { fileURLToPath } = require('node:url');
const { Script } = require('node:vm');

/** Where the build writes the script and its cache. */
export const VERIFY_SCRIPT_DIR = fileURLToPath(new URL('../packages/server/dist/', import.meta.url));
export const VERIFY_SCRIPT_FILE = 'verify-cli.js';

/**
 * The cache file for a node started with the options `execArgv` (process.execArgv): verify-cli.cache
 * without any, else one named after them, e.g. verify-cli-max-semi-space-size-2.cache.
 */
export function verifyCacheFile(execArgv = process.execArgv) {
  const flags = execArgv.join(' ').replace(/[^A-Za-z0-9]+/g, '-');
  return flags === '' ? 'verify-cli.cache' : `verify-cli${flags.startsWith('-') ? '' : '-'}${flags}.cache`;
}

/**
 * The script's runVerifyFile (see verify-cli.ts), the vm.Script it was compiled as and what became of the
 * cache: 'accepted'; 'rejected' by V8 (another Node version or other V8 flags: compiled from the source, as
 * without one); 'none' (no cache, or one made for another build of the script). Undefined when the script
 * is not there (not built): the caller runs the whole CLI instead. Never throws for a cache.
 */
export function loadVerifyScript(dir = VERIFY_SCRIPT_DIR, { useCache = true, execArgv = process.execArgv } = {}) {
  const filename = join(dir, VERIFY_SCRIPT_FILE);
  let source;
  try {
    // Decoded as Latin-1 (measured ≈ 0.5 ms, against 2 ms as UTF-8): esbuild writes code as ASCII (it
    // escapes every other character of strings, regular expressions and names), so only comments may hold
    // other bytes, which then read as other characters of a comment. The cache is made from this string.
    source = readFileSync(filename, 'latin1');
  } catch {
    return undefined;
  }
  // V8 checks a cache against the length of the source only, so each build's script and cache start with
  // the same line naming that build: a cache meets only the script it was made from.
  const header = source.slice(0, source.indexOf('\n') + 1);
  let cachedData;
  if (useCache && header.startsWith('//')) {
    // Options the build made no cache for (say --enable-source-maps) may still leave V8's flags as they are.
    for (const name of new Set([verifyCacheFile(execArgv), verifyCacheFile([])])) {
      try {
        const cache = readFileSync(join(dir, name));
        if (cache.toString('latin1', 0, header.length) === header) cachedData = cache.subarray(header.length);
        break;
      } catch {
        // no such cache: the next, or compiled from the source
      }
    }
  }
  const script = new Script(source, { filename, cachedData });
  const module = { exports: {} };
  // The script is a CommonJS module wrapped in a function expression (see scripts/build.mjs).
  script.runInThisContext()(module.exports, createRequire(filename), module, filename, dir);
  return {
    runVerifyFile: module.exports.runVerifyFile,
    script,
    header,
    cache: cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted',
  };
}
