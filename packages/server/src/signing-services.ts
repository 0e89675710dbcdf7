import { readFile } from 'node:fs/promises';
import { loadBuiltinPki, type BuiltinPki } from '@inkan/core';
import { parseMasterKey } from '@inkan/core';
import { createTimestampResponder, type TimestampResponder } from '@inkan/core';
import { LocalTimestampAuthority } from '@inkan/core';
import { HttpTimestampAuthority } from '@inkan/core';
import type { TimestampAuthority } from '@inkan/core';
import type { Config } from './config/config.ts';

/** What signing needs, assembled from the configuration: the one place that picks adapters. */
export interface SigningServices {
  pki: BuiltinPki;
  /** The built-in TSA's responder (served over HTTP at /tsa). */
  timestampResponder: TimestampResponder;
  /** The TSA used for signatures: external ones when INKAN_TSA_URLS is set, else the built-in one. */
  timestampAuthority: TimestampAuthority;
  /** Trust anchors of this installation (the built-in root). */
  trustAnchors: Uint8Array[];
  /** Certificates that complete chains for the DSS. */
  extraCertificates: Uint8Array[];
}

/** The master key from INKAN_MASTER_KEY, if given. */
export function masterKeyOf(config: Config): Uint8Array | undefined {
  return config.masterKey === undefined ? undefined : parseMasterKey(config.masterKey);
}

/** Loads the built-in PKI and the TSA selected by the configuration. */
export async function openSigningServices(config: Config): Promise<SigningServices> {
  const pki = await loadBuiltinPki({ dir: config.pkiDir, masterKey: masterKeyOf(config) });
  const timestampResponder = createTimestampResponder({
    certificate: pki.tsaCertificate,
    chain: [pki.issuingCertificate, pki.rootCertificate],
    signer: pki.tsaSigner,
  });
  const timestampAuthority: TimestampAuthority =
    config.tsaUrls.length > 0 ? new HttpTimestampAuthority({ urls: config.tsaUrls, timeoutMs: config.tsaTimeoutMs }) : new LocalTimestampAuthority(timestampResponder);
  return {
    pki,
    timestampResponder,
    timestampAuthority,
    trustAnchors: [pki.rootCertificate],
    extraCertificates: [pki.issuingCertificate, pki.rootCertificate, pki.ocspCertificate, pki.tsaCertificate],
  };
}

/** Reads PEM or DER certificate files given with --trust. */
export async function readCertificates(paths: readonly string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const path of paths) {
    const data = await readFile(path);
    const text = data.toString('latin1');
    if (text.includes('-----BEGIN CERTIFICATE-----')) {
      for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)) out.push(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
    } else out.push(new Uint8Array(data));
  }
  return out;
}
