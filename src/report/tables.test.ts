import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upgradeRow, type V1Row } from '../core/results.js';
import type { ResultRow } from '../core/types.js';
import { buildTables, gapEntries } from './tables.js';

function row(p: Partial<V1Row> & Pick<V1Row, 'model' | 'value'>): ResultRow {
  return upgradeRow({
    indicator: 'label-association',
    metric: 'hit_rate',
    params: {},
    group: {},
    ci: [p.value - 0.01, p.value + 0.01],
    n: 100,
    clusters: 100,
    warnings: [],
    dataset: 'cc',
    ...p,
  });
}

test('label association: a table per attribute set, overall first, models × association as rows', () => {
  const rows: ResultRow[] = [];
  for (const model of ['b', 'a']) {
    for (const association of ['Human', 'harmful']) {
      const params = { tau: 0.1, association };
      rows.push(row({ model, value: 0.5, params, n: 30 }));
      rows.push(row({ model, value: 0.4, params, group: { gender: 'female' }, n: 20 }));
      rows.push(row({ model, value: 0.6, params, group: { gender: 'male' }, n: 10 }));
      rows.push(row({ model, value: 0.7, params, group: { skintone: 'darker' }, n: model === 'a' ? 5 : 6 }));
    }
  }
  const tables = buildTables(rows, ['a', 'b']);
  assert.deepEqual(
    tables.map((t) => t.attributeSet),
    ['gender', 'skintone'],
  );
  const [gender, skin] = tables;
  assert.equal(gender.params, 'tau=0.1');
  assert.deepEqual(gender.rowHeaders, ['model', 'association']);
  assert.deepEqual(gender.columns, [
    { label: 'overall', n: 30 },
    { label: 'female', n: 20 },
    { label: 'male', n: 10 },
  ]);
  // Model order comes from the given order, not from the rows.
  assert.deepEqual(
    gender.rows.map((r) => r.labels),
    [
      ['a', 'Human'],
      ['a', 'harmful'],
      ['b', 'Human'],
      ['b', 'harmful'],
    ],
  );
  assert.deepEqual(
    gender.rows[0].cells.map((c) => c?.value),
    [0.5, 0.4, 0.6],
  );
  // n differs between models in the darker column: no shared n.
  assert.deepEqual(skin.columns, [{ label: 'overall', n: 30 }, { label: 'darker' }]);
  // No params.unit: hit_rate is in percent (protocols.md 3.2), shown with 1 decimal.
  assert.equal(gender.unit, 'percent');
  assert.equal(gender.decimals, 1);
});

test("a descriptive parameter (Harmful's definition) does not split the table; units come from params", () => {
  const rows = [
    row({ model: 'a', value: 80, params: { tau: 0.1, association: 'Human', unit: 'percent' } }),
    row({
      model: 'a',
      value: 2,
      params: { tau: 0.1, association: 'Harmful', definition: 'Non-Human ∪ Crime', unit: 'percent' },
    }),
    row({
      model: 'a',
      value: 0.8,
      indicator: 'retrieval',
      metric: 'precision_at_k',
      params: { k: 10, unit: 'fraction' },
    }),
  ];
  const la = buildTables(rows.slice(0, 2), ['a']);
  assert.equal(la.length, 1);
  assert.deepEqual(
    la[0].rows.map((r) => r.labels),
    [
      ['a', 'Human'],
      ['a', 'Harmful'],
    ],
  );
  assert.equal(la[0].params, 'tau=0.1');
  const [ret] = buildTables(rows.slice(2), ['a']);
  assert.equal(ret.unit, 'fraction');
  assert.equal(ret.decimals, 3);
});

test('a threshold makes its own table; a missing cell stays empty', () => {
  const rows = [
    row({ model: 'a', value: 0.3, params: { tau: 0.1, association: 'harmful' }, group: { gender: 'f' } }),
    row({ model: 'a', value: 0.2, params: { tau: 0.5, association: 'harmful' }, group: { gender: 'f' } }),
    row({ model: 'b', value: 0.1, params: { tau: 0.5, association: 'harmful' }, group: { gender: 'm' } }),
  ];
  const tables = buildTables(rows, ['a', 'b']);
  assert.deepEqual(
    tables.map((t) => t.params),
    ['tau=0.1', 'tau=0.5'],
  );
  const t5 = tables[1];
  assert.deepEqual(
    t5.columns.map((c) => c.label),
    ['f', 'm'],
  );
  assert.equal(t5.rows[0].cells[1], undefined);
  assert.equal(t5.rows[1].cells[0], undefined);
  assert.equal(t5.rows[1].cells[1]?.value, 0.1);
});

