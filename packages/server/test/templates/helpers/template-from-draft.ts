// A template made as users make one: a draft with a seal for its first signer, saved as a template
// (テンプレートとして保存) by a signed-in member, or through the API with the organisation's API key.
import assert from 'node:assert/strict';
import { asSession, type TestSession } from '../../api/helpers/admin-session.ts';
import type { Harness } from '../../api/helpers/harness.ts';

/** The template's JSON (the parts the tests read). */
export interface TemplateJson {
  id: string;
  updatedAt: string;
  subject: string;
  documents: Array<{ id: string; pages: number }>;
  roles: Array<{ id: string; name: string; role: string; order: number; fields: number }>;
  fields: Array<{
    documentId: string;
    roleId: string;
    page: number;
    rect: number[];
    kind: string;
    label: string | null;
  }>;
}

/**
 * A draft of `recipients` on `pdf` (with `message`, if given) with one seal for the first, then the template
 * made from it by `by`: a member's session, or `'api-key'` (the organisation's API key).
 */
export async function templateFromDraft(
  h: Harness,
  by: TestSession | 'api-key',
  input: { pdf: Uint8Array; recipients: object[]; roleNames: string[]; message?: string },
): Promise<TemplateJson> {
  const draft = await h.createEnvelope(
    h.org,
    {
      name: '業務委託契約書',
      ...(input.message === undefined ? {} : { message: input.message }),
      recipients: input.recipients,
    },
    [{ filename: '契約書.pdf', data: input.pdf }],
  );
  assert.equal(draft.statusCode, 201, draft.body);
  const envelope = draft.json();
  const placed = await h.api(h.org, 'PUT', `/api/v1/envelopes/${envelope.id}/fields`, {
    fields: [
      {
        documentId: envelope.documents[0].id,
        recipientId: envelope.recipients[0].id,
        page: 1,
        rect: [380, 100, 440, 160],
        kind: 'seal',
      },
    ],
  });
  assert.equal(placed.statusCode, 200, placed.body);
  const body = { envelopeId: envelope.id, name: '業務委託テンプレート', roleNames: input.roleNames };
  const made =
    by === 'api-key'
      ? await h.api(h.org, 'POST', '/api/v1/templates', body)
      : await asSession(h, by, 'POST', '/api/v1/templates', body);
  assert.equal(made.statusCode, 201, made.body);
  return made.json() as TemplateJson;
}
