#!/usr/bin/env node
// The `inkan` command of a release: the compiled CLI (packages/server/dist, made by `npm run build`)
// run by plain node. packages/server/bin/inkan.mjs runs the TypeScript sources through tsx instead.
const argv = process.argv.slice(2);
// Which of process.stdout and process.stderr `inkan verify` used: each is made on first use (on a pipe,
// a socket stream, ≈ 3 ms), and the report goes to descriptor 1 directly, so only these are flushed below.
const usedStreams = new Set();
if (argv[0] === 'verify') {
  for (const name of ['stdout', 'stderr']) {
    const { get, set } = Object.getOwnPropertyDescriptor(process, name);
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: true,
      set,
      get() {
        usedStreams.add(name);
        return get.call(process);
      },
    });
  }
}
// `inkan verify FILE` runs as one script compiled from its V8 code cache (bin/verify-script.mjs): a
// verifying process would otherwise spend more time compiling its JavaScript than reading the file. Any
// other arguments of verify (--batch, several files, a bad option) leave it to the whole CLI below.
let code;
if (argv[0] === 'verify' && !argv.includes('--batch')) {
  const { loadVerifyScript } = await import('./verify-script.mjs');
  code = await loadVerifyScript()?.runVerifyFile(argv.slice(1));
}
code ??= await (await importCli()).runCli(argv);
process.exitCode = code;
// `inkan verify` ends once its report is written: tearing down the process (a heap that held the whole
// file, the thread that read it) would otherwise take longer than a small file's verification. The empty
// writes call back once everything written before them to a stream is out.
if (argv[0] === 'verify') {
  let pending = usedStreams.size;
  const done = () => --pending <= 0 && process.exit(code);
  if (pending === 0) done();
  for (const name of usedStreams) process[name].write('', done);
}

/** The compiled CLI; exits with a hint when it has not been built. */
async function importCli() {
  try {
    return await import('../packages/server/dist/inkan.js');
  } catch (error) {
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !String(error.message).includes('packages/server/dist/inkan.js'))
      throw error;
    process.stderr.write(
      'inkan: the compiled server is missing: run `npm run build` first (or `npm start`, which builds what is stale).\n',
    );
    process.exit(2);
  }
}
