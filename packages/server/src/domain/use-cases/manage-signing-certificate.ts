import {
  checkSigningCredential,
  isCoreError,
  PKCS12_LIMITS,
  publicKeyOf,
  readPkcs12,
  type Pkcs12Contents,
  type SigningCredential,
} from '@inkan/core';
import { AppError } from '../app-error.ts';
import type { DbOrTx } from '../../ports/database.ts';
import type { DomainContext } from '../domain-context.ts';
import { recordEvent } from '../record-event.ts';
import {
  sealSigningKey,
  summaryOf,
  summaryOfRow,
  type SigningCertificateSummary,
  type SigningMode,
  type TrustedSigningServices,
} from '../signing-certificates/organization-signing.ts';
import { inTransaction } from '../transaction.ts';
import type { Actor, RequestOrigin } from '../types.ts';

/** A context that can manage signing certificates: the operator's certificate too. */
export interface SigningCertificateContext extends DomainContext {
  signing: TrustedSigningServices;
}

/** The 署名用証明書 section as the API shows it. */
export interface SigningCertificateView {
  /** How documents are signed now. */
  mode: SigningMode;
  /** Which certificate `organization` and `both` use. */
  source: 'upload' | 'operator';
  /** The organisation's uploaded certificate, if any (never the key). */
  uploaded: SigningCertificateSummary | null;
  /** The certificate the operator offers, if configured. */
  operator: SigningCertificateSummary | null;
  updatedAt: string | null;
}

/** Largest accepted chain file (PEM text of a few certificates). */
export const SIGNING_CHAIN_MAX_BYTES = 64 * 1024;
/** Longest accepted PKCS#12 password. */
export const SIGNING_PASSWORD_MAX_LENGTH = 1024;

/** The organisation's signing settings. */
export async function getSigningCertificate(
  ctx: SigningCertificateContext,
  input: { organizationId: string },
): Promise<SigningCertificateView> {
  const row = await signingRow(ctx.db, input.organizationId);
  return {
    mode: row?.mode ?? ctx.signing.defaultSigningMode,
    source: row?.source ?? (ctx.signing.operatorSigning ? 'operator' : 'upload'),
    uploaded: row?.key_ciphertext ? summaryOfRow(row) : null,
    operator: ctx.signing.operatorSigning?.certificate ?? null,
    updatedAt: row?.updated_at ?? null,
  };
}

/**
 * Uploads the organisation's signing certificate as PKCS#12 (with its password, and optionally a PEM
 * file completing the chain). Everything is checked before anything is written: the file decodes with
 * the password, the key matches the certificate, the certificate is an end-entity signing certificate
 * valid now, and its chain validates up to its root. The key is kept encrypted under the installation's
 * key (never the password), replacing any earlier one; `organization.signing-certificate-changed` is
 * recorded in the same transaction. The signing mode is left as it was.
 */
export async function uploadSigningCertificate(
  ctx: SigningCertificateContext,
  input: {
    organizationId: string;
    actor: Actor;
    origin?: RequestOrigin;
    pkcs12: Uint8Array;
    password: string;
    chainPem?: Uint8Array;
  },
): Promise<SigningCertificateView> {
  if (input.pkcs12.length > PKCS12_LIMITS.bytes)
    throw new AppError('PAYLOAD_TOO_LARGE', 'the PKCS#12 file is too large', { maxBytes: PKCS12_LIMITS.bytes });
  if (input.chainPem && input.chainPem.length > SIGNING_CHAIN_MAX_BYTES)
    throw new AppError('PAYLOAD_TOO_LARGE', 'the chain file is too large', { maxBytes: SIGNING_CHAIN_MAX_BYTES });
  if (input.password.length > SIGNING_PASSWORD_MAX_LENGTH)
    throw new AppError('VALIDATION_FAILED', 'the password is too long', { field: 'password' });
  const now = ctx.clock.now();
  const extra = input.chainPem ? pemCertificates(input.chainPem) : [];
  let contents: Pkcs12Contents;
  let credential: SigningCredential;
  try {
    contents = readPkcs12(input.pkcs12, input.password);
    credential = checkSigningCredential({
      publicKey: publicKeyOf(contents.privateKey),
      certificates: [...contents.certificates, ...extra],
      time: now,
    });
  } catch (error) {
    if (isCoreError(error, 'PKCS12_BAD_PASSWORD'))
      throw new AppError('SIGNING_CERTIFICATE_PASSWORD', 'the PKCS#12 password is wrong');
    if (isCoreError(error, 'PKCS12_INVALID') || isCoreError(error, 'PKCS12_UNSUPPORTED'))
      throw new AppError('SIGNING_CERTIFICATE_INVALID', error.message, { problem: error.code });
    if (isCoreError(error, 'SIGNING_CREDENTIAL_INVALID'))
      throw new AppError('SIGNING_CERTIFICATE_INVALID', error.message, { problem: error.details?.problem });
    throw error;
  }
  const summary = summaryOf(credential);
  const sealed = await sealSigningKey(ctx, input.organizationId, contents.privateKey, ctx.db);
  const chain = JSON.stringify(credential.certificateChain.map((der) => Buffer.from(der).toString('base64')));
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const old = await signingRow(tx, input.organizationId);
    const values = {
      source: 'upload' as const,
      key_ciphertext: sealed,
      certificate_chain: chain,
      subject: summary.subject,
      issuer: summary.issuer,
      root_subject: summary.root,
      serial: summary.serial,
      sha256: summary.sha256,
      not_before: summary.notBefore,
      not_after: summary.notAfter,
      updated_at: now.toISOString(),
      updated_by_user_id: input.actor.type === 'user' ? input.actor.id : null,
    };
    if (old)
      await tx
        .updateTable('signing_certificates')
        .set(values)
        .where('organization_id', '=', input.organizationId)
        .execute();
    else
      await tx
        .insertInto('signing_certificates')
        .values({ organization_id: input.organizationId, mode: ctx.signing.defaultSigningMode, ...values })
        .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'organization.signing-certificate-changed',
      origin: input.origin,
      at: now,
      details: { change: old?.key_ciphertext ? 'replaced' : 'uploaded', certificate: summary },
    });
  });
  return getSigningCertificate(ctx, { organizationId: input.organizationId });
}

