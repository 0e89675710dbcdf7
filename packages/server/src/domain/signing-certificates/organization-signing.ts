import { createHash, createPrivateKey, type KeyObject } from 'node:crypto';
import { KeyFileSigner, type SigningCredential, type Signer } from '@inkan/core';
import { formatMessage, inBothLanguages } from '@inkan/core/messages';
import type { Db, DbOrTx } from '../../ports/database.ts';
import type { SecretSeal } from '../../ports/secret-seal.ts';
import type { RecipientAuth } from '../types.ts';

/** How an organisation's documents are signed (issue 13 part 4). */
export type SigningMode = 'witness' | 'organization' | 'both';

/** What names a signing certificate on screens, in events and on the certificate of completion. */
export interface SigningCertificateSummary {
  subject: string;
  issuer: string;
  root: string;
  serial: string;
  /** SHA-256 of the certificate's DER, lower-case hex. */
  sha256: string;
  notBefore: string;
  notAfter: string;
}

/** The operator's certificate as the composition root opened it. */
export interface OperatorSigning {
  signer: Signer;
  certificate: SigningCertificateSummary;
  /** `pkcs12` file or `pkcs11` HSM key. */
  kind: 'pkcs12' | 'pkcs11';
}

/** What signing needs to know about certificates beyond the built-in CA. */
export interface TrustedSigningServices {
  operatorSigning?: OperatorSigning;
  defaultSigningMode: SigningMode;
}

/** The organisation's signing settings resolved for one signature. */
export interface OrganizationSigning {
  mode: SigningMode;
  /** The certificate used in `organization` and `both` modes. */
  signer?: Signer;
  certificate?: SigningCertificateSummary & { source: 'upload' | 'operator' };
}

/** The summary of a checked credential. */
export function summaryOf(credential: SigningCredential): SigningCertificateSummary {
  return {
    subject: credential.subject,
    issuer: credential.issuer,
    root: credential.root,
    serial: credential.serialHex,
    sha256: createHash('sha256').update(credential.certificateChain[0]).digest('hex'),
    notBefore: credential.notBefore.toISOString(),
    notAfter: credential.notAfter.toISOString(),
  };
}

/** Seals an uploaded private key (its PKCS#8 DER) for its organisation. */
export async function sealSigningKey(
  ctx: { secrets: SecretSeal },
  organizationId: string,
  privateKey: KeyObject,
  via: DbOrTx,
): Promise<string> {
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  try {
    return await ctx.secrets.sealSecret('signing-key', pkcs8, organizationId, via);
  } finally {
    pkcs8.fill(0);
  }
}

/** Opens a stored key; throws when it was tampered with or belongs to another organisation. */
async function openSigningKey(ctx: { secrets: SecretSeal; db: Db }, organizationId: string, sealed: string) {
  const pkcs8 = await ctx.secrets.openSecret('signing-key', sealed, organizationId, ctx.db);
  try {
    return createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' });
  } finally {
    pkcs8.fill(0);
  }
}

/**
 * The organisation's signing mode and certificate: its own row (an uploaded key, or the operator's
 * certificate), else the installation's default mode with the operator's certificate. Throws when the
 * mode needs a certificate that is gone or has expired (the signing job fails visibly rather than
 * signing with a witness certificate the organisation did not choose, or with an expired one).
 */
export async function organizationSigning(
  ctx: { db: Db; secrets: SecretSeal; signing: TrustedSigningServices },
  organizationId: string,
  now: Date,
): Promise<OrganizationSigning> {
  const row = await ctx.db
    .selectFrom('signing_certificates')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .executeTakeFirst();
  const mode: SigningMode = row?.mode ?? ctx.signing.defaultSigningMode;
  if (mode === 'witness') return { mode };
  let resolved: OrganizationSigning;
  if (row?.source === 'upload') {
    if (!row.key_ciphertext || !row.certificate_chain)
      throw new Error('the uploaded signing certificate is incomplete');
    const chain = (JSON.parse(row.certificate_chain) as string[]).map(
      (b64) => new Uint8Array(Buffer.from(b64, 'base64')),
    );
    resolved = {
      mode,
      signer: new KeyFileSigner(await openSigningKey(ctx, organizationId, row.key_ciphertext), chain),
      certificate: { ...summaryOfRow(row), source: 'upload' },
    };
  } else {
    const operator = ctx.signing.operatorSigning;
    if (!operator) throw new Error(`signing mode ${mode} needs the operator's certificate, which is not configured`);
    resolved = { mode, signer: operator.signer, certificate: { ...operator.certificate, source: 'operator' } };
  }
  if (new Date(resolved.certificate!.notAfter) < now)
    throw new Error(
      `the signing certificate ${resolved.certificate!.subject} expired on ${resolved.certificate!.notAfter}`,
    );
  return resolved;
}

/** The summary stored with an uploaded certificate. */
export function summaryOfRow(row: {
  subject: string | null;
  issuer: string | null;
  root_subject: string | null;
  serial: string | null;
  sha256: string | null;
  not_before: string | null;
  not_after: string | null;
}): SigningCertificateSummary {
  return {
    subject: row.subject ?? '',
    issuer: row.issuer ?? '',
    root: row.root_subject ?? '',
    serial: row.serial ?? '',
    sha256: row.sha256 ?? '',
    notBefore: row.not_before ?? '',
    notAfter: row.not_after ?? '',
  };
}

/**
 * The /Reason of a signature made with the organisation's certificate: who signed and how each was
 * authenticated, in Japanese then English (the certificate names the organisation, not the signers).
 */
export function signerReason(recipients: ReadonlyArray<{ name: string; email: string; auth: RecipientAuth }>): string {
  const how = (r: { auth: RecipientAuth }) =>
    inBothLanguages(r.auth === 'login' ? 'signature.reason.login' : 'signature.reason.code');
  const ja = recipients.map((r) => `${r.name}（${how(r).ja}）`).join('、');
  const en = recipients.map((r) => `${r.name} <${r.email}> (${how(r).en})`).join(', ');
  return `${formatMessage('ja', 'signature.reason.signedBy', { signers: ja })} / ${formatMessage('en', 'signature.reason.signedBy', { signers: en })}`;
}
