// The envelope's timeline in plain words (issue 11 part 5): each entry's label in the reader's
// language; the platform key's uses (one per document and signature) folded under the signature or
// the certificate they belong to as 詳細, not listed as entries of their own; links between an envelope
// and its duplicate / 修正して再送 draft.
import type { EnvelopeEvent } from '../api/types.ts';
import { useI18n } from '../i18n/i18n-context.tsx';
import { formatDateTime, isMessageKey, type MessageKey } from '../i18n/translate.ts';
import { groupTimeline, textOf } from '../lib/timeline-groups.ts';
import { Link } from '../lib/use-location.tsx';

/** The timeline list; `documents` names the documents the key signed. */
export function EnvelopeTimeline({
  events,
  documents,
}: {
  events: readonly EnvelopeEvent[];
  documents: ReadonlyArray<{ id: string; name: string }>;
}) {
  const { t, language } = useI18n();
  const label = (action: string) => {
    const key = `action.${action}`;
    return isMessageKey(key) ? t(key) : action;
  };
  const actorLabel = (event: EnvelopeEvent) => {
    const type = `actor.${event.actor.type}`;
    const typeLabel = isMessageKey(type) ? t(type as MessageKey) : event.actor.type;
    return event.actor.name ? t('env.timeline.actor', { name: event.actor.name, type: typeLabel }) : typeLabel;
  };
  const documentName = (id: unknown) => documents.find((d) => d.id === id)?.name ?? t('common.dash');
  return (
    <ol className="timeline">
      {groupTimeline(events).map(({ event, keyUses }) => {
        const source = textOf(event.details?.['sourceEnvelopeId']);
        const created = textOf(event.details?.['newEnvelopeId']);
        return (
          <li key={event.id} className="timeline__item">
            <span className="timeline__dot" aria-hidden="true" />
            <div className="timeline__body">
              <p className="timeline__action">{label(event.action)}</p>
              <p className="timeline__meta">
                <time dateTime={event.createdAt}>{formatDateTime(language, event.createdAt)}</time>
                <span>{actorLabel(event)}</span>
                {event.ip && <span>{t('env.timeline.ip', { ip: event.ip })}</span>}
              </p>
              {source && (
                <p className="timeline__link">
                  <Link href={`/envelopes/${encodeURIComponent(source)}`}>{t('env.timeline.fromSource')}</Link>
                </p>
              )}
              {created && (
                <p className="timeline__link">
                  <Link href={`/envelopes/${encodeURIComponent(created)}`}>{t('env.timeline.toNew')}</Link>
                </p>
              )}
              {keyUses.length > 0 && (
                <details className="timeline__details">
                  <summary>{t('env.timeline.details')}</summary>
                  <p className="timeline__meta">{t('env.timeline.keyUses', { n: keyUses.length })}</p>
                  <ul className="timeline__sub">
                    {keyUses.map((use) => (
                      <li key={use.id}>
                        {use.details?.['documentId']
                          ? t('env.timeline.keyUse', { document: documentName(use.details['documentId']) })
                          : label(use.action)}
                      </li>
                    ))}
                  </ul>
                </details>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}
