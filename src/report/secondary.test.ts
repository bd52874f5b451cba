import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upgradeRow } from '../core/results.js';
import type { ResultRow } from '../core/types.js';
import { mostDisparateClasses, mostPredictedClasses, topDisparities } from './secondary.js';

function disp(model: string, cls: string, group: Record<string, string>, value: number): ResultRow {
  return upgradeRow({
    model,
    indicator: 'label-association',
    metric: 'prediction_rate_disparity',
    params: { tau: 0.1, class: cls, label: cls, unit: 'percentage points' },
    group,
    value,
    ci: [value - 2, value + 2],
    n: 50,
    clusters: 50,
    warnings: [],
  });
}

test('per group and model: the largest non-zero |disparity| first, signed, with whether 0 is excluded', () => {
  const rows = [
    disp('a', 'dog', { gender: 'f' }, -5),
    disp('a', 'cat', { gender: 'f' }, 3),
    disp('a', 'ape', { gender: 'f' }, 0),
    disp('a', 'hat', { gender: 'f' }, 1),
    disp('b', 'dog', { gender: 'f' }, 0),
    disp('a', 'dog', { gender: 'm' }, 5),
    { ...disp('a', 'fox', { gender: 'm' }, 0), value: Number.NaN, ci: [Number.NaN, Number.NaN] } as ResultRow,
  ];
  const top = topDisparities(rows, ['a', 'b'], 2);
  assert.deepEqual(
    top.map((g) => [g.attribute, g.group]),
    [
      ['gender', 'f'],
      ['gender', 'm'],
    ],
  );
  assert.deepEqual(
    top[0].byModel.get('a')?.map((d) => [d.cls, d.value, d.excludesZero]),
    [
      ['dog', -5, true],
      ['cat', 3, true],
    ],
  );
  // Model b has rows for the group, all zero: an empty list (not a missing model).
  assert.deepEqual(top[0].byModel.get('b'), []);
  assert.equal(top[1].byModel.has('b'), false);
});

test('most disparate and most predicted classes skip all-zero classes', () => {
  const rows = [
    disp('a', 'dog', { gender: 'f' }, -5),
    disp('a', 'cat', { gender: 'm' }, 7),
    disp('a', 'ape', { gender: 'f' }, 0),
    { ...disp('a', 'face', {}, 30), metric: 'prediction_rate' },
    { ...disp('b', 'hat', {}, 40), metric: 'prediction_rate' },
    { ...disp('a', 'ape', {}, 0), metric: 'prediction_rate' },
    { ...disp('a', 'cat', { gender: 'f' }, 90), metric: 'prediction_rate' },
  ];
  assert.deepEqual(mostDisparateClasses(rows, 5), ['cat', 'dog']);
  assert.deepEqual(mostDisparateClasses(rows, 1), ['cat']);
  assert.deepEqual(mostPredictedClasses(rows, 5), ['hat', 'face']);
});
