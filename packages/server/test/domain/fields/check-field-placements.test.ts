// checkFieldPlacements (a draft's or a template's fields, PUT …/fields): a document's PDF is read and
// parsed once per request, not once per page that has a field (100 fields on 100 pages of a large
// template document would otherwise parse it 100 times).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makePdf } from '../../../../core/test/helpers/make-pdf.ts';
import { checkFieldPlacements } from '../../../src/domain/fields/check-field-placements.ts';

test('checkFieldPlacements reads each document once, whatever the number of pages with fields', async () => {
  const pdf = await makePdf({ pages: 5 });
  const gets: string[] = [];
  const blobs = {
    get: async (id: string) => {
      gets.push(id);
      return pdf;
    },
  };
  const fields = [1, 2, 3, 4, 5].map((page) => ({
    documentId: 'd1',
    ownerId: 'r1',
    page,
    rect: [50, 50, 150, 80] as [number, number, number, number],
    kind: 'text' as const,
  }));
  await checkFieldPlacements({ blobs } as never, {
    fields,
    ownerKey: 'roleId',
    documents: [{ id: 'd1', name: 'a.pdf', pages: 5, blob: 'blob-1' }],
    ownerOf: () => ({ cc: false }),
    noOwner: 'is not a role',
    noDocument: 'is not a document',
  });
  assert.deepEqual(gets, ['blob-1']);
  // A rectangle outside page 3 is still refused against page 3's box.
  await assert.rejects(
    checkFieldPlacements({ blobs } as never, {
      fields: [{ ...fields[2], rect: [50, 50, 150, 5000] }],
      ownerKey: 'roleId',
      documents: [{ id: 'd1', name: 'a.pdf', pages: 5, blob: 'blob-1' }],
      ownerOf: () => ({ cc: false }),
      noOwner: 'is not a role',
      noDocument: 'is not a document',
    }),
    (error: { code?: string; details?: { field?: string } }) =>
      error.code === 'FIELD_INVALID' && error.details?.field === 'fields[0].rect',
  );
});
