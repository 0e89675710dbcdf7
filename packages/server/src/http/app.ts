import Fastify, { LogController, type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import helmet from 'helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { AppContext } from '../context.ts';
import { AppError } from '../domain/app-error.ts';
import { LIMITS } from '../domain/validation.ts';
import { accountRoutes } from './account/routes.ts';
import { addressBookRoutes } from './address-book/routes.ts';
import { adminJobRoutes } from './admin-jobs/routes.ts';
import { accountSecurityRoutes } from './account-security/routes.ts';
import { adminRoutes } from './admin/routes.ts';
import { auditRoutes } from './audit/routes.ts';
import { claimRoutes } from './claims/routes.ts';
import { contractRoutes } from './contracts/routes.ts';
import { devMailRoutes } from './dev-mail/routes.ts';
import { downloadRoutes } from './download/routes.ts';
import { draftRoutes } from './envelopes/draft-routes.ts';
import { envelopeRoutes } from './envelopes/routes.ts';
import { handleError, sendError } from './errors.ts';
import { openApiRoutes } from './openapi/routes.ts';
import { healthRoutes, type HealthRouteOptions } from './health/routes.ts';
import { helpRoutes } from './help/routes.ts';
import { organizationRoutes } from './organization/routes.ts';
import { organizationSealRoutes } from './organization-seal/routes.ts';
import { signingCertificateRoutes } from './signing-certificate/routes.ts';
import { outboxRoutes } from './outbox/routes.ts';
import { pkiRoutes } from './pki/routes.ts';
import { retentionRoutes } from './retention/routes.ts';
import { renewalRoutes } from './renewals/routes.ts';
import { sessionRoutes } from './session/routes.ts';
import { signerRoutes } from './signer/routes.ts';
import { signInSecurityRoutes } from './sign-in-security/routes.ts';
import { verifyRoutes } from './verify/routes.ts';
import { htmlNotFoundPage, webRoutes } from './web/routes.ts';
import { webhookRoutes } from './webhooks/routes.ts';
import { approvalRoutes } from './approvals/routes.ts';
import { templateRoutes } from './templates/routes.ts';
import { redactUrl } from './redact-url.ts';
import { openSharedRateLimitStore } from '../adapters/rate-limit/shared-rate-limit-store.ts';

const BINARY_TYPES = ['application/ocsp-request', 'application/timestamp-query'];

/** Options of buildApp. */
export interface BuildAppOptions {
  context: AppContext;
  logger?: boolean;
  /** The built web UI (default: packages/web/dist of the workspace). */
  webDistDir?: string;
  /** Serve HTTPS with this certificate chain and key (PEM), read from INKAN_TLS_CERT / INKAN_TLS_KEY. */
  https?: { cert: Buffer; key: Buffer };
  /** More metrics for /metrics (the job worker thread's). */
  extraMetrics?: HealthRouteOptions['extraMetrics'];
}

const routeLists = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Every route the app registered (method and URL pattern), for the OpenAPI completeness test. */
export function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  return routeLists.get(app) ?? [];
}

/** Fastify's trustProxy for INKAN_TRUST_PROXY: a hop count trusts that many proxies nearest to us. */
function trustProxyOption(
  trust: false | number | string[],
): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}

