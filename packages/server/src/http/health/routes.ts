import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { MetricObjectWithValues, MetricValue } from 'prom-client';
import type { AppContext } from '../../context.ts';
import { createDatabaseMetrics, renderMetrics } from '../../observability/metrics.ts';
import { createReadinessProbe } from '../../observability/readiness.ts';
import { sendError } from '../errors.ts';
import { addressAllowList } from './address-allow-list.ts';

/** Options of healthRoutes. */
export interface HealthRouteOptions {
  context: AppContext;
  /** More metrics to merge (the job worker thread's). */
  extraMetrics?: () => Promise<MetricObjectWithValues<MetricValue<string>>[]>;
}

/**
 * GET /readyz (200 or 503; which dependency failed only to allowed clients) and GET /metrics
 * (Prometheus text; 404 to others). Allowed = request.ip in INKAN_METRICS_ALLOW — and, without
 * INKAN_TRUST_PROXY, no X-Forwarded-For: through an untrusted proxy every client would look like the
 * proxy's own (loopback) address.
 */
export async function healthRoutes(app: FastifyInstance, options: HealthRouteOptions): Promise<void> {
  const { context } = options;
  const inList = addressAllowList(context.config.metricsAllow);
  const allowed = (request: FastifyRequest) =>
    inList(request.ip) && (context.config.trustProxy !== false || request.headers['x-forwarded-for'] === undefined);
  const readiness = createReadinessProbe(context);
  const database = createDatabaseMetrics(context.db, context.clock);

  app.get('/readyz', { config: { rateLimit: false } }, async (request, reply) => {
    const result = await readiness.probe();
    reply.code(result.ready ? 200 : 503).header('cache-control', 'no-store');
    if (!allowed(request)) return reply.send({ status: result.ready ? 'ok' : 'unavailable' });
    const failed = Object.entries(result.checks)
      .filter(([, check]) => !check.ok)
      .map(([name]) => name);
    return reply.send({ status: result.ready ? 'ok' : 'unavailable', failed, checks: result.checks });
  });

  app.get('/metrics', { config: { rateLimit: false } }, async (request, reply) => {
    if (!allowed(request)) return sendError(request, reply, 'NOT_FOUND');
    const sources = [context.metrics.registry.getMetricsAsJSON(), database.getMetricsAsJSON()];
    if (options.extraMetrics) sources.push(options.extraMetrics());
    const { contentType, text } = await renderMetrics(sources);
    return reply.type(contentType).header('cache-control', 'no-store').send(text);
  });
}
