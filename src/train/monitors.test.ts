import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { embeddingStd, knnAccuracy, rankMe, symmetricEigenvalues } from './monitors.js';
import { warmupCosine } from './schedule.js';

before(async () => {
  await tf.setBackend('cpu');
});

test('symmetricEigenvalues: [[2,1],[1,2]] has eigenvalues 1 and 3', () => {
  const e = symmetricEigenvalues(Float64Array.from([2, 1, 1, 2]), 2).sort();
  assert.ok(Math.abs((e[0] as number) - 1) < 1e-12 && Math.abs((e[1] as number) - 3) < 1e-12);
});

test('rankMe: d orthogonal equal-norm rows give d; a rank-1 matrix gives about 1', () => {
  // Identity 4×4: singular values all 1, p = 1/4 each, exp(entropy) = 4 (up to the 1e-7 epsilon).
  const eye = Float32Array.from([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  assert.ok(Math.abs(rankMe(eye, 4, 4) - 4) < 1e-4);
  const rank1 = Float32Array.from([1, 2, 3, 2, 4, 6, -1, -2, -3]);
  assert.ok(rankMe(rank1, 3, 3) < 1.001);
});

test('embeddingStd: 0 when collapsed; for ±e1, ±e2 rows it is the hand value', () => {
  assert.equal(embeddingStd(Float32Array.from([1, 2, 1, 2, 1, 2]), 3, 2), 0);
  // Rows e1, -e1, e2, -e2: each column takes values (1, -1, 0, 0): mean 0, population std √(1/2).
  const x = Float32Array.from([1, 0, -1, 0, 0, 1, 0, -1]);
  assert.ok(Math.abs(embeddingStd(x, 4, 2) - Math.SQRT1_2) < 1e-6);
});

test('knnAccuracy: hand-made clusters, leave-one-out, ties to the nearer class', () => {
  const bank = Float32Array.from([1, 0, 0.9, 0.1, 0, 1, 0.1, 0.9]);
  const labels = [0, 0, 1, 1];
  // Each item's nearest other item (k = 1) is its cluster mate.
  assert.equal(knnAccuracy(bank, labels, bank, labels, 2, 1, true), 1);
  // k = 2 without the self-match: one vote per class, the nearer (first-ranked) class wins.
  const q = Float32Array.from([0.8, 0.2]);
  assert.equal(knnAccuracy(bank.subarray(2, 6), [0, 1], q, [0], 2, 2), 1);
});

test('warmupCosine: linear warm-up, then cosine to the final value', () => {
  const o = { peak: 1, warmupSteps: 10, warmupStart: 0, final: 0.1 };
  assert.equal(warmupCosine(5, 110, o), 0.5);
  assert.equal(warmupCosine(10, 110, o), 1);
  assert.ok(Math.abs(warmupCosine(60, 110, o) - 0.55) < 1e-12); // halfway: (1 + 0.1) / 2
  assert.ok(Math.abs(warmupCosine(110, 110, o) - 0.1) < 1e-12);
});
