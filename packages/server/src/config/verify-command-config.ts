import { resolve } from 'node:path';
import { isCoreError, parseMasterKey } from '@inkan/core/keys';
import type { PdfLimits } from '@inkan/core/verify';
import { ConfigError } from './config-error.ts';

/**
 * What `inkan verify FILE` reads of the configuration: the data directory (its PKI's root is trusted and
 * its CA answers for its own certificates), the master key opening that CA's keys, and the decoding
 * budget. A subset of Config, so the full configuration serves too.
 */
export interface VerifyCommandConfig {
  pkiDir: string;
  masterKey?: string;
  verify: { decodeBudgetBytes?: number };
}

/**
 * The variables `inkan verify FILE` uses, checked by the same rules as loadConfig: the full schema
 * (zod) costs a verifying process more CPU than its own start, for variables this command never reads.
 */
export function loadVerifyCommandConfig(env: NodeJS.ProcessEnv): VerifyCommandConfig {
  const dataDir = env.INKAN_DATA_DIR ?? './data';
  if (dataDir === '') throw new ConfigError('INKAN_DATA_DIR', 'must not be empty');
  const masterKey = env.INKAN_MASTER_KEY;
  if (masterKey !== undefined) {
    if (masterKey === '') throw new ConfigError('INKAN_MASTER_KEY', 'must not be empty');
    try {
      parseMasterKey(masterKey);
    } catch (error) {
      throw new ConfigError('INKAN_MASTER_KEY', isCoreError(error) ? error.message : 'not a valid master key');
    }
  }
  const budget = env.INKAN_VERIFY_DECODE_BUDGET_MB;
  let decodeBudgetMb: number | undefined;
  if (budget !== undefined) {
    decodeBudgetMb = Number(budget); // as z.coerce.number(): surrounding spaces pass, an empty value is 0
    if (!Number.isInteger(decodeBudgetMb) || decodeBudgetMb < 1 || decodeBudgetMb > 65536)
      throw new ConfigError('INKAN_VERIFY_DECODE_BUDGET_MB', 'must be a whole number from 1 to 65536');
  }
  return {
    pkiDir: resolve(dataDir, 'pki'),
    masterKey,
    verify: { decodeBudgetBytes: decodeBudgetMb === undefined ? undefined : decodeBudgetMb * 1024 * 1024 },
  };
}

/** The file limits of verification from the configuration (the verifier's defaults where unset). */
export function verifyLimitsOf(config: Pick<VerifyCommandConfig, 'verify'>): PdfLimits {
  return config.verify.decodeBudgetBytes === undefined ? {} : { maxDecodedBytes: config.verify.decodeBudgetBytes };
}
