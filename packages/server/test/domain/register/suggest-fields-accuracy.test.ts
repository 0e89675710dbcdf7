import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTRACTS_DIR, HOLDOUT_DIR, measureSuggestions, scoreTable } from './suggestion-accuracy.ts';

// Goals of issue 7: ≥ 95 % precision and ≥ 85 % recall for 契約金額 and 契約満了日 on ≥ 40 labelled texts.
function assertGoals(directory: string, minimumTexts: number) {
  const { scores, mismatches, contracts } = measureSuggestions(directory);
  console.log(
    `\n${contracts} contract texts (${directory.replace(/^.*packages/u, 'packages')})\n${scoreTable(scores)}`,
  );
  for (const mismatch of mismatches) {
    console.log(
      `  miss ${mismatch.file} ${mismatch.field}: expected ${JSON.stringify(mismatch.expected)} got ${JSON.stringify(mismatch.got)}`,
    );
  }
  assert.ok(contracts >= minimumTexts, `only ${contracts} labelled texts`);
  for (const field of ['amount', 'endDate'] as const) {
    const score = scores.find((candidate) => candidate.field === field)!;
    assert.ok(score.precision >= 0.95, `${field} precision ${score.precision}`);
    assert.ok(score.recall >= 0.85, `${field} recall ${score.recall}`);
  }
}

test('field suggestions meet the precision and recall goals on the 44 labelled contract texts', () => {
  assertGoals(CONTRACTS_DIR, 40);
});

test('and on the 10 held-out texts', () => {
  assertGoals(HOLDOUT_DIR, 10);
});
