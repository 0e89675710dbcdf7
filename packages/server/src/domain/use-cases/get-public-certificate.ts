import { AppError } from '../app-error.ts';
import { isCertificateId } from '../certificate-id.ts';
import type { DomainContext } from '../domain-context.ts';

/**
 * The public summary of a certificate of completion: what a printed contract can be compared with.
 * Deliberately little: no IP addresses, user agents, messages, organisation or full e-mail addresses.
 */
export interface PublicCertificate {
  certificateId: string;
  envelope: { name: string; completedAt: Date };
  /**
   * sha256Original: the uploaded file; sha256Signed: the file as signed and sealed (what the parties
   * received); versions: its archived versions (LTA renewal adds one each time; the last is current).
   */
  documents: Array<{
    name: string;
    pages: number;
    sha256Original: string;
    sha256Signed: string;
    versions: Array<{ version: number; sha256: string; renewedAt: Date | null; current: boolean }>;
  }>;
  parties: Array<{ name: string; maskedEmail: string; signedAt: Date | null }>;
}

/** `taro@example.jp` → `t***@example.jp`: enough to recognise a party, not enough to mail them. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  const first = Array.from(email.slice(0, at))[0] ?? '';
  return `${first}***${email.slice(at)}`;
}

/**
 * Finds the completed envelope with this certificate ID (read only). Unknown IDs, and envelopes that
 * are not completed (their ID is already stamped while they are out for signature), are NOT_FOUND.
 */
export async function getPublicCertificate(
  ctx: Pick<DomainContext, 'db'>,
  certificateId: string,
): Promise<PublicCertificate> {
  if (!isCertificateId(certificateId)) throw new AppError('NOT_FOUND', 'no such certificate');
  // Only the columns the summary shows are read: nothing else can leak into it.
  const envelope = await ctx.db
    .selectFrom('envelopes')
    .select(['id', 'certificate_id', 'name', 'completed_at'])
    .where('certificate_id', '=', certificateId)
    .where('status', '=', 'completed')
    .executeTakeFirst();
  if (!envelope || envelope.completed_at === null) throw new AppError('NOT_FOUND', 'no such certificate');
  const documents = await ctx.db
    .selectFrom('documents')
    .select(['id', 'name', 'pages', 'sha256_original', 'sha256_current'])
    .where('envelope_id', '=', envelope.id)
    .orderBy('position')
    .execute();
  const versions = await ctx.db
    .selectFrom('archive_versions')
    .select(['subject_id', 'version', 'sha256', 'sha256_original', 'renewed_at', 'current'])
    .where('envelope_id', '=', envelope.id)
    .where('subject_kind', '=', 'document')
    .orderBy('version')
    .execute();
  const parties = await ctx.db
    .selectFrom('recipients')
    .select(['name', 'email', 'signed_at'])
    .where('envelope_id', '=', envelope.id)
    .where('status', '=', 'signed')
    .orderBy('signing_order')
    .orderBy('position')
    .execute();
  return {
    certificateId: envelope.certificate_id,
    envelope: { name: envelope.name, completedAt: new Date(envelope.completed_at) },
    documents: documents.map((d) => {
      const archived = versions.filter((v) => v.subject_id === d.id);
      return {
        name: d.name,
        pages: d.pages,
        sha256Original: d.sha256_original,
        sha256Signed: archived[0]?.sha256_original ?? d.sha256_current,
        versions: archived.map((v) => ({
          version: v.version,
          sha256: v.sha256,
          renewedAt: v.renewed_at === null ? null : new Date(v.renewed_at),
          current: v.current === 1,
        })),
      };
    }),
    parties: parties.map((r) => ({
      name: r.name,
      maskedEmail: maskEmail(r.email),
      signedAt: r.signed_at === null ? null : new Date(r.signed_at),
    })),
  };
}