/** Builds the HTTP application (not listening yet): the API, the signer and download pages, the UI, the PKI. */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { context } = options;
  const app = Fastify({
    ...(options.https ? { https: options.https } : {}),
    // Request logs never carry link tokens: the URL is redacted, headers and bodies are not logged.
    logger: options.logger
      ? {
          serializers: {
            req: (request: { method: string; url: string; ip?: string }) => ({
              method: request.method,
              url: redactUrl(request.url),
              remoteAddress: request.ip,
            }),
          },
        }
      : false,
    // One access-log line per request, written when it ends (the hook below), instead of Fastify's two
    // (`incoming request`, `request completed`): the second line had everything the first did but the
    // time, and each line costs the HTTP thread a JSON serialisation and a write.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // INKAN_TRUST_PROXY: request.ip (events, sessions, rate limits, the certificate of completion) comes
    // from X-Forwarded-For only through these proxies; otherwise it is the TCP peer.
    trustProxy: trustProxyOption(context.config.trustProxy),
  }) as unknown as FastifyInstance;
  const routes: Array<{ method: string; url: string }> = [];
  routeLists.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method: String(method), url: route.url });
  });

  // Latency by route pattern (request.routeOptions.url), never by raw URL: links carry tokens. A callback
  // hook, not an async one: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    context.metrics.httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      seconds,
    );
    if (route === '/api/verify' && request.method === 'POST') context.metrics.verificationDuration.observe(seconds);
    if (options.logger)
      request.log.info({ req: request, res: reply, responseTime: reply.elapsedTime }, 'request completed');
    done();
  });

  app.setErrorHandler((error, request, reply) => handleError(error, request, reply));
  // A person's browser gets the UI's 404 page (日本語 first, links home and to /help); programs get JSON.
  const htmlNotFound = htmlNotFoundPage(options.webDistDir);
  app.setNotFoundHandler((request, reply) => htmlNotFound(request, reply) ?? sendError(request, reply, 'NOT_FOUND'));

  // Security headers, by helmet's middleware built once at start. @fastify/helmet built it anew on every
  // request (its options parsed, the CSP string joined: ~3 % of a sign request's CPU in the 100-signer
  // burst's profile); the headers are the same.
  const securityHeaders = helmet({
    hsts: context.config.publicUrl.startsWith('https://') ? { maxAge: 31536000, includeSubDomains: true } : false,
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // pdf.js: its worker is a same-origin module (or a blob: URL), its decoders may use WebAssembly.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        workerSrc: ["'self'", 'blob:'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // Signed PDFs are fetched by the same origin; cross-origin embedding is not needed.
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'no-referrer' },
  });
  app.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );
  // Counters shared by every web instance: Redis (INKAN_REDIS_URL) or PostgreSQL; in-process on SQLite.
  const rateLimitStore = openSharedRateLimitStore({
    redisUrl: context.config.redisUrl,
    redisPrefix: context.config.redisPrefix,
    db: context.db,
    dialect: context.dialect,
    clock: context.clock,
  });
  app.addHook('onClose', async () => rateLimitStore.close());
  await app.register(rateLimit, {
    global: true,
    max: 300,
    timeWindow: '1 minute',
    // A shared counter store (PostgreSQL or Redis) that is down must not turn every request into a 500:
    // the request goes on uncounted (access-code lockouts and sign-in limits are kept in the database and
    // fail closed with it).
    skipOnError: true,
    ...rateLimitStore.pluginOptions,
  });
  await app.register(cookie);
  await app.register(multipart, {
    limits: {
      fileSize: context.config.maxUploadBytes,
      // One more than allowed, so that 21 documents get the domain's clear message, not a bare 413.
      files: LIMITS.documents + 2,
      fields: 10,
      parts: LIMITS.documents + 12,
      fieldSize: 512 * 1024,
    },
  });
  // JSON bodies: an empty body (a bodyless POST that still says application/json) is no body, and a
  // prototype-polluting key is refused like Fastify's own parser does.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    if (/"(?:__proto__|constructor)"\s*:/.test(text))
      return done(new AppError('VALIDATION_FAILED', 'forbidden key in JSON'), undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new AppError('VALIDATION_FAILED', 'the body is not JSON'), undefined);
    }
  });
  app.addContentTypeParser(BINARY_TYPES, { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/healthz', async () => ({ status: 'ok' }));
  await app.register(healthRoutes, { context, extraMetrics: options.extraMetrics });
  await app.register(pkiRoutes, { services: context.signing });
  await app.register(sessionRoutes, { context });
  await app.register(accountRoutes, { context });
  await app.register(accountSecurityRoutes, { context });
  await app.register(envelopeRoutes, { context });
  await app.register(draftRoutes, { context });
  await app.register(signerRoutes, { context });
  await app.register(downloadRoutes, { context });
  await app.register(auditRoutes, { context });
  await app.register(contractRoutes, { context });
  await app.register(renewalRoutes, { context });
  await app.register(claimRoutes, { context });
  await app.register(addressBookRoutes, { context });
  await app.register(organizationRoutes, { context });
  await app.register(adminRoutes, { context });
  await app.register(retentionRoutes, { context });
  await app.register(signInSecurityRoutes, { context });
  await app.register(organizationSealRoutes, { context });
  await app.register(signingCertificateRoutes, { context });
  await app.register(verifyRoutes, { context });
  await app.register(helpRoutes, { context });
  await app.register(openApiRoutes, { context });
  await app.register(outboxRoutes, { context });
  await app.register(adminJobRoutes, { context });
  await app.register(webhookRoutes, { context });
  await app.register(approvalRoutes, { context });
  await app.register(templateRoutes, { context });
  if (context.config.env === 'development') await app.register(devMailRoutes, { context });
  await app.register(webRoutes, { distDir: options.webDistDir });
  return app;
}
