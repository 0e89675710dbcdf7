import { ACTOR_TYPE_LABELS_JA, actionLabelJa } from '../../domain/event-labels.ts';
import type { AuditEntry } from '../../domain/use-cases/list-audit-events.ts';
import { csvRecord } from './csv.ts';

/** The JSON of one operation-log entry (docs/api.md `AuditEvent`). */
export function presentAuditEntry(entry: AuditEntry) {
  return {
    id: entry.id,
    seq: entry.seq,
    createdAt: entry.createdAt.toISOString(),
    action: entry.action,
    actor: entry.actor,
    envelope: entry.envelope,
    ip: entry.ip,
    userAgent: entry.userAgent,
    details: entry.details,
  };
}

/** The CSV columns (Japanese, fixed: spreadsheets and auditors' macros refer to them). */
export const AUDIT_CSV_HEADER = [
  '日時(JST)',
  '日時(UTC)',
  '操作',
  '操作者種別',
  '操作者',
  '対象封筒',
  'IPアドレス',
  'ユーザーエージェント',
  '詳細',
] as const;

const JST_OFFSET_MS = 9 * 60 * 60 * 1000;

/** `2026-11-25 18:04:05` in Japan Standard Time. */
export function formatJstCell(date: Date): string {
  return new Date(date.getTime() + JST_OFFSET_MS).toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * The details as lines `key: value` (text values as they are, others as JSON): readable in a spreadsheet
 * cell, and a decline reason keeps its own line breaks and commas (quoted by csvRecord).
 */
export function detailsText(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('\n');
}

/** One CSV record of an entry. */
export function auditCsvRecord(entry: AuditEntry): string {
  return csvRecord([
    formatJstCell(entry.createdAt),
    entry.createdAt.toISOString(),
    `${actionLabelJa(entry.action)} (${entry.action})`,
    ACTOR_TYPE_LABELS_JA[entry.actor.type],
    entry.actor.name,
    entry.envelope ? `${entry.envelope.name ?? ''} (${entry.envelope.id})` : '',
    entry.ip,
    entry.userAgent,
    detailsText(entry.details),
  ]);
}
