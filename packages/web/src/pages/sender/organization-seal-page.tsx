// /admin/seal: the organisation's 社印/角印 image. Its own signers (those who sign by signing in) get
// this image in their 署名/押印 fields; everyone else gets a round 印影 made from their name.
// Administrators upload (PNG/JPEG, ≤ 2 MB, ≤ 2000×2000 px) or remove it; members see it.
import { useEffect, useId, useRef, useState, type ChangeEvent } from 'react';
import { apiGet, errorFromResponse, requestHeaders, ApiError } from '../../api/client.ts';
import type { OrganizationSeal } from '../../api/field-types.ts';
import { errorMessage } from '../../api/messages.ts';
import { Alert } from '../../components/alert.tsx';
import { Loading } from '../../components/state-panel.tsx';
import '../../components/fields.css';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { Link } from '../../lib/use-location.tsx';
import { SenderShell, useUser } from './sender-session.tsx';

const MAX_BYTES = 2 * 1024 * 1024;

/** The organisation seal page. */
export function OrganizationSealPage() {
  const { t } = useI18n();
  return (
    <SenderShell width="normal" title={t('seal.title')}>
      <SealSettings />
    </SenderShell>
  );
}

async function sendSeal(method: 'PUT' | 'DELETE', file?: File): Promise<OrganizationSeal | null> {
  const path = '/api/v1/organization/seal';
  const headers = requestHeaders(method, path);
  if (file) headers['Content-Type'] = file.type === 'image/jpeg' ? 'image/jpeg' : 'image/png';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, body: file, credentials: 'same-origin', cache: 'no-store' });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : 'network error');
  }
  const text = await response.text();
  if (!response.ok) throw errorFromResponse(response.status, text);
  return (JSON.parse(text) as { seal: OrganizationSeal | null }).seal;
}

function SealSettings() {
  const { t, language } = useI18n();
  const user = useUser();
  const isAdmin = user.role === 'admin';
  const [seal, setSeal] = useState<OrganizationSeal | null | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);
  const inputId = useId();

  useEffect(() => {
    let canceled = false;
    apiGet<{ seal: OrganizationSeal | null }>('/api/v1/organization/seal')
      .then((r) => !canceled && setSeal(r.seal))
      .catch((caught: unknown) => {
        if (canceled) return;
        setSeal(null);
        setMessage({ tone: 'error', text: errorMessage(language, caught) });
      });
    return () => {
      canceled = true;
    };
  }, [language]);

  async function upload(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file || busy) return;
    if (file.size > MAX_BYTES || !['image/png', 'image/jpeg'].includes(file.type)) {
      setMessage({ tone: 'error', text: t('error.IMAGE_INVALID') });
      return;
    }
    setBusy(true);
    try {
      setSeal(await sendSeal('PUT', file));
      setMessage({ tone: 'success', text: t('seal.uploaded') });
    } catch (caught) {
      setMessage({ tone: 'error', text: errorMessage(language, caught) });
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (busy) return;
    setBusy(true);
    try {
      setSeal(await sendSeal('DELETE'));
      setMessage({ tone: 'success', text: t('seal.removed') });
    } catch (caught) {
      setMessage({ tone: 'error', text: errorMessage(language, caught) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <div className="page-head">
        <div>
          <Link href="/envelopes" className="back-link">
            <span aria-hidden="true">←</span> {t('env.back')}
          </Link>
          <h1 className="page-title">{t('seal.title')}</h1>
        </div>
      </div>
      <section className="card seal-settings" aria-labelledby="seal-current">
        <p>{t('seal.intro')}</p>
        {message && <Alert tone={message.tone}>{message.text}</Alert>}
        <h2 id="seal-current" className="section-title">
          {t('seal.current')}
        </h2>
        {seal === undefined ? (
          <Loading label={t('common.loading')} />
        ) : seal ? (
          <div className="seal-settings__preview">
            <img
              src={`/api/v1/organization/seal/image?v=${encodeURIComponent(seal.sha256.slice(0, 12))}`}
              alt={t('seal.current')}
              className="seal-settings__image"
            />
            <p className="muted small">
              {seal.mediaType === 'image/png' ? 'PNG' : 'JPEG'} · {seal.width}×{seal.height}px ·{' '}
              {Math.ceil(seal.size / 1024)} KB
            </p>
          </div>
        ) : (
          <p className="muted">{t('seal.none')}</p>
        )}
        {isAdmin ? (
          <div className="button-row">
            <input
              ref={inputRef}
              id={inputId}
              type="file"
              accept="image/png,image/jpeg"
              className="visually-hidden"
              onChange={upload}
              data-testid="seal-file"
            />
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => inputRef.current?.click()}
              disabled={busy}
            >
              {busy ? t('seal.uploading') : t('seal.choose')}
            </button>
            {seal && (
              <button type="button" className="btn btn--danger-outline" onClick={remove} disabled={busy}>
                {t('seal.remove')}
              </button>
            )}
          </div>
        ) : (
          <p className="muted small">{t('seal.adminOnly')}</p>
        )}
      </section>
    </>
  );
}
