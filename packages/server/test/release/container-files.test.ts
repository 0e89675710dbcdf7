// The container and service files, checked without a container engine: the image is built by the same
// script the release test runs (scripts/build-release.sh), its runtime stage holds only that script's
// output, runs as a non-root user with a /data volume and a HEALTHCHECK; .dockerignore keeps what the
// script needs; compose.yaml has web, worker, PostgreSQL with a healthcheck, and Caddy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { BUILD_RELEASE_SCRIPT } from './helpers/release-script.ts';

const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');

/** Dockerfile instructions (continuation lines joined, comments dropped), split into stages at FROM. */
function dockerStages(text: string): Array<{ from: string; steps: Array<{ op: string; args: string }> }> {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Array<{ from: string; steps: Array<{ op: string; args: string }> }> = [];
  for (const line of lines) {
    const [op, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (op.toUpperCase() === 'FROM') stages.push({ from: args, steps: [] });
    else if (stages.length > 0) stages.at(-1)!.steps.push({ op: op.toUpperCase(), args });
  }
  return stages;
}

describe('container and service files', () => {
  const dockerfile = read('Dockerfile');
  const stages = dockerStages(dockerfile);

  it('the build stage makes the release with the script the release test runs', () => {
    assert.match(dockerfile, /^ARG BASE=node:20-bookworm-slim$/m);
    assert.equal(stages.length, 2, 'two stages: build and runtime');
    const [build, runtime] = stages;
    assert.match(build.from, /^\$\{BUILD_BASE\} AS build$/);
    const runs = build.steps.filter((s) => s.op === 'RUN').map((s) => s.args);
    assert.deepEqual(runs, ['npm ci --no-audit --no-fund', `bash ${BUILD_RELEASE_SCRIPT} /release`]);
    assert.equal(runtime.from, '${BASE}');
  });

  it('the runtime stage holds only the release, runs as a non-root user, with /data, a HEALTHCHECK and the compiled CLI', () => {
    const runtime = stages[1];
    const copies = runtime.steps.filter((s) => s.op === 'COPY' || s.op === 'ADD').map((s) => s.args);
    assert.deepEqual(copies, ['--from=build /release /app'], 'nothing but the release output');
    const user = runtime.steps.filter((s) => s.op === 'USER').map((s) => s.args);
    assert.deepEqual(user, ['inkan']);
    const lastUser = runtime.steps.map((s) => s.op).lastIndexOf('USER');
    assert.ok(
      runtime.steps.slice(lastUser).every((s) => s.op !== 'RUN'),
      'no RUN as root after USER',
    );
    assert.ok(runtime.steps.some((s) => s.op === 'VOLUME' && s.args === '["/data"]'));
    assert.ok(runtime.steps.some((s) => s.op === 'ENV' && /INKAN_DATA_DIR=\/data/.test(s.args)));
    assert.ok(runtime.steps.some((s) => s.op === 'HEALTHCHECK' && /\/healthz/.test(s.args)));
    assert.ok(
      runtime.steps.some(
        (s) => s.op === 'ENTRYPOINT' && /^\["node", ("--[a-z-]+=\d+", )*"\/app\/bin\/inkan\.mjs"\]$/.test(s.args),
      ),
      'plain node, the compiled CLI',
    );
    assert.ok(
      stages.every((stage) => stage.steps.every((s) => !/\btsx\b/.test(s.args))),
      'no tsx in any instruction',
    );
  });

  it('.dockerignore keeps everything the release script reads', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const script = read(BUILD_RELEASE_SCRIPT);
    const needed = [
      'package.json',
      'package-lock.json',
      'LICENSE',
      'THIRD-PARTY-NOTICES.md',
      'bin',
      'scripts',
      'packages/core/src',
      'packages/server/src',
      'packages/web/src',
    ];
    for (const path of needed)
      assert.ok(
        !ignored.some((pattern) => pattern === path || path.startsWith(`${pattern}/`)),
        `${path} is not ignored`,
      );
    for (const copied of [
      'LICENSE',
      'THIRD-PARTY-NOTICES.md',
      'bin/inkan.mjs',
      'bin/verify-script.mjs',
      'packages/server/dist',
      'packages/web/dist',
    ])
      assert.ok(script.includes(copied), `the script copies ${copied}`);
  });

  it('compose.yaml runs web and worker roles, PostgreSQL with a healthcheck, and Caddy; the systemd unit runs the compiled CLI', () => {
    const compose = read('compose.yaml');
    assert.match(compose, /^\s+command: \["serve", "--role=web"\]$/m);
    assert.match(compose, /^\s+command: \["serve", "--role=worker"\]$/m);
    assert.match(compose, /^\s+image: postgres:16/m);
    assert.match(compose, /healthcheck:\n\s+test: \["CMD-SHELL", "pg_isready/);
    assert.match(compose, /condition: service_healthy/);
    assert.match(compose, /^\s+image: caddy:2$/m);
    assert.match(read('deploy/Caddyfile'), /reverse_proxy web:3000/);
    const unit = read('deploy/inkan.service');
    assert.match(unit, /^ExecStart=\/usr\/bin\/node (--[a-z-]+=\d+ )*\/opt\/inkan\/bin\/inkan\.mjs serve$/m);
    assert.match(unit, /^User=inkan$/m);
  });
});

describe('the V8 flags of a running server (deploy/node-flags.json)', () => {
  const flags = JSON.parse(read('deploy/node-flags.json')) as string[];
  it('are the same in npm start, the container entrypoint and the systemd unit', () => {
    assert.ok(flags.length > 0);
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    const entrypoint = dockerStages(read('Dockerfile'))
      .at(-1)!
      .steps.find((s) => s.op === 'ENTRYPOINT')!.args;
    const execStart = /^ExecStart=(.*)$/m.exec(read('deploy/inkan.service'))![1]!;
    for (const flag of flags) {
      assert.match(start, new RegExp(`node ${flag} bin/inkan\\.mjs start`), 'npm start');
      assert.ok((JSON.parse(entrypoint) as string[]).includes(flag), `Dockerfile ENTRYPOINT: ${entrypoint}`);
      assert.match(execStart, new RegExp(`node ${flag} `), 'systemd ExecStart');
    }
  });
});

describe('the glibc malloc settings of a running server (deploy/node-env.json)', () => {
  const settings = Object.entries(JSON.parse(read('deploy/node-env.json')) as Record<string, string>);
  it('are the same in npm start, the container image and the systemd unit', () => {
    assert.ok(settings.length > 0);
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    const runtimeEnv = dockerStages(read('Dockerfile'))
      .at(-1)!
      .steps.filter((s) => s.op === 'ENV')
      .map((s) => ` ${s.args} `)
      .join('');
    const unitEnv = [...read('deploy/inkan.service').matchAll(/^Environment=(.*)$/gm)].map((m) => ` ${m[1]} `).join('');
    for (const [name, value] of settings) {
      const setting = `${name}=${value}`;
      assert.match(start, new RegExp(`&& (\\S+=\\S+ )*${setting} (\\S+=\\S+ )*node `), `npm start sets ${setting}`);
      assert.ok(runtimeEnv.includes(` ${setting} `), `Dockerfile ENV of the runtime stage sets ${setting}`);
      assert.ok(unitEnv.includes(` ${setting} `), `systemd Environment= sets ${setting}`);
    }
  });
});
