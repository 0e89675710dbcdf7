import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.ts';
import { parseContractQuery } from '../../domain/register/contract-search.ts';
import type { Contract } from '../../domain/register/contract-model.ts';
import { exportContracts } from '../../domain/use-cases/export-contracts.ts';
import { getContract } from '../../domain/use-cases/get-contract.ts';
import { getContractDocument } from '../../domain/use-cases/get-contract-document.ts';
import { listContracts } from '../../domain/use-cases/list-contracts.ts';
import { updateContract } from '../../domain/use-cases/update-contract.ts';
import { UTF8_BOM, csvRecord } from '../audit/csv.ts';
import { parseWith } from '../envelopes/schema.ts';
import { contentDisposition, originOf, sendPdf } from '../request-context.ts';
import { contractChangesSchema, contractDocumentParams, contractParams } from './schema.ts';
import { requireRegisterCaller } from './scope.ts';

/** Columns of the register's CSV export, Japanese headers (the spreadsheet's reader is Japanese first). */
const CSV_COLUMNS: Array<[string, (c: Contract) => string | number | null]> = [
  ['ID', (c) => c.id],
  ['タイトル', (c) => c.title],
  ['取引先', (c) => c.counterparties.join(' / ')],
  ['締結日', (c) => c.signedOn],
  ['契約開始日', (c) => c.startOn],
  ['契約満了日', (c) => c.endOn],
  ['解約通知期限', (c) => c.noticeOn],
  ['契約金額', (c) => c.amount],
  ['通貨', (c) => c.currency],
  ['税込/税抜', (c) => (c.tax === 'included' ? '税込' : c.tax === 'excluded' ? '税抜' : '')],
  ['自動更新', (c) => (c.autoRenew ? 'あり' : 'なし')],
  ['更新期間（月）', (c) => c.renewalMonths],
  ['契約種別', (c) => c.contractType],
  ['管理番号', (c) => c.referenceNumber],
  ['担当者', (c) => c.owner],
  ['状態', (c) => c.status],
  ['タグ', (c) => c.tags.join(' / ')],
  ['登録元', (c) => c.source],
  ['締結証明書ID', (c) => c.certificateId],
  ['メモ', (c) => c.memo],
  ['登録日時', (c) => c.createdAt],
  ['更新日時', (c) => c.updatedAt],
];

/** The register API (REST v1): an API key or a session; the organisation's register or, with ?scope=personal, the account's. */
export async function contractRoutes(app: FastifyInstance, options: { context: AppContext }): Promise<void> {
  const { context } = options;

  app.get('/api/v1/contracts', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const query = parseContractQuery(request.query as Record<string, unknown>);
    const page = await listContracts(context, { scope: caller.scope, query });
    return { items: page.items, nextCursor: page.nextCursor };
  });

  app.get('/api/v1/contracts.csv', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    // The same filters and sort as the list; every matching row (limit and cursor do not apply).
    const query = parseContractQuery(request.query as Record<string, unknown>);
    const rows = exportContracts(context, { scope: caller.scope, query: { filters: query.filters, sort: query.sort, limit: query.limit } });
    async function* body(): AsyncGenerator<string> {
      yield UTF8_BOM + csvRecord(CSV_COLUMNS.map(([header]) => header));
      for await (const contract of rows) yield csvRecord(CSV_COLUMNS.map(([, value]) => value(contract)));
    }
    const stamp = context.clock.now().toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', contentDisposition('attachment', `契約台帳_${stamp}.csv`))
      .header('cache-control', 'private, no-store')
      .send(Readable.from(body()));
  });

  app.get('/api/v1/contracts/:id', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const { id } = parseWith(contractParams, request.params);
    const { contract, documents, history } = await getContract(context, { scope: caller.scope, contractId: id });
    return { ...contract, documents, history };
  });

  app.patch('/api/v1/contracts/:id', async (request) => {
    const caller = await requireRegisterCaller(context, request, { write: true });
    const { id } = parseWith(contractParams, request.params);
    const changes = parseWith(contractChangesSchema, request.body ?? {});
    await updateContract(context, { scope: caller.scope, contractId: id, changes, actor: caller.actor, origin: originOf(request) });
    const { contract, documents, history } = await getContract(context, { scope: caller.scope, contractId: id });
    return { ...contract, documents, history };
  });

  app.get('/api/v1/contracts/:id/documents/:documentId', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const { id, documentId } = parseWith(contractDocumentParams, request.params);
    return sendPdf(reply, await getContractDocument(context, { scope: caller.scope, contractId: id, documentId }), 'attachment');
  });

  app.get('/api/v1/contracts/:id/certificate', async (request, reply) => {
    const caller = await requireRegisterCaller(context, request, { write: false });
    const { id } = parseWith(contractParams, request.params);
    return sendPdf(reply, await getContractDocument(context, { scope: caller.scope, contractId: id, kind: 'certificate' }), 'attachment');
  });
}

