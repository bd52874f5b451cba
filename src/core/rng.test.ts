import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from './rng.js';

test('Rng is deterministic for a seed and differs across seeds', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const c = new Rng(43);
  const xa = Array.from({ length: 5 }, () => a.next());
  const xb = Array.from({ length: 5 }, () => b.next());
  const xc = Array.from({ length: 5 }, () => c.next());
  assert.deepEqual(xa, xb);
  assert.notDeepEqual(xa, xc);
});

test('Rng.next is uniform on [0, 1): mean and variance of 100k draws', () => {
  const r = new Rng(7);
  const n = 100_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.next();
    assert.ok(x >= 0 && x < 1);
    s += x;
    s2 += x * x;
  }
  const mean = s / n;
  const variance = s2 / n - mean * mean;
  // Standard errors: mean 1/sqrt(12n) ≈ 0.0009; 5 sigma bounds.
  assert.ok(Math.abs(mean - 0.5) < 0.0046, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1 / 12) < 0.002, `variance ${variance}`);
});

test('Rng.normal has mean 0 and variance 1', () => {
  const r = new Rng(3);
  const n = 100_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < n; i++) {
    const x = r.normal();
    s += x;
    s2 += x * x;
  }
  assert.ok(Math.abs(s / n) < 0.016);
  assert.ok(Math.abs(s2 / n - 1) < 0.03);
});

test('Rng.int rejects a non-positive bound, naming the value', () => {
  assert.throws(() => new Rng(1).int(0), /n must be a positive integer, got 0/);
});
