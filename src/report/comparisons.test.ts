import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upgradeRow } from '../core/results.js';
import type { ResultRow } from '../core/types.js';
import { summarizeComparisons, versusLabel } from './comparisons.js';

function test_(
  group: Record<string, string>,
  versus: string,
  pHolm: number,
  value: number,
  tau = 0.1,
): ResultRow {
  return upgradeRow({
    model: 'm',
    indicator: 'label-association',
    metric: 'hit_rate.comparison',
    params: {
      tau,
      association: 'Human',
      unit: 'percent',
      test: 'pairwise',
      versus,
      pValue: pHolm / 2,
      pHolm,
    },
    group,
    value,
    ci: [value - 1, value + 1],
    n: 100,
    clusters: 100,
    warnings: [],
  });
}

test('versus labels drop attribute names like group labels do', () => {
  assert.equal(versusLabel('gender=male,skintone=darker'), 'male × darker');
  assert.equal(versusLabel('rest'), 'rest');
});

test('only pHolm < 0.05 is significant; focused rows first, then by pHolm, then by |difference|', () => {
  const rows = [
    test_({ gender: 'female' }, 'gender=male', 0.2, 9),
    test_({ age: 'a' }, 'age=b', 0.04, 2, 0.3),
    test_({ age: 'a' }, 'age=c', 0.01, -3),
    test_({ age: 'b' }, 'age=c', 0.01, 5),
    test_({ age: 'b' }, 'age=d', 0.05, 5),
    { ...test_({ age: 'a' }, 'age=b', 0.001, 1), metric: 'hit_rate', kind: 'value' } as ResultRow,
  ];
  const s = summarizeComparisons(rows, (r) => r.params.tau === 0.1);
  assert.equal(s.tested, 5);
  assert.equal(s.minPHolm, 0.01);
  assert.deepEqual(
    s.significant.map((t) => [t.group, t.versus, t.pHolm]),
    [
      ['b', 'c', 0.01],
      ['a', 'c', 0.01],
      ['a', 'b', 0.04],
    ],
  );
  const first = s.significant[0];
  assert.equal(first.unit, 'pp');
  assert.equal(first.attribute, 'age');
  assert.equal(first.params, 'tau=0.1, association=Human');
});

test('no tests: nothing tested, undefined smallest p', () => {
  const s = summarizeComparisons([]);
  assert.equal(s.tested, 0);
  assert.ok(Number.isNaN(s.minPHolm));
});
