// テンプレートの入力項目 (issue 13 part 2, session 18), on SQLite and PostgreSQL through the HTTP API: a
// template's fields are placed, moved and removed per role (PUT /api/v1/templates/{id}/fields), checked as
// a draft's are (page box, roles, no CC role, bounds) with nothing changed on bad input; envelopes made
// from the template then carry the new fields; the preview reads the template's own PDF; admins or the
// creator only, another organisation's template is 404.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { addMember, asSession, signIn, type TestSession } from '../api/helpers/admin-session.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { templateFromDraft, type TemplateJson } from './helpers/template-from-draft.ts';

for (const dialect of DIALECTS) {
  describe(`template fields (${dialect})`, () => {
    let h: Harness;
    let admin: TestSession;
    let template: TemplateJson;
    let pdf: Uint8Array;

    before(async () => {
      h = await startHarness(dialect);
      admin = await signIn(h, h.org.admin);
      pdf = await makePdf({ pages: 2, text: 'Template fields' });
      template = await templateFromDraft(h, admin, {
        pdf,
        recipients: [
          { name: '見本 太郎', email: 'sample@example.jp', accessCode: '1234', order: 1 },
          { name: '見本 花子', email: 'sample2@example.jp', accessCode: '5678', order: 2 },
          { name: '控え 担当', email: 'cc@example.jp', role: 'cc' },
        ],
        roleNames: ['甲', '乙', '控え'],
      });
    });
    after(async () => h?.close());

    const put = (session: TestSession, fields: unknown) =>
      asSession(h, session, 'PUT', `/api/v1/templates/${template.id}/fields`, { fields });
    const stored = async () =>
      (await asSession(h, admin, 'GET', `/api/v1/templates/${template.id}`)).json() as TemplateJson;

    it('places, moves and removes fields per role; an envelope from the template carries them', async () => {
      const [document] = template.documents;
      const [first, second] = template.roles;
      assert.equal(template.fields.length, 1);
      const moved = { ...template.fields[0], rect: [100, 200, 160, 260] };
      const res = await put(admin, [
        { documentId: moved.documentId, roleId: moved.roleId, page: 1, rect: moved.rect, kind: 'seal' },
        { documentId: document.id, roleId: second.id, page: 2, rect: [300, 120, 360, 180], kind: 'seal' },
        {
          documentId: document.id,
          roleId: second.id,
          page: 2,
          rect: [100, 100, 260, 124],
          kind: 'text',
          label: '住所',
          required: false,
        },
      ]);
      assert.equal(res.statusCode, 200, res.body);
      const after = res.json() as TemplateJson;
      assert.deepEqual(
        after.fields.map((f) => [f.roleId, f.page, f.rect, f.kind, f.label]),
        [
          [first.id, 1, [100, 200, 160, 260], 'seal', null],
          [second.id, 2, [300, 120, 360, 180], 'seal', null],
          [second.id, 2, [100, 100, 260, 124], 'text', '住所'],
        ],
      );
      assert.deepEqual(
        after.roles.map((r) => r.fields),
        [1, 2, 0],
      );
      const event = await h.context.db
        .selectFrom('events')
        .select('details')
        .where('organization_id', '=', h.org.id)
        .where('action', '=', 'template.updated')
        .orderBy('seq', 'desc')
        .executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(event.details).changed, ['fields']);

      // Removing one: the rest stay in order.
      const removed = await put(
        admin,
        after.fields
          .filter((f) => f.kind !== 'text')
          .map((f) => ({ documentId: f.documentId, roleId: f.roleId, page: f.page, rect: f.rect, kind: f.kind })),
      );
      assert.equal(removed.statusCode, 200, removed.body);
      assert.equal((removed.json() as TemplateJson).fields.length, 2);

      const made = await h.api(h.org, 'POST', `/api/v1/templates/${template.id}/envelopes`, {
        people: [
          { roleId: first.id, name: '山田 太郎', email: 'yamada@example.jp' },
          { roleId: second.id, name: '鈴木 次郎', email: 'suzuki@example.jp' },
          { roleId: template.roles[2].id, name: '控え 花子', email: 'hanako@example.jp' },
        ],
      });
      assert.equal(made.statusCode, 201, made.body);
      const envelope = made.json();
      const fields = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/fields`)).json().items as Array<{
        recipientId: string;
        page: number;
        rect: number[];
      }>;
      assert.deepEqual(
        fields.map((f) => [f.recipientId, f.page, f.rect]),
        [
          [envelope.recipients[0].id, 1, [100, 200, 160, 260]],
          [envelope.recipients[1].id, 2, [300, 120, 360, 180]],
        ],
      );
    });

    it('bad placements are refused with the field named, and nothing changes', async () => {
      const before = await stored();
      const [document] = template.documents;
      const [first, , cc] = template.roles;
      const base = { documentId: document.id, roleId: first.id, page: 1, rect: [100, 100, 160, 160], kind: 'seal' };
      for (const [field, code, named] of [
        [{ ...base, rect: [580, 100, 640, 160] }, 'FIELD_INVALID', 'fields[0].rect'],
        [{ ...base, page: 3 }, 'FIELD_INVALID', 'fields[0].page'],
        [{ ...base, roleId: cc.id }, 'RECIPIENT_IS_CC', 'fields[0].roleId'],
        [{ ...base, roleId: '00000000-0000-4000-8000-000000000000' }, 'FIELD_INVALID', 'fields[0].roleId'],
        [{ ...base, documentId: 'x' }, 'FIELD_INVALID', 'fields[0].documentId'],
        [{ ...base, kind: 'stamp' }, 'VALIDATION_FAILED', 'fields[0].kind'],
      ] as const) {
        const res = await put(admin, [field]);
        assert.equal(res.statusCode, code === 'RECIPIENT_IS_CC' ? 409 : 400, `${named}: ${res.body}`);
        assert.equal(res.json().error.code, code, res.body);
        assert.equal(res.json().error.details.field, named);
        assert.match(res.json().error.message, /[ぁ-んァ-ン一-龥]/, 'a message in Japanese');
      }
      assert.deepEqual(await stored(), before);
    });

    it('the preview reads the template’s PDF; only admins or the creator change fields; other organisations get 404', async () => {
      const document = template.documents[0];
      const file = await asSession(h, admin, 'GET', `/api/v1/templates/${template.id}/documents/${document.id}`);
      assert.equal(file.statusCode, 200, file.body);
      assert.equal(file.headers['content-type'], 'application/pdf');
      assert.deepEqual(new Uint8Array(file.rawPayload), pdf);
      const member = await addMember(h, h.org, 'member', '別の 担当');
      const memberSession = await signIn(h, member);
      const memberRead = await asSession(
        h,
        memberSession,
        'GET',
        `/api/v1/templates/${template.id}/documents/${document.id}`,
      );
      assert.equal(memberRead.statusCode, 200, 'members read the organisation’s templates');
      const before = await stored();
      const refused = await put(memberSession, []);
      assert.equal(refused.statusCode, 403, refused.body);
      const byKey = await h.api(h.org, 'PUT', `/api/v1/templates/${template.id}/fields`, { fields: [] });
      assert.equal(byKey.statusCode, 403, 'an API key needs the admin scope');
      const other = await signIn(h, h.other.admin);
      assert.equal((await put(other, [])).statusCode, 404);
      assert.equal(
        (await asSession(h, other, 'GET', `/api/v1/templates/${template.id}/documents/${document.id}`)).statusCode,
        404,
      );
      assert.deepEqual(await stored(), before);
    });
  });
}
