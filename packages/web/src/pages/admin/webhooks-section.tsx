// Webhook: the organisation's endpoints (URL, subscribed events, enabled), the signing secret shown once
// at creation and rotation (with the overlap of the old one), a test ping with the receiver's answer, and
// the delivery log with its status, attempts, last answer and a replay button.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiPost, apiRequest } from '../../api/client.ts';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime, type MessageKey } from '../../i18n/translate.ts';
import { adminError, ShownOnceSecret, useAdminAction } from './admin-common.tsx';
import { AdminList, SmallButton } from './admin-list.tsx';

interface Endpoint {
  id: string;
  url: string;
  description: string;
  events: string[];
  enabled: boolean;
  secretHint: string;
  previousSecretExpiresAt: string | null;
  createdAt: string;
}

interface Delivery {
  id: string;
  endpointId: string;
  eventType: string;
  occurredAt: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  replayOf: string | null;
}

const STATUS_BADGE: Record<Delivery['status'], string> = {
  pending: 'badge--sent',
  delivered: 'badge--completed',
  failed: 'badge--declined',
};

export function WebhooksSection() {
  const { t, language } = useI18n();
  const [endpoints, setEndpoints] = useState<Endpoint[] | null>(null);
  const [eventTypes, setEventTypes] = useState<string[]>([]);
  const [deliveries, setDeliveries] = useState<Delivery[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<string[] | null>(null);
  const [secret, setSecret] = useState<{ value: string; url: string; rotated: boolean } | null>(null);
  const { busy, run, messages } = useAdminAction();
  const eventLabel = (type: string) => t(`admin.webhooks.event.${type}` as MessageKey);

  const load = useCallback(
    () =>
      Promise.all([
        apiGet<{ items: Endpoint[]; eventTypes: string[] }>('/api/v1/admin/webhooks'),
        apiGet<{ items: Delivery[] }>('/api/v1/admin/webhook-deliveries?limit=50'),
      ])
        .then(([list, log]) => {
          setEndpoints(list.items);
          setEventTypes(list.eventTypes);
          setDeliveries(log.items);
        })
        .catch((caught: unknown) => setLoadError(adminError(language, caught))),
    [language],
  );
  useEffect(() => {
    void load();
  }, [load]);
  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!endpoints) return <Loading label={t('common.loading')} />;
  const chosen = events ?? eventTypes;
  const urlOf = (id: string) => endpoints.find((e) => e.id === id)?.url ?? '—';
  // The endpoint column only when there is more than one to tell apart.
  const showUrl = new Set(deliveries.map((d) => d.endpointId)).size > 1;

  function create(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const result = await apiPost<{ secret: string; endpoint: Endpoint }>('/api/v1/admin/webhooks', {
        url: url.trim(),
        description: description.trim(),
        events: chosen,
      });
      setSecret({ value: result.secret, url: result.endpoint.url, rotated: false });
      setUrl('');
      setDescription('');
      setEvents(null);
      await load();
    });
  }
  const toggle = (type: string) =>
    setEvents(chosen.includes(type) ? chosen.filter((e) => e !== type) : [...chosen, type]);
  const rotate = (endpoint: Endpoint) =>
    run(async () => {
      const result = await apiPost<{ secret: string; endpoint: Endpoint }>(
        `/api/v1/admin/webhooks/${endpoint.id}/rotate-secret`,
        { overlapHours: 24 },
      );
      setSecret({ value: result.secret, url: endpoint.url, rotated: true });
      await load();
    });
  const ping = (endpoint: Endpoint) =>
    run(async () => {
      const result = await apiPost<{ ok: boolean; delivery: Delivery }>(
        `/api/v1/admin/webhooks/${endpoint.id}/ping`,
        {},
      );
      await load();
      const answer = result.delivery.lastStatusCode ?? result.delivery.lastError ?? '—';
      if (!result.ok) throw new Error(`${t('admin.webhooks.pingFailed')} ${answer}`);
      return `${t('admin.webhooks.pingOk')} ${answer}`;
    });
  const setEnabled = (endpoint: Endpoint, enabled: boolean) =>
    run(async () => {
      await apiRequest('PATCH', `/api/v1/admin/webhooks/${endpoint.id}`, { enabled });
      await load();
      return t('admin.saved');
    });
  const remove = (endpoint: Endpoint) =>
    run(async () => {
      if (!window.confirm(t('admin.webhooks.confirmDelete'))) return;
      await apiRequest('DELETE', `/api/v1/admin/webhooks/${endpoint.id}`);
      await load();
      return t('admin.webhooks.deleted');
    });
  const replay = (delivery: Delivery) =>
    run(async () => {
      await apiPost(`/api/v1/admin/webhook-deliveries/${delivery.id}/replay`, {});
      await load();
      return t('admin.webhooks.replayed');
    });

  return (
    <section className="admin-section" aria-labelledby="admin-webhooks-title">
      <h1 id="admin-webhooks-title" className="page-title">
        {t('admin.nav.webhooks')}
      </h1>
      <p className="muted">{t('admin.webhooks.lead')}</p>
      {messages}
      {secret && (
        <ShownOnceSecret
          key={secret.value}
          testId="webhook-secret"
          warning={t(secret.rotated ? 'admin.webhooks.rotatedOnce' : 'admin.webhooks.shownOnce')}
          title={secret.url}
          value={secret.value}
          onClose={() => setSecret(null)}
        />
      )}
      <form className="form card" onSubmit={create} noValidate>
        <h2 className="section-title">{t('admin.webhooks.create')}</h2>
        <Field id="webhook-url" label={t('admin.webhooks.url')}>
          <input
            id="webhook-url"
            className="input"
            type="url"
            inputMode="url"
            placeholder="https://"
            aria-describedby="webhook-url-hint"
            value={url}
            maxLength={2000}
            onChange={(e) => setUrl(e.target.value)}
          />
          <p id="webhook-url-hint" className="muted admin-small">
            {t('admin.webhooks.urlHint')}
          </p>
        </Field>
        <Field id="webhook-description" label={t('admin.webhooks.description')}>
          <input
            id="webhook-description"
            className="input"
            value={description}
            maxLength={200}
            onChange={(e) => setDescription(e.target.value)}
          />
        </Field>
        <fieldset className="admin-scopes webhook-events">
          <legend className="field__label">{t('admin.webhooks.events')}</legend>
          {eventTypes.map((type) => (
            <label key={type} className="admin-check">
              <input type="checkbox" checked={chosen.includes(type)} onChange={() => toggle(type)} />
              <span>
                {eventLabel(type)} <code className="muted admin-small">{type}</code>
              </span>
            </label>
          ))}
        </fieldset>
        <div className="admin-actions">
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
            {t('admin.webhooks.createSubmit')}
          </button>
        </div>
      </form>
      <h2 className="section-title">{t('admin.webhooks.list')}</h2>
      {endpoints.length === 0 ? (
        <p className="muted">{t('admin.none')}</p>
      ) : (
        <ul className="webhook-list">
          {endpoints.map((endpoint) => (
            <li key={endpoint.id} className="card webhook-endpoint" data-testid="webhook-endpoint">
              <div className="webhook-endpoint__head">
                <span className="admin-strong webhook-url">{endpoint.url}</span>
                <span className={`badge ${endpoint.enabled ? 'badge--completed' : 'badge--canceled'}`}>
                  {t(endpoint.enabled ? 'admin.webhooks.enabled' : 'admin.webhooks.disabled')}
                </span>
              </div>
              {endpoint.description && <p className="muted admin-small">{endpoint.description}</p>}
              <p className="admin-small">{endpoint.events.map(eventLabel).join('・')}</p>
              <p className="muted admin-small">
                {t('admin.webhooks.secret')} <code>{endpoint.secretHint}</code>
                {endpoint.previousSecretExpiresAt &&
                  ` ・ ${t('admin.webhooks.overlapUntil')} ${formatDateTime(language, endpoint.previousSecretExpiresAt)}`}
              </p>
              <div className="admin-actions">
                <SmallButton tone="secondary" disabled={busy} onClick={() => void ping(endpoint)}>
                  {t('admin.webhooks.ping')}
                </SmallButton>
                <SmallButton tone="secondary" disabled={busy} onClick={() => void rotate(endpoint)}>
                  {t('admin.webhooks.rotate')}
                </SmallButton>
                <SmallButton tone="ghost" disabled={busy} onClick={() => void setEnabled(endpoint, !endpoint.enabled)}>
                  {t(endpoint.enabled ? 'admin.webhooks.disable' : 'admin.webhooks.enable')}
                </SmallButton>
                <SmallButton tone="danger-outline" disabled={busy} onClick={() => void remove(endpoint)}>
                  {t('admin.webhooks.delete')}
                </SmallButton>
              </div>
            </li>
          ))}
        </ul>
      )}
      <AdminList
        title={t('admin.webhooks.log')}
        items={deliveries}
        columns={[
          t('admin.webhooks.occurredAt'),
          t('admin.webhooks.event'),
          showUrl && t('admin.webhooks.url'),
          t('admin.webhooks.status'),
          t('admin.webhooks.attempts'),
          t('admin.webhooks.answer'),
          t('admin.members.actions'),
        ]}
        row={(d) => (
          <tr key={d.id} data-testid="webhook-delivery">
            <td className="webhook-nowrap">{formatDateTime(language, d.occurredAt)}</td>
            <td data-label={t('admin.webhooks.event')} className="webhook-nowrap">
              {d.eventType === 'ping' ? t('admin.webhooks.ping') : eventLabel(d.eventType)}
              {d.replayOf && <span className="muted admin-small"> ({t('admin.webhooks.replay')})</span>}
            </td>
            {showUrl && (
              <td data-label={t('admin.webhooks.url')} className="webhook-url admin-small">
                {urlOf(d.endpointId)}
              </td>
            )}
            <td data-label={t('admin.webhooks.status')} className="webhook-nowrap">
              <span className={`badge ${STATUS_BADGE[d.status]}`}>{t(`admin.webhooks.status.${d.status}`)}</span>
            </td>
            <td data-label={t('admin.webhooks.attempts')}>{d.attempts}</td>
            <td data-label={t('admin.webhooks.answer')} className="admin-small">
              {d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? '—')}
            </td>
            <td>
              {d.status !== 'pending' && d.eventType !== 'ping' && (
                <SmallButton tone="secondary" disabled={busy} onClick={() => void replay(d)}>
                  {t('admin.webhooks.replay')}
                </SmallButton>
              )}
            </td>
          </tr>
        )}
      />
    </section>
  );
}
