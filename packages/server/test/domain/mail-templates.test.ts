// Mail texts: the exact subjects of PRODUCT.md, the links, the validity, the access-code explanation,
// English per recipient language, and HTML escaping of everything a sender types.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderCompletion } from '../../src/mail/templates/completion.ts';
import { renderRecipientDeclined, renderRecipientLocked } from '../../src/mail/templates/sender-notices.ts';
import { renderSigningRequest } from '../../src/mail/templates/signing-request.ts';
import { renderRecipientUnlocked } from '../../src/mail/templates/recipient-unlocked.ts';
import { newCertificateId, isCertificateId } from '../../src/domain/certificate-id.ts';
import { preferredLanguage } from '../../src/http/errors.ts';

const request = {
  organizationName: '〇〇市 契約課',
  senderName: '担当 花子',
  envelopeName: '工事請負契約 <第3号>',
  message: 'よろしく & お願いします <b>',
  recipientName: '山田 太郎',
  url: 'https://inkan.example.jp/s/TOKEN123',
  validUntil: new Date('2030-01-31T03:00:00Z'),
  auth: 'access_code' as const,
  sequence: 1,
  sender: { organization: '〇〇市 契約課', name: '担当 花子', email: 'hanako@city.example.jp', phone: '03-1234-5678' },
  help: help(),
};

function help() {
  return { url: 'https://inkan.example.jp/help', support: { email: 'support@inkan.example.jp', url: null } };
}

const checking = {
  verifyUrl: 'https://x.jp/verify',
  rootCertificateUrl: 'https://x.jp/pki/ca/root.cer',
  help: help(),
};

