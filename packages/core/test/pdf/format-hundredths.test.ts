// formatHundredths writes what formatNumber writes of a value rounded to hundredths (the certificate's
// content streams use it for every coordinate and gray level), without its toFixed and regular expressions.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHundredths, formatNumber } from '../../src/pdf/serialize.ts';

test('formatHundredths equals formatNumber of the value rounded to hundredths', () => {
  const edges = [0, -0, 0.001, -0.001, 0.005, -0.005, 0.07, 0.1, 0.5, 1.005, 12.345, -12.345, 99.995, 841.89, -0.5];
  // A fixed pseudo-random walk (no Math.random: the same values on every run).
  let seed = 20261207;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const values = [...edges];
  for (let i = 0; i < 200_000; i++) values.push((next() - 0.5) * 2 * 10 ** Math.floor(next() * 7));
  for (const value of values)
    assert.equal(formatHundredths(value), formatNumber(Math.round(value * 100) / 100), `value ${value}`);
});
