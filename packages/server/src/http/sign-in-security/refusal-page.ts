import type { FastifyReply } from 'fastify';
import type { AppErrorCode } from '../../domain/app-error.ts';
import { escapeHtml } from '../../mail/templates/html.ts';
import { messageOf, STATUS_OF } from '../errors.ts';
import { htmlInBothLanguages, htmlText } from '../html-text.ts';

/**
 * A server-rendered page for a browser that came back from an identity provider and could not be
 * signed in: the reason in Japanese, then English, and the way back to the sign-in page. No script.
 */
export function sendRefusalPage(
  reply: FastifyReply,
  code: AppErrorCode,
  details?: Record<string, unknown>,
): FastifyReply {
  const ja = escapeHtml(messageOf(code, 'ja', details));
  const en = escapeHtml(messageOf(code, 'en', details));
  const html = `<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${htmlInBothLanguages('serverPage.refusal.title')} — Inkan</title>
<style>
body{font-family:"Noto Sans JP","Hiragino Sans",sans-serif;background:#f5f6f8;color:#1f2933;margin:0}
main{max-width:560px;margin:64px auto;background:#fff;border:1px solid #d9dee5;border-radius:8px;padding:32px}
h1{font-size:1.35rem;margin:0 0 16px}p{line-height:1.7}.en{color:#52606d;font-size:.95rem}
.code{font-family:monospace;color:#52606d;font-size:.85rem}a.button{display:inline-block;margin-top:16px;background:#1d4ed8;color:#fff;padding:10px 18px;border-radius:6px;text-decoration:none}
</style></head>
<body><main role="main">
<h1>${htmlText('ja', 'serverPage.refusal.title')}</h1>
<p data-testid="refusal-ja">${ja}</p>
<p class="en" lang="en" data-testid="refusal-en"><strong>${htmlText('en', 'serverPage.refusal.title')}.</strong> ${en}</p>
<p class="code">${escapeHtml(code)}</p>
<a class="button" href="/login">${htmlInBothLanguages('serverPage.refusal.back')}</a>
</main></body></html>`;
  return reply.code(STATUS_OF[code]).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}
