// Every action the server can record (the EventAction union of record-event.ts) has a plain label in
// Japanese and English in the one message catalog (@inkan/core/messages), which the server (certificate,
// CSV export) and the UI both read.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ACTION_LABELS_EN, ACTION_LABELS_JA, actionLabel } from '../../src/domain/event-labels.ts';
import { en, ja } from '@inkan/core/messages';

/** The action names of the EventAction union, read from the source (the type has no runtime value). */
function recordableActions(): string[] {
  const source = readFileSync(new URL('../../src/domain/record-event.ts', import.meta.url), 'utf8').replace(
    /\/\/.*$/gm,
    '',
  );
  const union = /export type EventAction =([\s\S]*?);/.exec(source);
  assert.ok(union, 'EventAction union found');
  const names = [...union[1]!.matchAll(/^\s*\|\s*'([^']+)'/gm)].map((m) => m[1]!);
  assert.ok(names.length > 50, `found ${names.length} actions`);
  return names;
}

describe('event labels', () => {
  const actions = recordableActions();

  it('the server has a Japanese and an English label for every action, and no stale ones', () => {
    for (const action of actions) {
      assert.ok(ACTION_LABELS_JA[action as keyof typeof ACTION_LABELS_JA], `ja: ${action}`);
      assert.ok(ACTION_LABELS_EN[action as keyof typeof ACTION_LABELS_EN], `en: ${action}`);
      assert.notEqual(actionLabel(action, 'ja'), action);
      assert.match(actionLabel(action, 'ja'), /[\u3040-\u30ff\u4e00-\u9fff]/, `ja label is Japanese: ${action}`);
      assert.doesNotMatch(actionLabel(action, 'en'), /[\u3040-\u30ff\u4e00-\u9fff]/, `en label is English: ${action}`);
    }
    assert.deepEqual(Object.keys(ACTION_LABELS_JA).sort(), [...actions].sort());
    assert.deepEqual(Object.keys(ACTION_LABELS_EN).sort(), [...actions].sort());
  });

  it('the server labels are the catalog entries the UI shows', () => {
    for (const action of actions) {
      assert.equal(actionLabel(action, 'ja'), (ja as Record<string, string>)[`action.${action}`], action);
      assert.equal(actionLabel(action, 'en'), (en as Record<string, string>)[`action.${action}`], action);
    }
  });

  it('an unknown action prints as itself', () => {
    assert.equal(actionLabel('something.new', 'ja'), 'something.new');
    assert.equal(actionLabel('toString', 'en'), 'toString');
  });
});
