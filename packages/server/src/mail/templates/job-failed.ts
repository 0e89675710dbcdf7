import {
  en,
  formatMessage,
  inBothLanguages,
  inBothLanguagesJoined,
  ja,
  type MessageKey,
  type MessageVars,
} from '@inkan/core/messages';
import { footer, formatMailTime, type RenderedMail } from './format.ts';
import { renderHtmlMail, type HtmlBlock } from './html.ts';
import { oneLine } from './signing-request.ts';

/** What a job was doing, in both languages (the administrators' list and the notice mail): the catalog's `jobs.kind.*`. */
export const JOB_KIND_LABELS: Record<string, { ja: string; en: string }> = Object.fromEntries(
  Object.keys(ja)
    .filter((key) => key.startsWith('jobs.kind.'))
    .map((key) => [key.slice('jobs.kind.'.length), { ja: ja[key as MessageKey], en: en[key as MessageKey] }]),
);

/** The label of a job kind (the kind itself when unknown). */
export function jobKindLabel(kind: string, language: 'ja' | 'en'): string {
  return Object.prototype.hasOwnProperty.call(JOB_KIND_LABELS, kind) ? JOB_KIND_LABELS[kind]![language] : kind;
}

/** A job that failed for good. */
export interface JobFailedMail {
  kind: string;
  envelopeName: string | null;
  attempts: number;
  firstAttemptAt: Date | null;
  failedAt: Date;
  lastError: string;
  /** Where to act: the envelope's page (senders) or the failed jobs page (administrators). */
  url: string;
  /** Whether the reader can retry it (administrators). */
  canRetry: boolean;
}

/** The notice to the sender or the administrators that a job gave up after its retry window. */
export function renderJobFailed(m: JobFailedMail): RenderedMail {
  const title = inBothLanguages('mail.jobFailed.title');
  const subject = oneLine(
    `【Inkan】${title.ja}: ${jobKindLabel(m.kind, 'ja')}${m.envelopeName ? `（${m.envelopeName}）` : ''} / ${title.en}`,
  );
  const paragraph = (language: 'ja' | 'en'): string => {
    const say = (key: MessageKey, vars?: MessageVars) => formatMessage(language, key, vars);
    const since = m.firstAttemptAt ? formatMailTime(m.firstAttemptAt, language) : '—';
    return [
      say('mail.jobFailed.stopped', { what: jobKindLabel(m.kind, language), since, attempts: m.attempts }),
      m.envelopeName ? say('mail.jobFailed.envelope', { envelope: m.envelopeName }) : '',
      say('mail.jobFailed.stoppedAt', { at: formatMailTime(m.failedAt, language) }),
      say('mail.jobFailed.lastError', { error: m.lastError }),
      say(m.canRetry ? 'mail.jobFailed.retry' : 'mail.jobFailed.askAdmin'),
    ]
      .filter(Boolean)
      .join('\n');
  };
  const ja = paragraph('ja');
  const en = paragraph('en');
  const label = inBothLanguagesJoined(m.canRetry ? 'mail.jobFailed.openFailedJobs' : 'mail.openEnvelope');
  const text = [ja, m.url, '----', en, m.url, `--\n${footer('ja')}`].join('\n\n');
  const blocks: HtmlBlock[] = [
    { kind: 'paragraph', text: ja },
    { kind: 'button', label, url: m.url },
    { kind: 'paragraph', text: en },
  ];
  return { subject, text, html: renderHtmlMail({ language: 'ja', title: subject, blocks, footer: footer('ja') }) };
}
