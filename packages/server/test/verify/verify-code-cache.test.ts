// `inkan verify FILE` through the bundled script and its V8 code cache (bin/verify-script.mjs, made by
// scripts/build.mjs): the build wrote both, this Node takes the cache, and what the command prints and
// its exit code are the same byte for byte as through the whole compiled CLI (the script absent), and as
// with a cache V8 rejects or one made for another build of the script — for a valid file (text and
// --json, small and read in pieces), a tampered one, an unsigned one, an unreadable one, a PDF over a
// resource limit, bad options and a configuration error.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { deepNestingBomb } from '../../../core/test/helpers/pdf-bombs.ts';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { extractSignatures } from '../../../core/test/helpers/validators.ts';
import { READ_IN_PIECES_BYTES } from '../../src/cli/verify-file-command.ts';
import { REPO_ROOT, runInkan, type InkanRun } from '../helpers/run-inkan.ts';

const DIST = join(REPO_ROOT, 'packages', 'server', 'dist');
/** The time verified at (--at): fixed, so that the reports of the runs compared are the same; after the signing. */
const AT = new Date(Date.now() + 60_000).toISOString();

/**
 * What became of the cache of the layout at `root` in a plain node process started with `flags`:
 * bin/verify-script.mjs's own answer, from a program file (`node -e` would be in process.execArgv).
 */
