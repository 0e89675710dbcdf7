// The lint that `npm test` runs must catch the bugs it is there for: each deliberate violation in
// fixtures/lint/violations.ts is reported by the repository's own ESLint configuration.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const fixture = fileURLToPath(new URL('./fixtures/lint/violations.ts', import.meta.url));

describe('lint configuration', () => {
  it('reports floating promises, non-exhaustive switches and loose equality', async () => {
    // `ignore: false` lints the fixture although the configuration excludes fixtures from `npm run lint`.
    const eslint = new ESLint({ cwd: root, ignore: false });
    const [result] = await eslint.lintFiles([fixture]);
    assert.ok(result, 'ESLint returned no result for the fixture');
    const reported = result.messages.map((m) => `${m.line}:${m.ruleId}`);
    for (const expected of [
      '8:@typescript-eslint/no-floating-promises',
      '12:@typescript-eslint/switch-exhaustiveness-check',
      '22:eqeqeq',
    ]) {
      assert.ok(reported.includes(expected), `expected ${expected}; ESLint reported ${reported.join(', ')}`);
    }
    assert.equal(result.fatalErrorCount, 0, 'the fixture must parse with type information');
  });
});