test('robustness on the whole population: shifts become columns across datasets', () => {
  const rows = [
    row({
      indicator: 'robustness',
      metric: 'top1',
      model: 'a',
      value: 0.7,
      params: { shift: 'val' },
      dataset: 'val',
    }),
    row({
      indicator: 'robustness',
      metric: 'top1',
      model: 'a',
      value: 0.2,
      params: { shift: 'ina' },
      dataset: 'ina',
    }),
    row({
      indicator: 'robustness',
      metric: 'top1',
      model: 'a',
      value: 0.5,
      params: { corruption: 'noise', severity: 1 },
      dataset: 'c',
    }),
    row({
      indicator: 'robustness',
      metric: 'top1',
      model: 'a',
      value: 0.4,
      params: { corruption: 'noise', severity: 2 },
      dataset: 'c',
    }),
  ];
  const [shifts, corr] = buildTables(rows, ['a']);
  assert.deepEqual(
    shifts.columns.map((c) => c.label),
    ['val', 'ina'],
  );
  assert.equal(shifts.dataset, 'val, ina');
  assert.deepEqual(
    shifts.rows.map((r) => r.cells.map((c) => c?.value)),
    [[0.7, 0.2]],
  );
  assert.deepEqual(corr.rowHeaders, ['model', 'severity']);
  assert.deepEqual(
    corr.rows.map((r) => [...r.labels, r.cells[0]?.value]),
    [
      ['a', '1', 0.5],
      ['a', '2', 0.4],
    ],
  );
});

test('gap rows are left out of tables; old-style _gap rows become entries with their interval vs 0', () => {
  const gap = (model: string, value: number, ci: [number, number]) =>
    row({
      model,
      value,
      ci,
      metric: 'hit_rate_gap',
      params: { attribute: 'gender', method: 'between_groups', tau: 0.1 },
    });
  const rows = [gap('b', 0.05, [0.01, 0.09]), gap('a', 0.02, [-0.01, 0.05]), row({ model: 'a', value: 0.3 })];
  assert.equal(buildTables(rows, ['a', 'b']).length, 1);
  const gaps = gapEntries(rows, ['a', 'b']);
  assert.deepEqual(
    gaps.map((g) => [g.model, g.metric, g.attribute, g.params, g.between?.value, g.excludesZero]),
    [
      ['a', 'hit_rate', 'gender', 'tau=0.1', 0.02, false],
      ['b', 'hit_rate', 'gender', 'tau=0.1', 0.05, true],
    ],
  );
  // A difference of percentages is in percentage points.
  assert.equal(gaps[0].unit, 'pp');
});

test('.difference and .ratio rows of both methods merge into one entry per attribute and parameters', () => {
  const params = { tau: 0.1, association: 'Human', unit: 'percent' };
  const star = { gender: '*' };
  const r = (metric: string, method: string, value: number, ci: [number, number]) =>
    row({ model: 'a', metric, params: { ...params, method }, group: star, value, ci });
  const rows = [
    r('hit_rate.difference', 'betweenGroups', 7.5, [2.5, 12.5]),
    r('hit_rate.ratio', 'betweenGroups', 0.9, [0.8, 1]),
    r('hit_rate.difference', 'toOverall', 4, [1, 7]),
    r('hit_rate.ratio', 'toOverall', 0.95, [0.9, 1]),
    row({
      model: 'a',
      metric: 'hit_rate.difference',
      params: { ...params, association: 'Harmful', method: 'betweenGroups' },
      group: star,
      value: 1,
      ci: [-0.5, 2],
    }),
    row({
      model: 'a',
      metric: 'hit_rate.comparison',
      params: { ...params, test: 'pairwise', versus: 'gender=male', pValue: 0.01, pHolm: 0.02 },
      group: { gender: 'female' },
      value: 7,
      ci: [2, 12],
    }),
  ];
  const gaps = gapEntries(rows, ['a']);
  assert.equal(gaps.length, 2);
  const [human, harmful] = gaps;
  assert.deepEqual(
    [
      human.attribute,
      human.between?.value,
      human.ratio?.value,
      human.toOverall?.value,
      human.toOverallRatio?.value,
    ],
    ['gender', 7.5, 0.9, 4, 0.95],
  );
  assert.equal(human.params, 'tau=0.1, association=Human');
  assert.equal(human.excludesZero, true);
  assert.equal(harmful.ratio, undefined);
  assert.equal(harmful.excludesZero, false);
  // omitParams leaves stated-elsewhere parameters out of the text, not out of rawParams.
  const [withoutTau] = gapEntries(rows.slice(0, 1), ['a'], ['tau']);
  assert.equal(withoutTau.params, 'association=Human');
  assert.equal(withoutTau.rawParams.tau, 0.1);
});
