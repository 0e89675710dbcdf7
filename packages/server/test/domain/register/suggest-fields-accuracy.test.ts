import { test } from 'node:test';
import assert from 'node:assert/strict';
import { measureSuggestions, scoreTable } from './suggestion-accuracy.ts';

// Goals of issue 7: ≥ 95 % precision and ≥ 85 % recall for 契約金額 and 契約満了日 on ≥ 40 labelled texts.
test('field suggestions meet the precision and recall goals on the labelled contract texts', () => {
  const { scores, mismatches, contracts } = measureSuggestions();
  console.log(`\n${contracts} contract texts (packages/server/test/fixtures/contracts)\n${scoreTable(scores)}\n`);
  for (const mismatch of mismatches) {
    console.log(`  miss ${mismatch.file} ${mismatch.field}: expected ${JSON.stringify(mismatch.expected)} got ${JSON.stringify(mismatch.got)}`);
  }
  assert.ok(contracts >= 40, `only ${contracts} labelled texts`);
  for (const field of ['amount', 'endDate'] as const) {
    const score = scores.find((candidate) => candidate.field === field)!;
    assert.ok(score.precision >= 0.95, `${field} precision ${score.precision}`);
    assert.ok(score.recall >= 0.85, `${field} recall ${score.recall}`);
  }
});
