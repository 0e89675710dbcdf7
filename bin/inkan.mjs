#!/usr/bin/env node
// The `inkan` command of a release: the compiled CLI (packages/server/dist, made by `npm run build`)
// run by plain node. packages/server/bin/inkan.mjs runs the TypeScript sources through tsx instead.
let cli;
try {
  cli = await import('../packages/server/dist/inkan.js');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('packages/server/dist/inkan.js'))
    throw error;
  process.stderr.write(
    'inkan: the compiled server is missing: run `npm run build` first (or `npm start`, which builds what is stale).\n',
  );
  process.exit(2);
}
const argv = process.argv.slice(2);
const code = await cli.runCli(argv);
process.exitCode = code;
// `inkan verify` ends once its report is written: tearing down the process (a heap that held the whole
// file, the thread that read it) would otherwise take longer than a small file's verification. The empty
// writes call back once everything written before them is out.
if (argv[0] === 'verify') {
  let pending = 2;
  const done = () => --pending === 0 && process.exit(code);
  process.stdout.write('', done);
  process.stderr.write('', done);
}