describe('mail templates', () => {
  it('reminder (ja/en): marked as a reminder, the earlier link still valid, the code unchanged (never for a sign-in signer)', () => {
    const ja = renderSigningRequest({ ...request, language: 'ja', reminder: true });
    assert.equal(ja.subject, '【リマインド】【〇〇市 契約課】様より工事請負契約 <第3号>への署名依頼が届いています');
    assert.match(ja.text, /まだ署名が完了していないため、改めてお知らせします/);
    assert.match(ja.text, /https:\/\/inkan\.example\.jp\/s\/TOKEN123/);
    assert.match(ja.text, /アクセスコードも前回と変わりません/);
    assert.match(ja.text, /前回のご案内のURLも引き続きお使いいただけます/);
    assert.match(ja.html, /href="https:\/\/inkan\.example\.jp\/s\/TOKEN123"/);
    const en = renderSigningRequest({ ...request, language: 'en', reminder: true });
    assert.equal(en.subject, 'Reminder: 〇〇市 契約課 has sent you "工事請負契約 <第3号>" to sign');
    assert.match(en.text, /the link of the earlier mail still works too/);
    assert.match(en.text, /The access code has not changed/);
    const login = renderSigningRequest({ ...request, language: 'ja', reminder: true, auth: 'login' });
    assert.doesNotMatch(login.text, /アクセスコードも前回と変わりません/);
    // Not a reminder: the subject stays exactly as PRODUCT.md says.
    assert.doesNotMatch(renderSigningRequest({ ...request, language: 'ja' }).subject, /リマインド/);
  });

  it('signing request (ja): the exact subject, the personal URL, the code explained, HTML escaped', () => {
    const mail = renderSigningRequest({ ...request, language: 'ja' });
    assert.equal(mail.subject, '【〇〇市 契約課】様より工事請負契約 <第3号>への署名依頼が届いています');
    assert.match(mail.text, /https:\/\/inkan\.example\.jp\/s\/TOKEN123/);
    assert.match(mail.text, /アクセスコード/);
    assert.match(mail.text, /無関係な第三者/);
    assert.match(mail.text, /2030年1月31日 12:00（日本時間）/);
    assert.match(mail.html, /工事請負契約 &lt;第3号&gt;/);
    assert.match(mail.html, /よろしく &amp; お願いします &lt;b&gt;/);
    assert.doesNotMatch(mail.html, /<b>/);
    assert.match(mail.html, /<a href="https:\/\/inkan\.example\.jp\/s\/TOKEN123"/);
  });

  it('signing request (en) and no line breaks in a subject', () => {
    const mail = renderSigningRequest({ ...request, language: 'en', envelopeName: 'Lease\r\nBcc: evil@example.com' });
    assert.equal(mail.subject, '〇〇市 契約課 has sent you "Lease Bcc: evil@example.com" to sign');
    assert.match(mail.text, /access code/);
    assert.match(mail.text, /2030-01-31 03:00 UTC/);
  });

  it('completion: 電子署名完了のお知らせ with the ダウンロード link and its validity', () => {
    const mail = renderCompletion({
      language: 'ja',
      organizationName: '〇〇市',
      envelopeName: '契約',
      certificateId: 'IK-ABCD-EFGH-JKLM',
      recipientName: '山田 太郎',
      downloadUrl: 'https://x.jp/d/T',
      validUntil: new Date('2030-02-14T00:00:00Z'),
      validForMs: 14 * 86_400_000,
      ...checking,
    });
    assert.equal(mail.subject, '電子署名完了のお知らせ');
    assert.match(mail.text, /ダウンロード:\nhttps:\/\/x\.jp\/d\/T/);
    assert.match(mail.text, /14日間/);
    assert.match(mail.html, />ダウンロード<\/a>/);
    assert.match(mail.text, /IK-ABCD-EFGH-JKLM/);
    const en = renderCompletion({
      language: 'en',
      organizationName: 'City',
      envelopeName: 'Deal',
      certificateId: 'IK-ABCD-EFGH-JKLM',
      recipientName: 'Alice',
      downloadUrl: 'https://x.jp/d/T',
      validUntil: new Date(),
      validForMs: 86_400_000,
      ...checking,
    });
    assert.match(en.text, /valid for 1 day/);
  });

  it('sender notices are escaped and carry the envelope link', () => {
    const locked = renderRecipientLocked({
      envelopeName: 'E',
      recipientName: '<i>R</i>',
      recipientEmail: 'r@x.jp',
      attempts: 5,
      envelopeUrl: 'https://x.jp/envelopes/1',
    });
    assert.match(locked.text, /5回/);
    assert.match(locked.html, /&lt;i&gt;R&lt;\/i&gt;/);
    const declined = renderRecipientDeclined({
      envelopeName: 'E',
      recipientName: 'R',
      recipientEmail: 'r@x.jp',
      reason: 'no "way"',
      envelopeUrl: 'https://x.jp/envelopes/1',
    });
    assert.match(declined.html, /no &quot;way&quot;/);
  });
});

