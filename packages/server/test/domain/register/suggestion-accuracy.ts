/** Scores the field suggestions against the labelled contract texts (precision and recall per field). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FieldSuggestion, suggestContractFields } from '../../../src/domain/register/suggest-fields.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');
/** The labelled set the engine was developed on. */
export const CONTRACTS_DIR = join(FIXTURES, 'contracts');
/** Texts written after the engine and never used to change it. */
export const HOLDOUT_DIR = join(FIXTURES, 'contracts-holdout');

interface Labels {
  kind: string;
  amount: { yen: number; tax: 'included' | 'excluded' | null; basis: string } | null;
  startDate: string | null;
  endDate: string | null;
  autoRenewal: { periodMonths: number | null } | null;
  noticeDeadline: { amount: number; unit: string } | null;
  parties: { kou: string | null; otsu: string | null } | null;
}

export const FIELDS = ['amount', 'startDate', 'endDate', 'autoRenewal', 'noticeDeadline', 'parties'] as const;
type Field = (typeof FIELDS)[number];

export interface FieldScore {
  field: Field;
  labelled: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
}

export interface Mismatch {
  file: string;
  field: Field;
  expected: unknown;
  got: unknown;
}

const squeeze = (name: string | null) => (name === null ? null : name.replace(/\s+/gu, ' ').trim());

/** The comparable part of a suggestion, in the shape of the labels. */
function comparable(suggestion: FieldSuggestion): unknown {
  switch (suggestion.field) {
    case 'amount':
      return { yen: suggestion.value.yen, tax: suggestion.value.tax, basis: suggestion.value.basis };
    case 'startDate':
    case 'endDate':
      return suggestion.value;
    case 'autoRenewal':
      return { periodMonths: suggestion.value.periodMonths };
    case 'noticeDeadline':
      return { amount: suggestion.value.amount, unit: suggestion.value.unit };
    case 'parties':
      return { kou: squeeze(suggestion.value.kou), otsu: squeeze(suggestion.value.otsu) };
  }
}

function expectedOf(labels: Labels, field: Field): unknown {
  if (field === 'parties' && labels.parties)
    return { kou: squeeze(labels.parties.kou), otsu: squeeze(labels.parties.otsu) };
  return labels[field];
}

/** Runs the engine over every labelled text and counts hits per field. */
export function measureSuggestions(directory: string): {
  scores: FieldScore[];
  mismatches: Mismatch[];
  contracts: number;
} {
  const labelFile = JSON.parse(readFileSync(join(directory, 'labels.json'), 'utf8')) as {
    contracts: Record<string, Labels>;
  };
  const counts = new Map<Field, { labelled: number; predicted: number; correct: number }>(
    FIELDS.map((field) => [field, { labelled: 0, predicted: 0, correct: 0 }]),
  );
  const mismatches: Mismatch[] = [];
  const files = Object.keys(labelFile.contracts).sort();
  for (const file of files) {
    const labels = labelFile.contracts[file]!;
    const suggestions = suggestContractFields(readFileSync(join(directory, file), 'utf8'));
    for (const field of FIELDS) {
      const count = counts.get(field)!;
      const expected = expectedOf(labels, field);
      const suggestion = suggestions.find((candidate) => candidate.field === field);
      const got = suggestion ? comparable(suggestion) : null;
      if (expected !== null) count.labelled++;
      if (got !== null) count.predicted++;
      if (expected !== null && got !== null && JSON.stringify(got) === JSON.stringify(expected)) count.correct++;
      else if (expected !== null || got !== null) mismatches.push({ file, field, expected, got });
    }
  }
  const scores = FIELDS.map((field) => {
    const { labelled, predicted, correct } = counts.get(field)!;
    return {
      field,
      labelled,
      predicted,
      correct,
      precision: predicted === 0 ? 1 : correct / predicted,
      recall: labelled === 0 ? 1 : correct / labelled,
    };
  });
  return { scores, mismatches, contracts: files.length };
}

const percent = (value: number) => `${(value * 100).toFixed(1)} %`;

/** The scores as a Markdown table (the README shows this table). */
export function scoreTable(scores: FieldScore[]): string {
  const rows = scores.map(
    (score) =>
      `| ${score.field} | ${score.labelled} | ${score.predicted} | ${score.correct} | ${percent(score.precision)} | ${percent(score.recall)} |`,
  );
  return ['| field | labelled | suggested | correct | precision | recall |', '|---|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}
