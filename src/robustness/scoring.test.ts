import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildTargets, classMask, targetWarnings } from './labels.js';
import { maskLogits, topKClasses, topKCorrect } from './scoring.js';

const classes = ['a', 'b', 'c', 'd', 'e'];
// (4 items, 5 classes)
const logits = Float32Array.from([
  5,
  1,
  3,
  0,
  2, // ranks: a, c, e, b, d
  0,
  4,
  4,
  1,
  -1, // tie b/c: b first (lower index)
  1,
  1,
  1,
  1,
  1, // all tied: a, b, c, d, e
  -Infinity,
  2,
  -Infinity,
  0,
  1, // kNN-style -inf: b, e, d, then a, c never
]);

describe('top-k with ties, masks and label sets', () => {
  it('ranks by logit, ties by class index', () => {
    assert.deepEqual([...topKClasses(logits, 4, 5, 3)], [0, 2, 4, 1, 2, 3, 0, 1, 2, 1, 4, 3]);
  });

  it('masks absent classes to -Infinity so they are never predicted', () => {
    const mask = Uint8Array.from([0, 1, 1, 0, 0]);
    const masked = maskLogits(logits, 4, 5, mask);
    assert.equal(masked[0], Number.NEGATIVE_INFINITY);
    assert.equal(masked[2], 3);
    // item 0 unmasked predicts a; masked to {b, c} it predicts c
    assert.deepEqual([...topKClasses(logits, 4, 5, 2, mask)], [2, 1, 1, 2, 1, 2, 1, -1]);
    // top-5 over two classes leaves -1 slots; item 3 has only b above -inf within the mask
    assert.deepEqual([...topKClasses(logits, 4, 5, 5, mask).subarray(15, 20)], [1, -1, -1, -1, -1]);
  });

  it('counts a hit when the prediction is any positive label', () => {
    const positives = [Int32Array.of(2), Int32Array.of(2, 4), Int32Array.of(3), Int32Array.of(0)];
    // top-1: a (no), b (no: c is a label but b wins the tie), a (no), b (no)
    assert.deepEqual([...topKCorrect(logits, 4, 5, positives, 1)], [0, 0, 0, 0]);
    // top-2: {a, c} has c; {b, c} has c; {a, b}; {b, e}
    assert.deepEqual([...topKCorrect(logits, 4, 5, positives, 2)], [1, 1, 0, 0]);
    // top-5: item 3 never ranks a (-inf), so its label set {a} is never hit
    assert.deepEqual([...topKCorrect(logits, 4, 5, positives, 5)], [1, 1, 1, 0]);
    // masked to {b, c}: item 0's top-1 becomes c, a hit
    assert.deepEqual(
      [...topKCorrect(logits, 4, 5, positives, 1, Uint8Array.from([0, 1, 1, 0, 0]))],
      [1, 0, 0, 0],
    );
  });

  it('rejects NaN logits and mismatched shapes', () => {
    const bad = Float32Array.from(logits);
    bad[7] = Number.NaN;
    assert.throws(() => topKClasses(bad, 4, 5, 1), /logit of row 1, class 2 is NaN/);
    assert.throws(() => topKClasses(logits, 3, 5, 1), /20 values, expected 3 x 5/);
  });
});

describe('targets', () => {
  it('maps labels through a class map, drops absent ones and reports them', () => {
    const targets = buildTargets([['c'], ['chair', 'e'], ['zebra'], [], ['e', 'zebra', 'lion']], classes, {
      chair: ['b', 'd'],
    });
    assert.deepEqual(
      targets.positives.map((p) => [...p]),
      [[2], [1, 3, 4], [], [], [4]],
    );
    assert.deepEqual([...targets.scorable], [1, 1, 0, 0, 1]);
    assert.deepEqual(
      [...targets.absentLabels],
      [
        ['zebra', 2],
        ['lion', 1],
      ],
    );
    assert.equal(targets.unlabeled, 1);
    const present = classMask('present', classes, targets);
    assert.deepEqual([...(present.mask as Uint8Array)], [0, 1, 1, 1, 1]);
    const listed = classMask({ classes: ['a', 'e', 'tiger'] }, classes, targets);
    assert.deepEqual([...(listed.mask as Uint8Array)], [1, 0, 0, 0, 1]);
    assert.deepEqual(listed.absent, ['tiger']);
    assert.equal(classMask('none', classes, targets).mask, undefined);
    assert.deepEqual(targetWarnings('objectnet', targets, listed), [
      "objectnet: labels absent from the model's classes were dropped from label sets: lion, zebra",
      "objectnet: 2 of 5 items have no label among the model's classes and are left out",
      'objectnet: mask classes absent from the model were ignored: tiger',
    ]);
  });

  it('rejects a class list with duplicates', () => {
    assert.throws(
      () => buildTargets([['a']], ['a', 'b', 'a'], undefined),
      /class "a" appears twice \(indices 0 and 2\)/,
    );
  });
});
