import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bootstrapPValue, holmAdjust } from './holm.js';

test('holmAdjust: step-down multipliers m, m-1, ... with running max, input order kept', () => {
  // sorted: 0.005*4 = 0.02; 0.01*3 = 0.03; 0.03*2 = 0.06; 0.04*1 = 0.04 -> max(0.06, 0.04) = 0.06
  const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
  const expected = [0.03, 0.06, 0.06, 0.02];
  adjusted.forEach((p, i) => {
    assert.ok(Math.abs(p - (expected[i] as number)) < 1e-15, `${i}: ${p}`);
  });
});

test('holmAdjust: caps at 1 and leaves NaN out of the family', () => {
  // family of 2: 0.2*2 = 0.4; 0.7*1 = 0.7
  const adjusted = holmAdjust([0.7, Number.NaN, 0.2]);
  assert.ok(Math.abs((adjusted[0] as number) - 0.7) < 1e-15);
  assert.ok(Number.isNaN(adjusted[1]));
  assert.ok(Math.abs((adjusted[2] as number) - 0.4) < 1e-15);
  assert.deepEqual(holmAdjust([0.6, 0.9]), [1, 1]);
});

test('bootstrapPValue: twice the smaller tail with the +1 correction', () => {
  // 10 replicates, 2 at or below 0: p = 2 * (1 + 2) / 11
  const reps = [-0.5, 0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
  assert.ok(Math.abs(bootstrapPValue(reps) - 6 / 11) < 1e-15);
  // all positive: p = 2 * 1 / 11
  assert.ok(Math.abs(bootstrapPValue(reps.map((x) => x + 1)) - 2 / 11) < 1e-15);
  // identically zero differences: both tails full, p = 1
  assert.equal(bootstrapPValue([0, 0, 0]), 1);
  // NaN replicates are left out: 3 valid, all negative: p = 2 / 4
  assert.equal(bootstrapPValue([Number.NaN, -1, -2, -3]), 0.5);
  assert.ok(Number.isNaN(bootstrapPValue([Number.NaN])));
});
