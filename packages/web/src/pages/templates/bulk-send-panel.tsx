// CSVから一括送信 on a template's page: 1. choose a CSV → the per-row validation report (nothing sent);
// 2. 送信 sends the valid rows (one job each) → a progress bar → per-row results, downloadable as CSV.
import { useEffect, useRef, useState } from 'react';
import { apiGet, postCsvFile } from '../../api/client.ts';
import { Alert } from '../../components/alert.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { Link } from '../../lib/use-location.tsx';
import type { BulkProgress, BulkReport, BulkRowResult, Template } from './template-types.ts';

/** A random key that makes a second click on 送信 return the bulk send of the first. */
function submissionKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The bulk send section of a template's page. */
export function BulkSendPanel({ template }: { template: Template }) {
  const { t, language, describeError } = useI18n();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [report, setReport] = useState<BulkReport | null>(null);
  const [key, setKey] = useState('');
  const [progress, setProgress] = useState<BulkProgress | null>(null);
  const [rows, setRows] = useState<BulkRowResult[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const base = `/api/v1/templates/${encodeURIComponent(template.id)}/bulk-sends`;

  async function check(chosen: File) {
    setFile(chosen);
    setReport(null);
    setProgress(null);
    setRows(null);
    setError(null);
    setBusy(true);
    try {
      setReport(await postCsvFile<BulkReport>(`${base}/validate`, chosen));
      setKey(submissionKey());
    } catch (caught) {
      setError(describeError(caught));
    } finally {
      setBusy(false);
    }
  }

  async function send() {
    if (!file || busy) return;
    setBusy(true);
    setError(null);
    try {
      const started = await postCsvFile<BulkProgress>(`${base}?fileName=${encodeURIComponent(file.name)}`, file, {
        'Idempotency-Key': key,
      });
      setProgress(started);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  }

  // While rows are pending, the progress is read again every second; then the results once.
  const bulkId = progress?.id;
  const done = progress?.done ?? false;
  useEffect(() => {
    if (!bulkId) return;
    let canceled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const url = `/api/v1/bulk-sends/${encodeURIComponent(bulkId)}`;
    if (done) {
      apiGet<{ items: BulkRowResult[] }>(`${url}/rows`)
        .then((list) => {
          if (canceled) return;
          setRows(list.items);
          setBusy(false);
        })
        .catch((caught: unknown) => !canceled && setError(describeError(caught)));
    } else {
      timer = setTimeout(() => {
        apiGet<BulkProgress>(url)
          .then((value) => !canceled && setProgress(value))
          .catch((caught: unknown) => !canceled && setError(describeError(caught)));
      }, 1000);
    }
    return () => {
      canceled = true;
      if (timer) clearTimeout(timer);
    };
  }, [bulkId, done, progress, describeError]);

  const finished = progress ? progress.sent + progress.failed : 0;
  return (
    <section className="card" aria-labelledby="tpl-bulk">
      <h2 id="tpl-bulk" className="section-title">
        {t('bulk.title')}
      </h2>
      <p className="muted small">{t('bulk.hint')}</p>
      <p className="small bulk-columns">
        <span className="muted">{t('bulk.columns')}</span> <code>{template.bulkColumns.join(',')}</code>
      </p>
      {error && <Alert tone="error">{error}</Alert>}
      <div className="button-row">
        <button
          type="button"
          className="btn btn--secondary"
          disabled={busy || progress !== null}
          onClick={() => input.current?.click()}
        >
          {t('bulk.choose')}
        </button>
        {file && <span className="muted small">{file.name}</span>}
      </div>
      <input
        ref={input}
        type="file"
        accept=".csv,text/csv"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="bulk-csv"
        onChange={(event) => {
          const chosen = event.target.files?.[0];
          event.target.value = '';
          if (chosen) void check(chosen);
        }}
      />

      {report && (
        <div className="bulk-report" role="status">
          <p>{t('bulk.summary', { total: report.totalRows, valid: report.validRows, invalid: report.invalidRows })}</p>
          {report.errors.length > 0 && (
            <div className="table-wrap">
              <table className="table" aria-label={t('bulk.errors')}>
                <thead>
                  <tr>
                    <th scope="col">{t('bulk.row')}</th>
                    <th scope="col">{t('bulk.column')}</th>
                    <th scope="col">{t('bulk.error')}</th>
                  </tr>
                </thead>
                <tbody>
                  {report.errors.map((e) => (
                    <tr key={`${e.row}-${e.column}-${e.code}`}>
                      <td>{e.row}</td>
                      <td>{e.column}</td>
                      <td>
                        {e.message[language]} <span className="muted small">({e.code})</span>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {!progress && report.validRows > 0 && (
            <div className="button-row">
              <button
                type="button"
                className="btn btn--primary"
                disabled={busy}
                aria-busy={busy}
                onClick={() => void send()}
              >
                {t('bulk.send', { n: report.validRows })}
              </button>
            </div>
          )}
        </div>
      )}

      {progress && (
        <div className="progress" role="status">
          <progress className="progress__bar" max={progress.queued} value={finished} aria-label={t('bulk.progress')} />
          <span className="progress__text">
            {t('bulk.progressText', { done: finished, total: progress.queued, failed: progress.failed })}
          </span>
        </div>
      )}

      {rows && progress && (
        <>
          <div className="button-row">
            <a
              className="btn btn--secondary"
              href={`/api/v1/bulk-sends/${encodeURIComponent(progress.id)}/results.csv`}
              download
            >
              {t('bulk.download')}
            </a>
          </div>
          <div className="table-wrap">
            <table className="table" aria-label={t('bulk.results')}>
              <thead>
                <tr>
                  <th scope="col">{t('bulk.row')}</th>
                  <th scope="col">{t('bulk.result')}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr key={r.row}>
                    <td>{r.row}</td>
                    <td>
                      {r.envelopeId ? (
                        <Link href={`/envelopes/${encodeURIComponent(r.envelopeId)}`}>{r.envelopeName}</Link>
                      ) : (
                        <span className="field__error">{r.errorCode ?? t('bulk.pending')}</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
