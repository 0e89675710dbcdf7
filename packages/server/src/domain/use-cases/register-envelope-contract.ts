import { certificateIdStampText } from '@inkan/core';
import type { Selectable } from 'kysely';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import { japanDate } from '../register/contract-model.ts';
import { TEXT_LIMITS } from '../register/extract-pdf-text.ts';
import { extractTextOfBlobs, insertContractEntry } from '../register/insert-contract-entry.ts';
import { certificateFileName } from './get-completion-certificate.ts';

/** What 自動登録 needs, read before the transaction (text extraction is slow). */
export interface EnvelopeRegistration {
  envelope: Selectable<Schema['envelopes']>;
  documents: Array<Selectable<Schema['documents']>>;
  recipientNames: string[];
  text: string;
}

/**
 * Reads an envelope's documents, recipients and its text for 自動登録. The text is what the parties
 * signed: the text layer of each document as uploaded, then what the platform drew into them — the
 * certificate ID stamp and the values the signers filled in (text, date and seal fields). The signed
 * PDFs carry the same text, but reading them costs twice as much (pdf.js repairs the embedded Noto subset
 * of the stamp and walks every signature's update): ≈ 7 ms of a job's CPU per envelope (issue 10).
 */
export async function prepareEnvelopeRegistration(
  db: DbOrTx,
  blobs: BlobStore,
  envelope: Selectable<Schema['envelopes']>,
): Promise<EnvelopeRegistration> {
  const documents = await db
    .selectFrom('documents')
    .selectAll()
    .where('envelope_id', '=', envelope.id)
    .orderBy('position')
    .execute();
  const recipients = await db
    .selectFrom('recipients')
    .select('name')
    .where('envelope_id', '=', envelope.id)
    // 取引先 are the parties who signed; CC recipients only received a copy.
    .where('role', '=', 'signer')
    .orderBy('signing_order')
    .orderBy('position')
    .execute();
  const filled = await db
    .selectFrom('envelope_fields')
    .select('value')
    .where('envelope_id', '=', envelope.id)
    .where('kind', 'in', ['text', 'date', 'seal'])
    .where('value', 'is not', null)
    .orderBy('position')
    .execute();
  const uploaded = await extractTextOfBlobs(
    blobs,
    documents.map((d) => d.blob_original),
  );
  const drawn = [certificateIdStampText(envelope.certificate_id), ...filled.map((f) => f.value ?? '')];
  const text = [uploaded, ...drawn].join('\n').slice(0, TEXT_LIMITS.chars);
  return { envelope, documents, recipientNames: [...new Set(recipients.map((r) => r.name))], text };
}

/**
 * 自動登録: puts a completed envelope into its organisation's register, inside the caller's transaction
 * (the one that records the certificate of completion, so the entry and its event commit together).
 * 取引先 = the recipients, 締結日 = the completion day (Japan), 担当者 = the sender; the documents are the
 * envelope's own blobs (the organisation keeps them) plus the certificate when issued. Once per envelope.
 */
export async function registerEnvelopeContract(
  tx: DbOrTx,
  registration: EnvelopeRegistration,
  certificate: { blob: string; sha256: string; size: number } | null,
  at: Date,
): Promise<string | null> {
  const { envelope } = registration;
  const existing = await envelopeEntryOf(tx, envelope.organization_id, envelope.id).executeTakeFirst();
  if (existing) return null;
  const documents = registration.documents.map((d) => ({
    kind: 'signed' as const,
    name: d.name,
    size: d.size,
    sha256: d.sha256_current,
    blob: d.blob_current,
    owned: false,
  }));
  const withCertificate = certificate
    ? [
        ...documents,
        {
          kind: 'certificate' as const,
          name: certificateFileName(envelope.certificate_id),
          ...certificate,
          owned: false,
        },
      ]
    : documents;
  return insertContractEntry(
    tx,
    {
      scope: { kind: 'organization', organizationId: envelope.organization_id },
      source: 'envelope',
      envelopeId: envelope.id,
      certificateId: envelope.certificate_id,
      title: envelope.name,
      counterparties: registration.recipientNames,
      signedOn: envelope.completed_at ? japanDate(new Date(envelope.completed_at)) : japanDate(at),
      assigneeUserId: envelope.created_by_user_id,
      extractedText: registration.text,
      documents: withCertificate,
    },
    {
      action: 'contract.registered',
      organizationId: envelope.organization_id,
      actor: { type: 'system', id: null },
      at,
    },
  );
}

/** The register entry made from an envelope (at most one: contracts_envelope_org), found by contracts_envelope. */
export function envelopeEntryOf(db: DbOrTx, organizationId: string, envelopeId: string) {
  return db
    .selectFrom('contracts')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('envelope_id', '=', envelopeId)
    .where('source', '=', 'envelope');
}
