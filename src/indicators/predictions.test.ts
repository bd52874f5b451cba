import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkLogits, rankPredictions, thresholdedPositions } from './predictions.js';

test('ranking: by logit, ties by class index; softmax over all classes', () => {
  // 12 classes: the top-10 leave out two, but the softmax still counts them
  const logits = new Float32Array([0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2]);
  const r = rankPredictions(logits, 1, 12);
  assert.deepEqual([...r.classes], [11, 1, 2, 0, 3, 4, 5, 6, 7, 8]);
  const z = Math.exp(2) + 2 * Math.exp(1) + 9;
  assert.ok(Math.abs((r.probabilities[0] as number) - Math.exp(2) / z) < 1e-12);
  assert.ok(Math.abs((r.probabilities[3] as number) - 1 / z) < 1e-12);
  // τ filter before the top-5 cut: e^2/z = 0.42, e/z = 0.16, 1/z = 0.058
  assert.deepEqual(thresholdedPositions(r, 0, 0.1), [0, 1, 2]);
  assert.deepEqual(thresholdedPositions(r, 0, 0), [0, 1, 2, 3, 4]);
  assert.deepEqual(thresholdedPositions(r, 0, 0.5), []);
});

test('-Infinity logits (no kNN vote): probability 0, ranked last by class index, never predicted', () => {
  const ninf = Number.NEGATIVE_INFINITY;
  const r = rankPredictions(new Float32Array([ninf, 1, ninf, 0]), 1, 4, 3);
  assert.deepEqual([...r.classes], [1, 3, 0]);
  assert.equal(r.probabilities[2], 0);
  // Not even at τ = 0: a class without a vote is not a prediction (an image whose votes went to
  // two classes predicts those two, never a third of probability 0).
  assert.deepEqual(thresholdedPositions(r, 0, 0), [0, 1]);
  assert.deepEqual(thresholdedPositions(r, 0, 1e-9), [0, 1]);
  checkLogits(new Float32Array([ninf, 1, ninf, 0]), ['x'], ['a', 'b', 'c', 'd'], 'p');
  assert.throws(
    () => checkLogits(new Float32Array([ninf, ninf]), ['x'], ['a', 'b'], 'p'),
    /every logit of item "x" is -Infinity/,
  );
});

test('checkLogits: NaN or +Infinity logits name the item and class', () => {
  assert.throws(
    () => checkLogits(new Float32Array([0, 1, Number.NaN, 2]), ['x', 'y'], ['cat', 'dog'], 'preds/'),
    /preds\/: field "logits" logit of item "y" for class "cat" \(index 0\) is NaN/,
  );
  assert.throws(
    () => checkLogits(new Float32Array(3), ['x', 'y'], ['cat', 'dog'], 'p'),
    /expected 2 items x 2 classes/,
  );
  assert.throws(
    () => checkLogits(new Float32Array([Number.POSITIVE_INFINITY, 0]), ['x'], ['a', 'b'], 'p'),
    /is Infinity/,
  );
});
