// Catalog text for the few pages the server writes itself (outbox, development inbox, "UI not built",
// sign-in refused): the catalog's words escaped for HTML, with markup only where the code puts it.
import { formatMessage, type Language, type MessageKey, type MessageVars } from '@inkan/core/messages';
import { escapeHtml } from '../mail/templates/html.ts';

/**
 * The entry `key` in `language`, escaped for HTML; `vars` are text (escaped too), `markup` fills the
 * placeholders that stand for a piece of HTML (a <code> element) after the escaping.
 */
export function htmlText(
  language: Language,
  key: MessageKey,
  vars?: MessageVars,
  markup?: Record<string, string>,
): string {
  const escaped = escapeHtml(formatMessage(language, key, vars));
  if (!markup) return escaped;
  return escaped.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(markup, name) ? markup[name]! : whole,
  );
}

/** The entry in Japanese, then English, joined by `separator` (" / " on one line, "<br>" on two). */
export function htmlInBothLanguages(key: MessageKey, separator = ' / ', vars?: MessageVars): string {
  return `${htmlText('ja', key, vars)}${separator}${htmlText('en', key, vars)}`;
}

/** A mail kept in the database, as the outbox and the development inbox list it. */
export interface KeptMail {
  to: string;
  from: string;
  subject: string;
  text: string;
  createdAt: string;
  /** The envelope it was about, when known (the outbox names it). */
  envelopeName?: string | null;
}

/** A simple page listing kept mails: the title (catalog entry, in both languages) and its body. */
export function keptMailPage(titleKey: MessageKey, body: string): string {
  const title = htmlInBothLanguages(titleKey);
  return (
    '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>Inkan — ${title}</title><style>body{font-family:sans-serif;margin:24px;max-width:900px}article{border:1px solid #ddd;border-radius:8px;padding:16px;margin:0 0 16px}` +
    'h2{font-size:16px;margin:0 0 8px}.meta{color:#555;font-size:13px}pre{white-space:pre-wrap;word-break:break-all;font-family:inherit}</style></head><body>' +
    `<h1>${title}</h1>${body}</body></html>`
  );
}

/** "最新 N 件 / N newest first" and the mails, or "メールはまだありません。 / No mail yet.". */
export function keptMailList(mails: KeptMail[]): string {
  if (mails.length === 0) return `<p>${htmlInBothLanguages('serverPage.mail.none')}</p>`;
  return `<p>${htmlInBothLanguages('serverPage.mail.newest', ' / ', { n: mails.length })}</p>${mails.map(keptMailArticle).join('')}`;
}

/** One kept mail: subject, who to and from, when, the envelope when known, and its text with live links. */
function keptMailArticle(m: KeptMail): string {
  const text = escapeHtml(m.text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);
  const envelope = m.envelopeName
    ? ` · ${htmlInBothLanguages('serverPage.outbox.envelope')}: ${escapeHtml(m.envelopeName)}`
    : '';
  const meta =
    `${htmlInBothLanguages('serverPage.mail.to')}: ${escapeHtml(m.to)} · ` +
    `${htmlInBothLanguages('serverPage.mail.from')}: ${escapeHtml(m.from)} · ${escapeHtml(m.createdAt)}${envelope}`;
  return `<article><h2>${escapeHtml(m.subject)}</h2><p class="meta">${meta}</p><pre>${text}</pre></article>`;
}
