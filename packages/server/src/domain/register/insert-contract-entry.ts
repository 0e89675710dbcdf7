import type { BlobStore } from '../../ports/blob-store.ts';
import type { DbOrTx } from '../../ports/database.ts';
import { newId } from '../../security/tokens.ts';
import { recordEvent, type EventAction } from '../record-event.ts';
import type { Actor, RequestOrigin } from '../types.ts';
import { extractPdfText, TEXT_LIMITS } from './extract-pdf-text.ts';
import { counterpartyNorm, ownerColumns, searchNorm, type ContractScope } from './contract-model.ts';

/** A document to put into a new entry: a blob (the entry's own copy, or the envelope's) and its facts. */
export interface EntryDocument {
  kind: 'signed' | 'certificate' | 'imported';
  name: string;
  size: number;
  sha256: string;
  blob: string;
  owned: boolean;
}

/** What a new register entry starts with. */
export interface NewContractEntry {
  scope: ContractScope;
  source: 'envelope' | 'claim' | 'import';
  envelopeId: string | null;
  certificateId: string | null;
  title: string;
  counterparties: string[];
  signedOn: string | null;
  assigneeUserId: string | null;
  extractedText: string;
  documents: EntryDocument[];
  importedAt?: string | null;
  /** Extra columns an import sets from its `contract` JSON. */
  fields?: Partial<{
    start_on: string | null;
    end_on: string | null;
    notice_on: string | null;
    amount: number | null;
    currency: string;
    tax: 'included' | 'excluded' | null;
    auto_renew: number;
    renewal_months: number | null;
    contract_type: string | null;
    reference_number: string | null;
    memo: string;
    status: 'active' | 'expired' | 'terminated';
  }>;
  tags?: string[];
  watchers?: string[];
  /** Custom field values (canonical text), organisation entries only. */
  fieldValues?: Record<string, string>;
}

/**
 * Inserts a register entry with its documents and search text, and its event, inside the caller's
 * transaction (the entry and its operation-log event commit together). Returns the entry's id.
 */
export async function insertContractEntry(
  tx: DbOrTx,
  entry: NewContractEntry,
  event: {
    action: EventAction;
    organizationId: string | null;
    actor: Actor;
    origin?: RequestOrigin;
    at: Date;
    details?: Record<string, unknown>;
  },
): Promise<string> {
  const id = newId();
  const now = event.at.toISOString();
  const owner = ownerColumns(entry.scope);
  await tx
    .insertInto('contracts')
    .values({
      id,
      ...owner,
      source: entry.source,
      envelope_id: entry.envelopeId,
      certificate_id: entry.certificateId,
      title: entry.title,
      counterparties: JSON.stringify(entry.counterparties),
      counterparty_norm: counterpartyNorm(entry.counterparties),
      signed_on: entry.signedOn,
      start_on: null,
      end_on: null,
      notice_on: null,
      amount: null,
      tax: null,
      renewal_months: null,
      contract_type: null,
      reference_number: null,
      assignee_user_id: entry.assigneeUserId,
      imported_at: entry.importedAt ?? null,
      created_at: now,
      updated_at: now,
      ...entry.fields,
    })
    .execute();
  if (entry.documents.length) {
    await tx
      .insertInto('contract_documents')
      .values(
        entry.documents.map((d, position) => ({
          id: newId(),
          contract_id: id,
          kind: d.kind,
          position,
          name: d.name,
          size: d.size,
          sha256: d.sha256,
          blob: d.blob,
          owned: d.owned ? 1 : 0,
          created_at: now,
        })),
      )
      .execute();
  }
  await tx
    .insertInto('contract_texts')
    .values({
      contract_id: id,
      scope: owner.scope,
      extracted: entry.extractedText,
      search_norm: searchNorm(entry.title, entry.counterparties, entry.extractedText),
    })
    .execute();
  if (entry.tags?.length)
    await tx
      .insertInto('contract_tags')
      .values(entry.tags.map((tag) => ({ contract_id: id, scope: owner.scope, tag })))
      .execute();
  if (entry.watchers?.length)
    await tx
      .insertInto('contract_watchers')
      .values(entry.watchers.map((user_id) => ({ contract_id: id, user_id })))
      .execute();
  const values = Object.entries(entry.fieldValues ?? {});
  if (values.length)
    await tx
      .insertInto('contract_field_values')
      .values(values.map(([key, value]) => ({ contract_id: id, scope: owner.scope, key, value })))
      .execute();
  await recordEvent(tx, {
    organizationId: event.organizationId,
    envelopeId: entry.envelopeId,
    actor: event.actor,
    action: event.action,
    origin: event.origin,
    details: { contractId: id, source: entry.source, ...event.details },
    at: event.at,
  });
  return id;
}

/** The text layer of several PDFs in blobs, joined and bounded (read before the transaction: it is slow). */
export async function extractTextOfBlobs(blobs: BlobStore, keys: readonly string[]): Promise<string> {
  const parts: string[] = [];
  let total = 0;
  for (const key of keys) {
    if (total >= TEXT_LIMITS.chars) break;
    const text = await extractPdfText(await blobs.get(key));
    parts.push(text);
    total += text.length;
  }
  return parts.join('\n').slice(0, TEXT_LIMITS.chars);
}