/**
 * Chooses how documents are signed from now on. `organization` and `both` need the chosen certificate
 * (SIGNING_CERTIFICATE_MISSING otherwise). Envelopes already signed keep their signatures.
 */
export async function updateSigningMode(
  ctx: SigningCertificateContext,
  input: {
    organizationId: string;
    actor: Actor;
    origin?: RequestOrigin;
    mode: SigningMode;
    source?: 'upload' | 'operator';
  },
): Promise<SigningCertificateView> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const old = await signingRow(tx, input.organizationId);
    const source = input.source ?? old?.source ?? (ctx.signing.operatorSigning ? 'operator' : 'upload');
    if (input.mode !== 'witness') {
      const available = source === 'upload' ? Boolean(old?.key_ciphertext) : Boolean(ctx.signing.operatorSigning);
      if (!available)
        throw new AppError(
          'SIGNING_CERTIFICATE_MISSING',
          `signing mode ${input.mode} needs the ${source} certificate`,
          {
            source,
          },
        );
      const notAfter = source === 'upload' ? old?.not_after : ctx.signing.operatorSigning?.certificate.notAfter;
      if (notAfter && new Date(notAfter) < now)
        throw new AppError('SIGNING_CERTIFICATE_INVALID', 'the certificate has expired', { problem: 'EXPIRED' });
    }
    const updated = {
      mode: input.mode,
      source,
      updated_at: now.toISOString(),
      updated_by_user_id: userIdOf(input.actor),
    };
    if (old)
      await tx
        .updateTable('signing_certificates')
        .set(updated)
        .where('organization_id', '=', input.organizationId)
        .execute();
    else
      await tx
        .insertInto('signing_certificates')
        .values({ organization_id: input.organizationId, ...updated })
        .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'organization.signing-certificate-changed',
      origin: input.origin,
      at: now,
      details: { change: 'mode', mode: input.mode, source, previousMode: old?.mode ?? ctx.signing.defaultSigningMode },
    });
  });
  return getSigningCertificate(ctx, { organizationId: input.organizationId });
}

/**
 * Removes the uploaded certificate and its key (NOT_FOUND when none). When documents were being
 * signed with it, signing goes back to `witness` in the same transaction, never to a missing key.
 */
export async function removeSigningCertificate(
  ctx: SigningCertificateContext,
  input: { organizationId: string; actor: Actor; origin?: RequestOrigin },
): Promise<SigningCertificateView> {
  const now = ctx.clock.now();
  await inTransaction(ctx.db, ctx.dialect, async (tx) => {
    const old = await signingRow(tx, input.organizationId);
    if (!old?.key_ciphertext) throw new AppError('NOT_FOUND', 'the organisation has no uploaded signing certificate');
    const fallsBack = old.source === 'upload' && old.mode !== 'witness';
    await tx
      .updateTable('signing_certificates')
      .set({
        key_ciphertext: null,
        certificate_chain: null,
        subject: null,
        issuer: null,
        root_subject: null,
        serial: null,
        sha256: null,
        not_before: null,
        not_after: null,
        ...(fallsBack ? { mode: 'witness' as const } : {}),
        updated_at: now.toISOString(),
        updated_by_user_id: userIdOf(input.actor),
      })
      .where('organization_id', '=', input.organizationId)
      .execute();
    await recordEvent(tx, {
      organizationId: input.organizationId,
      actor: input.actor,
      action: 'organization.signing-certificate-changed',
      origin: input.origin,
      at: now,
      details: { change: 'removed', certificate: summaryOfRow(old), ...(fallsBack ? { mode: 'witness' } : {}) },
    });
  });
  return getSigningCertificate(ctx, { organizationId: input.organizationId });
}

/** The organisation's signing_certificates row, if any. */
function signingRow(db: DbOrTx, organizationId: string) {
  return db
    .selectFrom('signing_certificates')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
}

function userIdOf(actor: Actor): string | null {
  return actor.type === 'user' ? actor.id : null;
}

/** The certificates of a PEM text (SIGNING_CERTIFICATE_INVALID CHAIN_UNREADABLE when there is none). */
function pemCertificates(pem: Uint8Array): Uint8Array[] {
  const text = Buffer.from(pem).toString('latin1');
  const found = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map(
    (m) => new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64')),
  );
  if (found.length === 0 || found.length > 16)
    throw new AppError('SIGNING_CERTIFICATE_INVALID', 'the chain file holds no PEM certificate', {
      problem: 'CHAIN_UNREADABLE',
    });
  return found;
}
