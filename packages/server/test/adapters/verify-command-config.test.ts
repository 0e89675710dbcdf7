// `inkan verify FILE` checks only the variables it reads (loadVerifyCommandConfig, without zod): for each of
// them it must accept, reject and read exactly what the full configuration (loadConfig) does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig, verifyLimitsOf } from '../../src/config/config.ts';
import { loadVerifyCommandConfig } from '../../src/config/verify-command-config.ts';

const base = { INKAN_DATA_DIR: '/tmp/inkan-verify-config-test' };
const hexKey = 'ab'.repeat(32);
const base64Key = Buffer.alloc(32, 7).toString('base64');

/** The configuration loaders' results for one environment: the error's variable, or the fields verify reads. */
function outcomes(env: NodeJS.ProcessEnv) {
  const of = (load: () => { pkiDir: string; masterKey?: string; verify: { decodeBudgetBytes?: number } }) => {
    try {
      const config = load();
      return { pkiDir: config.pkiDir, masterKey: config.masterKey, limits: verifyLimitsOf(config) };
    } catch (error) {
      assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
      return { error: error.variable };
    }
  };
  return { full: of(() => loadConfig(env)), verify: of(() => loadVerifyCommandConfig(env)) };
}

describe('the configuration of inkan verify FILE', () => {
  const cases: Array<[string, NodeJS.ProcessEnv]> = [
    ['defaults', {}],
    ['a data directory', base],
    ['a relative data directory', { INKAN_DATA_DIR: 'some/dir' }],
    ['an empty data directory', { INKAN_DATA_DIR: '' }],
    ['a hex master key', { ...base, INKAN_MASTER_KEY: hexKey }],
    ['a base64 master key', { ...base, INKAN_MASTER_KEY: base64Key }],
    ['a master key with spaces around', { ...base, INKAN_MASTER_KEY: ` ${hexKey}\n` }],
    ['a short master key', { ...base, INKAN_MASTER_KEY: 'abcd' }],
    ['a master key neither hex nor base64', { ...base, INKAN_MASTER_KEY: 'not a key!' }],
    ['an empty master key', { ...base, INKAN_MASTER_KEY: '' }],
    ['a decode budget', { ...base, INKAN_VERIFY_DECODE_BUDGET_MB: '100' }],
    ['a decode budget with spaces', { ...base, INKAN_VERIFY_DECODE_BUDGET_MB: ' 7 ' }],
    ['the largest decode budget', { ...base, INKAN_VERIFY_DECODE_BUDGET_MB: '65536' }],
    ['a decode budget too large', { ...base, INKAN_VERIFY_DECODE_BUDGET_MB: '65537' }],
    ['a zero decode budget', { ...base, INKAN_VERIFY_DECODE_BUDGET_MB: '0' }],
    ['an empty decode budget', { ...base, INKAN_VERIFY_DECODE_BUDGET_MB: '' }],
    ['a fractional decode budget', { ...base, INKAN_VERIFY_DECODE_BUDGET_MB: '1.5' }],
    ['a decode budget in words', { ...base, INKAN_VERIFY_DECODE_BUDGET_MB: 'lots' }],
  ];
  for (const [name, env] of cases)
    test(`${name}: as the full configuration`, () => {
      const { full, verify } = outcomes(env);
      assert.deepEqual(verify, full);
    });

  test('the cases cover acceptance and rejection of every variable it reads', () => {
    const rejected = new Set(
      cases.map(([, env]) => outcomes(env).verify).flatMap((o) => ('error' in o ? [o.error] : [])),
    );
    assert.deepEqual([...rejected].sort(), ['INKAN_DATA_DIR', 'INKAN_MASTER_KEY', 'INKAN_VERIFY_DECODE_BUDGET_MB']);
    assert.deepEqual(outcomes({ ...base, INKAN_VERIFY_DECODE_BUDGET_MB: '100' }).verify, {
      pkiDir: '/tmp/inkan-verify-config-test/pki',
      masterKey: undefined,
      limits: { maxDecodedBytes: 100 * 1024 * 1024 },
    });
  });
});
