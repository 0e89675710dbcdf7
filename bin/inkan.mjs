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
process.exitCode = await cli.runCli(process.argv.slice(2));
