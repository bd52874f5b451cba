import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomDraws } from './random-draws.js';

test('draws are distinct candidates of the given size, sorted, and reproducible from the seed', () => {
  const candidates = [0, 2, 3, 5, 7, 8, 11];
  const a = randomDraws(candidates, 4, 6, 42);
  assert.equal(a.length, 6);
  for (const d of a) {
    assert.equal(d.length, 4);
    assert.equal(new Set(d).size, 4);
    assert.ok(d.every((i) => candidates.includes(i)));
    assert.deepEqual(
      d,
      [...d].sort((x, y) => x - y),
    );
  }
  assert.deepEqual(randomDraws(candidates, 4, 6, 42), a);
  // Adding draws keeps the first ones; another seed gives other draws.
  assert.deepEqual(randomDraws(candidates, 4, 8, 42).slice(0, 6), a);
  assert.notDeepEqual(randomDraws(candidates, 4, 6, 43), a);
  // Not all draws are equal (7 choose 4 = 35 possible selections).
  assert.ok(new Set(a.map((d) => d.join(','))).size > 1);
});

test('every candidate is drawn at about the same rate', () => {
  const candidates = Array.from({ length: 10 }, (_, i) => i);
  const counts = new Array(10).fill(0);
  for (const d of randomDraws(candidates, 3, 2000, 7)) for (const i of d) counts[i]++;
  // Expected 2000 * 3 / 10 = 600 per candidate; sd = sqrt(2000 * 0.3 * 0.7) ≈ 20.5.
  for (const c of counts) assert.ok(Math.abs(c - 600) < 100, `count ${c}`);
});

test('a size above the pool is an error', () => {
  assert.throws(() => randomDraws([1, 2], 3, 1, 0), /size 3/);
});
