// The 届出 mails (issue 11 part 6): the request names the organisation, the contact and the link, and
// says the sender never learns the code; the confirmation names the signer and never holds a code;
// every value is escaped in the HTML part (a company name is whatever the sender typed).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  renderRegistrationConfirmedMail,
  renderRegistrationNoticeMail,
  renderRegistrationRequestMail,
} from '../../src/mail/templates/signer-registration.ts';

const base = {
  organizationName: '港区 <契約課>',
  supportContact: '03-0000-0000',
  logoUrl: null,
} as const;

describe('届出 mails', () => {
  it('the request carries the one-use link, the validity and the secrecy of the code, in Japanese and English', () => {
    const url = 'https://inkan.example.jp/signer-registration/abcDEF123_-xyz';
    const ja = renderRegistrationRequestMail({
      ...base,
      language: 'ja',
      companyName: '株式会社<script>alert(1)</script>',
      personName: '契約 花子',
      requesterName: '港 一郎',
      url,
      validUntil: new Date('2026-12-20T03:00:00Z'),
    });
    assert.equal(ja.subject, '【港区 <契約課>】様より署名用メールアドレス届出のお願い');
    assert.match(ja.text, /契約 花子 様/);
    assert.match(ja.text, /担当: 港 一郎/);
    assert.ok(ja.text.includes(url));
    assert.match(ja.text, /2026年12月20日 12:00（日本時間）/);
    assert.match(ja.text, /担当者にも知らされません/);
    assert.ok(ja.html.includes(url));
    assert.ok(!ja.html.includes('<script>'), 'escaped in HTML');
    assert.ok(ja.html.includes('&lt;script&gt;'));
    const en = renderRegistrationRequestMail({
      ...base,
      language: 'en',
      companyName: 'Torihiki Ltd.',
      personName: 'Hanako Keiyaku',
      requesterName: null,
      url,
      validUntil: new Date('2026-12-20T03:00:00Z'),
    });
    assert.match(en.subject, /Please register the e-mail address of your signer/);
    assert.match(en.text, /nobody at 港区 <契約課> learns it/);
  });

  it('the confirmation names the signer and how to change the code, with no code in it', () => {
    const mail = renderRegistrationConfirmedMail({
      ...base,
      language: 'ja',
      companyName: '株式会社トリヒキ',
      signerName: '取引 太郎',
      signerEmail: 'shacho@torihiki.example.jp',
      registeredAt: new Date('2026-12-06T03:00:00Z'),
    });
    assert.match(mail.subject, /署名用メールアドレスの届出を受け付けました/);
    assert.match(mail.text, /取引 太郎 <shacho@torihiki\.example\.jp>/);
    assert.match(mail.text, /新しい届出用URLをご依頼ください/);
    assert.ok(!/\d{6}/.test(mail.text.replace(/\d{4}年|\d+月|\d+日|\d\d:\d\d|03-0000-0000/g, '')));
  });
  it('the notice to the member who asked names the signer and links the address book, Japanese then English', () => {
    const mail = renderRegistrationNoticeMail({
      ...base,
      companyName: '株式会社トリヒキ',
      personName: '契約 花子',
      signerName: '取引 太郎',
      signerEmail: 'shacho@torihiki.example.jp',
      addressBookUrl: 'https://inkan.example.jp/address-book',
    });
    assert.equal(mail.subject, '【Inkan】株式会社トリヒキから署名用メールアドレスの届出がありました');
    assert.match(mail.text, /署名者: 取引 太郎 <shacho@torihiki\.example\.jp>/);
    assert.ok(mail.text.includes('https://inkan.example.jp/address-book'));
    assert.match(mail.text, /ハッシュ値だけ/);
    // Members have no language setting: both languages, Japanese first (text and HTML).
    const english = /registered its signer\.\n\nSigner: 取引 太郎 <shacho@torihiki\.example\.jp>/;
    assert.match(mail.text, english);
    assert.match(mail.text, /keeps only its hash/);
    assert.ok(mail.text.indexOf('ハッシュ値だけ') < mail.text.indexOf('keeps only its hash'));
    assert.ok(mail.html.indexOf('ハッシュ値だけ') < mail.html.indexOf('keeps only its hash'));
    assert.match(mail.html, /Open the address book/);
  });
});