function cacheOutcome(root: string, flags: string[] = []): Promise<string> {
  const program = join(mkdtempSync(join(tmpdir(), 'inkan-cache-outcome-')), 'outcome.mjs');
  writeFileSync(
    program,
    `import { loadVerifyScript } from ${JSON.stringify(join(root, 'bin', 'verify-script.mjs'))};\n` +
      'process.stdout.write(String(loadVerifyScript()?.cache));\n',
  );
  return new Promise((resolve, reject) =>
    execFile(
      process.execPath,
      [...flags, program],
      { env: { PATH: process.env.PATH }, encoding: 'utf8' },
      (error, stdout, stderr) => {
        rmSync(dirname(program), { recursive: true, force: true });
        if (error) reject(new Error(`${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    ),
  );
}

describe('inkan verify FILE from its code cache', () => {
  let dir: string;
  let dataDir: string;
  /** Copies of the compiled release (bin/ and packages/server/dist) that differ in the script and its cache. */
  const layouts: Record<'cached' | 'withoutScript' | 'rejectedCache' | 'otherBuildCache', string> = {
    cached: '',
    withoutScript: '',
    rejectedCache: '',
    otherBuildCache: '',
  };
  const files: Record<string, string> = {};
  /** bin/ and the script with its caches only, no compiled CLI: what answers here came from the script. */
  let scriptOnly: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-verify-cache-'));
    dataDir = join(dir, 'data');
    for (const name of Object.keys(layouts) as Array<keyof typeof layouts>) {
      const root = join(dir, name);
      mkdirSync(join(root, 'packages', 'server'), { recursive: true });
      cpSync(join(REPO_ROOT, 'bin'), join(root, 'bin'), { recursive: true });
      cpSync(DIST, join(root, 'packages', 'server', 'dist'), {
        recursive: true,
        filter: (source) => !source.endsWith('.map'),
      });
      cpSync(join(REPO_ROOT, 'packages', 'server', 'package.json'), join(root, 'packages', 'server', 'package.json'));
      symlinkSync(join(REPO_ROOT, 'node_modules'), join(root, 'node_modules'));
      layouts[name] = root;
    }
    const dist = (name: keyof typeof layouts) => join(layouts[name], 'packages', 'server', 'dist');
    rmSync(join(dist('withoutScript'), 'verify-cli.js'));
    scriptOnly = join(dir, 'scriptOnly');
    mkdirSync(join(scriptOnly, 'packages', 'server', 'dist'), { recursive: true });
    cpSync(join(REPO_ROOT, 'bin'), join(scriptOnly, 'bin'), { recursive: true });
    for (const name of readdirSync(DIST).filter((file) => /^verify-cli.*\.(js|cache)$/.test(file)))
      cpSync(join(DIST, name), join(scriptOnly, 'packages', 'server', 'dist', name));
    // V8's own check fails: the first byte of its data (a magic number) changed.
    const cache = readFileSync(join(DIST, 'verify-cli.cache'));
    const firstLine = readFileSync(join(DIST, 'verify-cli.js'), 'latin1').split('\n')[0];
    const header = firstLine.length + 1;
    const rejected = Buffer.from(cache);
    rejected[header] ^= 0xff;
    writeFileSync(join(dist('rejectedCache'), 'verify-cli.cache'), rejected);
    // A valid cache, but for a script of another build (its first line names another build).
    const other = Buffer.from(cache);
    const buildId = firstLine.indexOf(' build ') + ' build '.length;
    other.write(other[buildId] === 0x30 ? '1' : '0', buildId, 'latin1');
    writeFileSync(join(dist('otherBuildCache'), 'verify-cli.cache'), other);

    assert.equal((await runInkan(['init'], { dataDir })).code, 0);
    const sign = async (name: string, pdf: Uint8Array) => {
      writeFileSync(join(dir, `${name}.pdf`), pdf);
      files[name] = join(dir, `${name}-signed.pdf`);
      const run = await runInkan(['sign', join(dir, `${name}.pdf`), files[name], '--name', 'Cache Test'], { dataDir });
      assert.equal(run.code, 0, run.stderr);
    };
    await sign('small', await makePdf({ pages: 1 }));
    await sign('large', await makePdf({ pages: 1, padToBytes: READ_IN_PIECES_BYTES + 1024 * 1024 }));
    const tampered = Buffer.from(readFileSync(files.large));
    const at = Math.floor(tampered.length / 2);
    assert.ok(at < extractSignatures(tampered)[0].byteRange[1], 'the changed byte is signed');
    tampered[at] ^= 0xff;
    files.tampered = join(dir, 'tampered.pdf');
    writeFileSync(files.tampered, tampered);
    files.unsigned = join(dir, 'unsigned.pdf');
    writeFileSync(files.unsigned, await makePdf({ pages: 1 }));
    files.bomb = join(dir, 'bomb.pdf');
    writeFileSync(files.bomb, deepNestingBomb());
    files.pem = join(dir, 'root.pem');
    writeFileSync(files.pem, (await runInkan(['pki', 'export-root'], { dataDir })).stdout);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the build wrote the script and its cache, made for that build of the script', () => {
    const script = readFileSync(join(DIST, 'verify-cli.js'), 'latin1');
    const firstLine = script.slice(0, script.indexOf('\n') + 1);
    assert.match(firstLine, /^\/\/ inkan verify FILE, build [0-9a-f-]{36}: /);
    const cache = readFileSync(join(DIST, 'verify-cli.cache'));
    assert.equal(cache.toString('latin1', 0, firstLine.length), firstLine);
    // Taken after verifying (see scripts/make-verify-cache.mjs): more than the script's top level.
    assert.ok(cache.length > 100_000, `${cache.length} bytes of cache`);
  });

  it('this Node takes the cache; a damaged one is rejected and one of another build is not used', async () => {
    assert.equal(await cacheOutcome(REPO_ROOT), 'accepted');
    // The container's entrypoint runs node with deploy/node-flags.json: a cache of their own (V8 rejects the other).
    const deployFlags = JSON.parse(readFileSync(join(REPO_ROOT, 'deploy', 'node-flags.json'), 'utf8')) as string[];
    assert.ok(deployFlags.length > 0);
    assert.equal(await cacheOutcome(REPO_ROOT, deployFlags), 'accepted');
    assert.equal(await cacheOutcome(REPO_ROOT, ['--max-old-space-size=1234']), 'rejected');
    assert.equal(await cacheOutcome(layouts.cached), 'accepted');
    assert.equal(await cacheOutcome(layouts.rejectedCache), 'rejected');
    assert.equal(await cacheOutcome(layouts.otherBuildCache), 'none');
    assert.equal(await cacheOutcome(layouts.withoutScript), 'undefined');
  });

  /** `inkan verify ARGS` in every layout: the cached one's run, after checking the others printed the same. */
  const verifyEverywhere = async (args: string[], env: Record<string, string> = {}): Promise<InkanRun> => {
    const runs = await Promise.all(
      Object.values(layouts).map((root) =>
        runInkan(['verify', ...args], { dataDir, env, entry: join(root, 'bin', 'inkan.mjs') }),
      ),
    );
    const [cached, ...others] = runs;
    for (const [index, other] of others.entries())
      assert.deepEqual(other, cached, `inkan verify ${args.join(' ')}: ${Object.keys(layouts)[index + 1]} and cached`);
    return cached;
  };

  it('bin/inkan.mjs runs inkan verify FILE from the script: it answers without the compiled CLI beside it', async () => {
    const entry = join(scriptOnly, 'bin', 'inkan.mjs');
    const missingCli = await runInkan(['--version'], { dataDir, entry });
    assert.equal(missingCli.code, 2);
    assert.match(missingCli.stderr, /the compiled server is missing/);
    for (const [args, code] of [
      [[files.small, '--at', AT], 0],
      [[files.large, '--json', '--at', AT], 0],
      [[files.tampered, '--at', AT], 1],
      [[files.unsigned, '--at', AT], 2],
      [[join(dir, 'missing.pdf')], 2],
    ] as Array<[string[], number]>) {
      const alone = await runInkan(['verify', ...args], { dataDir, entry });
      assert.equal(alone.code, code, alone.stderr);
      const cached = await runInkan(['verify', ...args], { dataDir, entry: join(layouts.cached, 'bin', 'inkan.mjs') });
      assert.deepEqual(alone, cached);
    }
  });

  it('a valid file: the same report, text and JSON, small and read in pieces (exit 0)', async () => {
    for (const file of [files.small, files.large]) {
      const text = await verifyEverywhere([file, '--at', AT]);
      assert.equal(text.code, 0, text.stderr);
      assert.match(text.stdout, /VALID — TOTAL-PASSED/);
      assert.match(text.stdout, new RegExp(`Validated at: +${AT}`));
      const json = await verifyEverywhere([file, '--json', '--at', AT, '--trust', files.pem]);
      assert.equal(json.code, 0, json.stderr);
      assert.equal((JSON.parse(json.stdout) as { exitCode: number }).exitCode, 0);
    }
  });

  it('a tampered file (exit 1), an unsigned one and one over a resource limit (exit 2)', async () => {
    const tampered = await verifyEverywhere([files.tampered, '--at', AT]);
    assert.equal(tampered.code, 1);
    assert.match(tampered.stdout, /Integrity: +coverage ok, digest FAILED/);
    const unsigned = await verifyEverywhere([files.unsigned, '--at', AT]);
    assert.equal(unsigned.code, 2);
    assert.match(unsigned.stdout, /Result: No signatures found\./);
    const unsignedJson = await verifyEverywhere([files.unsigned, '--json', '--at', AT]);
    assert.equal(unsignedJson.code, 2);
    const bomb = await verifyEverywhere([files.bomb]);
    assert.equal(bomb.code, 2);
    assert.match(bomb.stderr, /^inkan: PDF_TOO_COMPLEX: /);
    assert.equal(bomb.stdout, '');
  });

  it('errors: unreadable file, bad --at and --trust, bad options, a configuration error (exit 2)', async () => {
    for (const [args, stderr, env] of [
      [[join(dir, 'missing.pdf')], /^inkan: cannot read .*missing\.pdf: ENOENT/],
      [[dir], /^inkan: cannot read .*: EISDIR/],
      [[files.small, '--at', 'yesterday'], /^inkan: --at: not a time: yesterday\n$/],
      [[files.small, '--trust', files.unsigned], /^inkan: --trust: .* is not an X\.509 certificate/],
      [[files.small, '--no-such-option'], /^inkan: Unknown option '--no-such-option'/],
      [[], /^usage: inkan verify FILE/],
      [[files.small, files.large], /^usage: inkan verify FILE/],
      [
        [files.small],
        /^inkan: configuration error: INKAN_VERIFY_DECODE_BUDGET_MB: /,
        { INKAN_VERIFY_DECODE_BUDGET_MB: 'x' },
      ],
    ] as Array<[string[], RegExp, Record<string, string>?]>) {
      const run = await verifyEverywhere(args, env);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, stderr);
      assert.equal(run.stdout, '');
    }
  });
});
