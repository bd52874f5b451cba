import assert from 'node:assert/strict';
import { test } from 'node:test';
import { percentileInterval, quantileSorted } from './quantile.js';

test('quantileSorted: linear interpolation between order statistics (numpy default)', () => {
  const xs = [1, 2, 4, 8];
  // position (n-1) q = 3 * 0.25 = 0.75: 1 + 0.75 * (2 - 1) = 1.75
  assert.equal(quantileSorted(xs, 0.25), 1.75);
  // position 1.5: 2 + 0.5 * (4 - 2) = 3
  assert.equal(quantileSorted(xs, 0.5), 3);
  assert.equal(quantileSorted(xs, 0), 1);
  assert.equal(quantileSorted(xs, 1), 8);
  assert.ok(Number.isNaN(quantileSorted([], 0.5)));
  assert.throws(() => quantileSorted(xs, 1.5), /q must be in \[0, 1\]/);
});

test('percentileInterval: 2.5% and 97.5% quantiles, NaN left out', () => {
  // 0..100: position 100 * 0.025 = 2.5 -> 2.5; 97.5
  const xs = Array.from({ length: 101 }, (_, i) => 100 - i);
  assert.deepEqual(percentileInterval([...xs, Number.NaN], 0.95), [2.5, 97.5]);
  // level 0.5: 25% and 75% of 0..100
  assert.deepEqual(percentileInterval(xs, 0.5), [25, 75]);
  const none = percentileInterval([Number.NaN], 0.95);
  assert.ok(Number.isNaN(none[0]) && Number.isNaN(none[1]));
});
