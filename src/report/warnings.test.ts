import assert from 'node:assert/strict';
import { test } from 'node:test';
import { upgradeRow, type V1Row } from '../core/results.js';
import type { ResultRow } from '../core/types.js';
import { isSmallSample, summarizeWarnings, warningKind, warningKinds } from './warnings.js';

function row(p: Partial<V1Row> & Pick<V1Row, 'warnings'>): ResultRow {
  return upgradeRow({
    model: 'm',
    indicator: 'label-association',
    metric: 'hit_rate',
    params: {},
    group: {},
    value: 1,
    ci: [0, 2],
    n: 10,
    clusters: 10,
    ...p,
  });
}

const small = (n: number) =>
  `too small to conclude: n=${n}, clusters=${n} (needs n >= 30 and clusters >= 10)`;
const undef = (k: number) =>
  `undefined in ${k} of 200 resamples (a group had no drawn item); interval over the other ${200 - k}`;

test('row-specific numbers fold into one kind; plain texts stay as they are', () => {
  assert.equal(warningKind(small(12)), 'too small to conclude (needs n >= 30 and clusters >= 10)');
  assert.equal(warningKind(small(4)), warningKind(small(12)));
  assert.equal(warningKind(undef(3)), warningKind(undef(141)));
  assert.equal(
    warningKind(
      'groups with no prediction at this threshold leave the disparity undefined (their rate is 0/0, as in vissl): man|4, woman|3',
    ),
    warningKind(
      'groups with no prediction at this threshold leave the disparity undefined (their rate is 0/0, as in vissl): man|5',
    ),
  );
  assert.equal(warningKind('severities missing for contrast'), 'severities missing for contrast');
  // Tooltips keep the lead clause, once per kind.
  assert.equal(
    warningKinds([small(4), small(5), undef(2)]),
    'too small to conclude; undefined in some of the 200 bootstrap resamples',
  );
  assert.equal(isSmallSample([small(4)]), true);
  assert.equal(isSmallSample(['includes groups too small to conclude: age=70+']), true);
  assert.equal(isSmallSample([undef(3)]), false);
});

test('the summary counts rows per kind (most frequent first), where they are and which small groups', () => {
  const rows = [
    row({ group: { age: '70+' }, n: 18, warnings: [small(18), undef(3)] }),
    row({ group: { age: '70+' }, n: 5, metric: 'prediction_rate', warnings: [small(5)] }),
    row({
      group: { gender: 'x' },
      n: 12,
      indicator: 'retrieval',
      metric: 'precision_at_k',
      warnings: [small(12), undef(40)],
    }),
    row({
      metric: 'hit_rate.difference',
      group: { age: '*' },
      warnings: ['includes groups too small to conclude: age=70+'],
    }),
    row({ warnings: [] }),
  ];
  const s = summarizeWarnings(rows);
  assert.deepEqual(
    s.map((w) => [w.kind, w.rows]),
    [
      ['too small to conclude (needs n >= 30 and clusters >= 10)', 3],
      [
        'undefined in some of the 200 bootstrap resamples (a group had no drawn item); the interval is over the others',
        2,
      ],
      ['includes groups too small to conclude (gaps and tests over them are fragile)', 1],
    ],
  );
  assert.equal(s[0].where, 'label-association: hit_rate, prediction_rate; retrieval: precision_at_k');
  // A group's size is the largest n among its rows (per-class rows count predictions).
  assert.equal(s[0].detail, 'groups: age=70+ (n=18), gender=x (n=12)');
  assert.equal(s[1].detail, '3 to 40 resamples');
  assert.equal(s[2].where, 'label-association: hit_rate');
});

test('a row repeating one kind counts once; limits cut long lists', () => {
  const rows = Array.from({ length: 12 }, (_, i) =>
    row({ group: { g: `v${i}` }, metric: `m${i % 6}`, warnings: [small(3), small(4)] }),
  );
  const [w] = summarizeWarnings(rows, { metrics: 2, groups: 3 });
  assert.equal(w.rows, 12);
  assert.equal(w.where, 'label-association: m0, m1 (+4 more)');
  assert.equal(w.detail, 'groups: g=v0 (n=10), g=v1 (n=10), g=v2 (n=10) (+9 more)');
});
