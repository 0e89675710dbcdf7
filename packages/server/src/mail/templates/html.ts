/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A block of an HTML mail: a paragraph (text, line breaks kept), a button link, or a quoted message. */
export type HtmlBlock =
  | { kind: 'paragraph'; text: string; muted?: boolean }
  | { kind: 'button'; label: string; url: string }
  | { kind: 'quote'; text: string }
  | { kind: 'facts'; rows: Array<[string, string]> };

function paragraph(text: string, muted = false): string {
  const style = muted ? 'margin:0 0 16px;color:#555;font-size:13px;line-height:1.6' : 'margin:0 0 16px;line-height:1.7';
  return `<p style="${style}">${escapeHtml(text).replace(/\n/g, '<br>')}</p>`;
}

function block(b: HtmlBlock): string {
  switch (b.kind) {
    case 'paragraph':
      return paragraph(b.text, b.muted);
    case 'button':
      return (
        `<p style="margin:24px 0"><a href="${escapeHtml(b.url)}" style="display:inline-block;padding:12px 28px;background:#1d4ed8;color:#ffffff;` +
        `text-decoration:none;border-radius:6px;font-weight:bold">${escapeHtml(b.label)}</a></p>` +
        `<p style="margin:0 0 16px;font-size:12px;color:#555;word-break:break-all">${escapeHtml(b.url)}</p>`
      );
    case 'quote':
      return `<blockquote style="margin:0 0 16px;padding:8px 16px;border-left:4px solid #cbd5e1;color:#333;white-space:pre-wrap">${escapeHtml(b.text)}</blockquote>`;
    case 'facts':
      return (
        '<table style="border-collapse:collapse;margin:0 0 16px">' +
        b.rows
          .map(
            ([k, v]) =>
              `<tr><th style="text-align:left;padding:4px 12px 4px 0;font-weight:normal;color:#555">${escapeHtml(k)}</th><td style="padding:4px 0">${escapeHtml(v)}</td></tr>`,
          )
          .join('') +
        '</table>'
      );
  }
}

/** Makes the (already escaped) http(s) URLs of a paragraph links: the footer's help page and support. */
function linkified(html: string): string {
  return html.replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}" style="color:#1d4ed8">${url}</a>`);
}

/** A whole HTML mail: every value is escaped here, so callers pass plain text. */
export function renderHtmlMail(options: {
  language: 'ja' | 'en';
  title: string;
  blocks: readonly HtmlBlock[];
  footer: string;
  /** The sending organisation's logo (an absolute URL of this installation) and name, above the title. */
  logo?: { url: string; alt: string };
}): string {
  return (
    `<!DOCTYPE html><html lang="${options.language}"><head><meta charset="utf-8"><title>${escapeHtml(options.title)}</title></head>` +
    "<body style=\"margin:0;padding:24px;background:#f5f5f5;font-family:'Hiragino Sans','Noto Sans JP',Meiryo,sans-serif;color:#111\">" +
    '<div style="max-width:600px;margin:0 auto;background:#ffffff;padding:32px;border-radius:8px">' +
    (options.logo
      ? `<p style="margin:0 0 16px"><img src="${escapeHtml(options.logo.url)}" alt="${escapeHtml(options.logo.alt)}" style="max-height:48px;max-width:240px"></p>`
      : '') +
    `<h1 style="font-size:18px;margin:0 0 24px">${escapeHtml(options.title)}</h1>` +
    options.blocks.map(block).join('') +
    `<hr style="border:none;border-top:1px solid #e5e5e5;margin:24px 0">${linkified(paragraph(options.footer, true))}` +
    '</div></body></html>'
  );
}
