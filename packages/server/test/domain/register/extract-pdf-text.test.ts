/**
 * pdf.js's legacy build replaces natives of Node 20 (JSON.parse, JSON.stringify, Array.prototype.push,
 * Function.prototype.toString) with slow core-js polyfills when it loads; text extraction must leave the
 * process's built-ins as they were (issue 10: they slowed every job after the first register entry).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
// Taken before anything loads pdf.js (extract-pdf-text.ts imports it only when first used).
const natives = {
  parse: JSON.parse,
  stringify: JSON.stringify,
  push: Array.prototype.push,
  toString: Function.prototype.toString,
};
import { makePdf } from '../../../../core/test/helpers/make-pdf.ts';
import { extractPdfText, keepingNativeBuiltins } from '../../../src/domain/register/extract-pdf-text.ts';

test('extracting text leaves JSON, Array.prototype.push and Function.prototype.toString native', async () => {
  const text = await extractPdfText(await makePdf({ pages: 2, text: 'Service agreement' }));
  assert.match(text, /Service agreement/);
  // pdf.js did load its polyfills (it adds what Node 20 lacks), and it works with the natives put back.
  assert.equal(typeof (Promise as unknown as { withResolvers?: unknown }).withResolvers, 'function');
  assert.equal(JSON.parse, natives.parse);
  assert.equal(JSON.stringify, natives.stringify);
  assert.equal(Array.prototype.push, natives.push);
  assert.equal(Function.prototype.toString, natives.toString);
  // A second document, through the pdf.js already loaded.
  assert.match(await extractPdfText(await makePdf({ pages: 1, text: 'Second one' })), /Second one/);
  assert.equal(JSON.parse, natives.parse);
});

test('keepingNativeBuiltins puts back what a load replaced, keeps what it added, and does so when it fails', async () => {
  const parse = JSON.parse;
  const math = Math as unknown as Record<string, unknown>;
  await keepingNativeBuiltins(async () => {
    JSON.parse = () => 'polyfilled';
    math.inkanTestAdded = () => 1;
  });
  assert.equal(JSON.parse, parse);
  assert.equal(typeof math.inkanTestAdded, 'function');
  delete math.inkanTestAdded;
  await assert.rejects(
    keepingNativeBuiltins(async () => {
      JSON.parse = () => 'polyfilled';
      throw new Error('load failed');
    }),
    /load failed/,
  );
  assert.equal(JSON.parse, parse);
});
