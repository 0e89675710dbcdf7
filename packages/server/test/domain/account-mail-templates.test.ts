// The account mails (ja and en, text and HTML): the guide's subject and button, the link in both
// bodies, the validity, the same subject for "you have an account already", escaping in HTML.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  renderEmailChangedMail,
  renderEmailChangeMail,
  renderPasswordResetMail,
  renderSignupExistingMail,
  renderSignupMail,
} from '../../src/mail/templates/account.ts';

const URL_WITH_AMP = 'https://inkan.example/signup/complete?token=abc&x=1';
const UNTIL = new Date('2030-01-02T03:04:00Z');

describe('account mail templates', () => {
  it('sign-up: 「【Inkan】アカウント登録のご案内」 with the button アカウント登録手続きへ, the link and its validity in Japan time', () => {
    const mail = renderSignupMail({ language: 'ja', url: URL_WITH_AMP, validUntil: UNTIL });
    assert.equal(mail.subject, '【Inkan】アカウント登録のご案内');
    assert.match(mail.text, /▼アカウント登録手続きへ\nhttps:\/\/inkan\.example\/signup\/complete\?token=abc&x=1/);
    assert.match(mail.text, /2030年1月2日 12:04（日本時間）/);
    assert.match(
      mail.html,
      /href="https:\/\/inkan\.example\/signup\/complete\?token=abc&amp;x=1"[^>]*>アカウント登録手続きへ<\/a>/,
    );
    const en = renderSignupMail({ language: 'en', url: URL_WITH_AMP, validUntil: UNTIL });
    assert.equal(en.subject, '[Inkan] Your account registration');
    assert.match(en.text, /Continue to account registration/);
    assert.match(en.html, /<html lang="en">/);
  });

  it('"you have an account already" has the same subject, no sign-up link, and sign-in / reset buttons', () => {
    const mail = renderSignupExistingMail({
      language: 'ja',
      signInUrl: 'https://inkan.example/login?next=%2Fclaim%2Fx',
      resetUrl: 'https://inkan.example/password/forgot',
    });
    assert.equal(mail.subject, renderSignupMail({ language: 'ja', url: URL_WITH_AMP, validUntil: UNTIL }).subject);
    assert.doesNotMatch(mail.text, /signup\/complete/);
    assert.match(mail.html, />ログイン<\/a>/);
    assert.match(mail.html, />パスワードを再設定する<\/a>/);
  });

  it('reset, e-mail change and the notice to the old address; values are escaped in HTML', () => {
    assert.equal(
      renderPasswordResetMail({ language: 'ja', url: URL_WITH_AMP, validUntil: UNTIL }).subject,
      '【Inkan】パスワード再設定のご案内',
    );
    assert.equal(
      renderEmailChangeMail({ language: 'ja', url: URL_WITH_AMP, validUntil: UNTIL }).subject,
      '【Inkan】メールアドレス変更の確認',
    );
    const notice = renderEmailChangedMail({ language: 'ja', newEmail: 'new<b>@example.jp', at: UNTIL });
    assert.equal(notice.subject, '【Inkan】メールアドレスが変更されました');
    assert.match(notice.text, /new<b>@example\.jp/);
    assert.match(notice.html, /new&lt;b&gt;@example\.jp/);
    assert.doesNotMatch(notice.html, /new<b>/);
  });
});
