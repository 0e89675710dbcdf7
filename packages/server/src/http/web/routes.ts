import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import { htmlInBothLanguages, htmlText } from '../html-text.ts';

/** The built web UI (packages/web/dist), next to this package, seen from src/http/web or from the compiled dist/. */
export const DEFAULT_WEB_DIST = fileURLToPath(
  new URL(import.meta.url.endsWith('.ts') ? '../../../../web/dist/' : '../../web/dist/', import.meta.url),
);

/** The SPA's routes: each answers with index.html, and the UI decides what to show. */
const SPA_ROUTES = [
  '/',
  '/login',
  '/login/*',
  '/signup',
  '/signup/*',
  '/password/*',
  '/account',
  '/account/*',
  '/envelopes',
  '/envelopes/*',
  '/s/*',
  '/d/*',
  '/claim/*',
  '/contracts',
  '/contracts/*',
  '/verify',
  '/audit',
  '/help',
  // The administration area (the server's own /admin/outbox, a static route, wins over the wildcard).
  '/admin',
  '/admin/*',
  '/invitation',
  // The address book (sender) and the counterparty's 届出 page (issue 11 part 6).
  '/address-book',
  '/signer-registration/*',
  // 稟議: 承認待ち一覧 and the approval page (issue 13 part 3).
  '/approvals',
  '/approvals/*',
  // Templates and bulk send (issue 13 part 2).
  '/templates',
  '/templates/*',
];

const BUILD_HINT = { command: '<code>npm run build -w @inkan/web</code>', api: '<code>/api/…</code>' };
const NOT_BUILT_PAGE =
  '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">' +
  `<title>Inkan — ${htmlInBothLanguages('serverPage.notBuilt.title')}</title></head><body style="font-family:sans-serif;margin:40px">` +
  `<h1>${htmlInBothLanguages('serverPage.notBuilt.title')}</h1>` +
  `<p>${htmlText('ja', 'serverPage.notBuilt.run', undefined, BUILD_HINT)}</p>` +
  `<p lang="en">${htmlText('en', 'serverPage.notBuilt.run', undefined, BUILD_HINT)}</p>` +
  '</body></html>';

/**
 * Serves the web UI: static files from the build, index.html for the SPA's routes, and a clear 503
 * page when the UI has not been built.
 */
export async function webRoutes(app: FastifyInstance, options: { distDir?: string }): Promise<void> {
  const dist = options.distDir ?? DEFAULT_WEB_DIST;
  const indexPath = join(dist, 'index.html');
  const built = existsSync(indexPath);
  if (built) {
    // Static files (hashed assets, the pdf.js worker) at their own paths; unknown paths fall through to 404.
    await app.register(fastifyStatic, { root: dist, prefix: '/', index: false, wildcard: true, serveDotFiles: false });
  }
  let index: Buffer | undefined;
  const spa = async (_request: unknown, reply: FastifyReply) => {
    if (!built && !existsSync(indexPath))
      return reply.code(503).type('text/html; charset=utf-8').header('retry-after', '60').send(NOT_BUILT_PAGE);
    index ??= readFileSync(indexPath);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
  for (const url of SPA_ROUTES) app.get(url, spa);
}

/** Paths of programs, not pages: their unknown URLs keep the JSON error with its code. */
const MACHINE_PREFIXES = ['/api/', '/pki/', '/tsa', '/healthz', '/readyz', '/metrics', '/assets/', '/dev/'];

/**
 * The 404 for a browser's navigation (GET or HEAD asking for text/html, outside the API and the other
 * machine paths): the UI's index.html with status 404, so the SPA shows its 見つかりません page. Returns
 * undefined (the caller answers with JSON) for everything else, or when the UI is not built.
 */
export function htmlNotFoundPage(
  distDir: string | undefined,
): (request: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined {
  const indexPath = join(distDir ?? DEFAULT_WEB_DIST, 'index.html');
  let index: Buffer | undefined;
  return (request, reply) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return undefined;
    const path = request.url.split('?')[0] ?? '';
    if (MACHINE_PREFIXES.some((prefix) => path === prefix.replace(/\/$/, '') || path.startsWith(prefix)))
      return undefined;
    if (!/\btext\/html\b/.test(request.headers.accept ?? '')) return undefined;
    if (index === undefined) {
      if (!existsSync(indexPath)) return undefined;
      index = readFileSync(indexPath);
    }
    return reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(index);
  };
}