describe('signer contact, help and trust in mails (issue 11)', () => {
  it('signing request names the sender (organisation, person, e-mail, telephone), says replies reach them, and links help and support', () => {
    for (const language of ['ja', 'en'] as const) {
      const mail = renderSigningRequest({ ...request, language });
      for (const part of [mail.text, mail.html]) {
        assert.match(part, /担当 花子/);
        assert.match(part, /hanako@city\.example\.jp/);
        assert.match(part, /03-1234-5678/);
        assert.match(part, /https:\/\/inkan\.example\.jp\/help/);
        assert.match(part, /support@inkan\.example\.jp/);
      }
      assert.match(mail.text, language === 'ja' ? /ご返信は送信者に届きます/ : /replies go to the sender/);
      assert.doesNotMatch(mail.text, /ご返信いただいてもお答えできません|replies are not read/);
    }
    // The help page is a link in the HTML footer too.
    assert.match(
      renderSigningRequest({ ...request, language: 'ja' }).html,
      /<a href="https:\/\/inkan\.example\.jp\/help"/,
    );
  });

  it('signing request of an API-created envelope names the organisation only and keeps the no-reply wording', () => {
    const mail = renderSigningRequest({
      ...request,
      language: 'ja',
      senderName: null,
      sender: { organization: '〇〇市 契約課', name: null, email: null, phone: null },
    });
    assert.match(mail.text, /お問い合わせ先（送信者）\n〇〇市 契約課\n/);
    assert.match(mail.text, /ご返信いただいてもお答えできません/);
  });

  it('completion mail: the subject stays, the body names the envelope and explains /verify, the root certificate and Reader steps', () => {
    const mail = renderCompletion({
      language: 'ja',
      organizationName: '〇〇市',
      envelopeName: '道路補修工事 請負契約',
      certificateId: 'IK-ABCD-EFGH-JKLM',
      recipientName: '山田 太郎',
      downloadUrl: 'https://x.jp/d/T',
      validUntil: new Date('2030-02-14T00:00:00Z'),
      validForMs: 14 * 86_400_000,
      ...checking,
      sender: request.sender,
    });
    assert.equal(mail.subject, '電子署名完了のお知らせ');
    assert.match(mail.text, /「道路補修工事 請負契約」について/);
    assert.match(mail.text, /署名の確認方法/);
    assert.match(mail.text, /https:\/\/x\.jp\/verify/);
    assert.match(mail.text, /https:\/\/x\.jp\/pki\/ca\/root\.cer/);
    assert.match(mail.text, /Adobe Acrobat Reader/);
    assert.match(mail.text, /https:\/\/inkan\.example\.jp\/help#adobe-reader/);
    assert.match(mail.text, /hanako@city\.example\.jp/);
    const en = renderCompletion({
      language: 'en',
      organizationName: 'City',
      envelopeName: 'Deal',
      certificateId: 'IK-ABCD-EFGH-JKLM',
      recipientName: 'Alice',
      downloadUrl: 'https://x.jp/d/T',
      validUntil: new Date(),
      validForMs: 86_400_000,
      ...checking,
    });
    assert.match(en.text, /How to check the signatures/);
    assert.match(en.text, /trusted certificates/);
    // The sender's own copy (no contact): replies are not read.
    assert.match(en.text, /replies are not read/);
  });

  it('unlock notice: says whether the code changed, never contains a code, names the sender', () => {
    for (const newCode of [true, false]) {
      const mail = renderRecipientUnlocked({
        language: 'ja',
        recipientName: '山田 太郎',
        envelopeName: '契約',
        newCode,
        sender: request.sender,
        help: help(),
      });
      assert.match(mail.subject, /ロック解除のお知らせ/);
      assert.match(mail.text, newCode ? /アクセスコードが新しくなりました/ : /アクセスコードは変わっていません/);
      assert.match(mail.text, /hanako@city\.example\.jp/);
      assert.match(mail.text, /\/help/);
      assert.doesNotMatch(
        mail.text.replace(/03-1234-5678/g, ''),
        /(?<![0-9])[0-9]{4,8}(?![0-9])/,
        'no code-like digits',
      );
    }
  });
});

describe('small pure parts', () => {
  it('certificate IDs: IK-XXXX-XXXX-XXXX over an unambiguous alphabet, all different', () => {
    const ids = Array.from({ length: 2000 }, newCertificateId);
    assert.ok(ids.every(isCertificateId));
    assert.ok(ids.every((id) => !/[01OI]/.test(id.slice(3))));
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(isCertificateId('IK-0000-AAAA-BBBB'), false);
  });

  it('Accept-Language: Japanese when preferred, English otherwise', () => {
    assert.equal(preferredLanguage('ja'), 'ja');
    assert.equal(preferredLanguage('ja-JP,ja;q=0.9,en;q=0.8'), 'ja');
    assert.equal(preferredLanguage('en-US,en;q=0.9,ja;q=0.8'), 'en');
    assert.equal(preferredLanguage('fr'), 'en');
    assert.equal(preferredLanguage(undefined), 'en');
    assert.equal(preferredLanguage('en;q=0.5,ja;q=0.6'), 'ja');
  });
});
