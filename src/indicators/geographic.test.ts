import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { parseGroupings } from '../stats/groups.js';
import { parseConceptMap } from './concept-map.js';
import { geographic, OUT_OF_RANGE_NOTE, withIncomeBuckets } from './geographic.js';
import { incomeBucket, roundHalfEven } from './income.js';
import { assertClose, indexRows, loadFixture } from './testing.js';

interface Fixture {
  inputs: {
    classes: string[];
    conceptMap: unknown;
    thresholds: number[];
    groups: string;
    items: ManifestItem[];
    logits: number[][];
  };
  incomeBuckets: { income: number; bucket: string }[];
  roundHalfEven: { x: number; rounded: number }[];
  expected: {
    metric: string;
    params: { threshold: number };
    group: Record<string, string>;
    value: number | null;
    n: number;
  }[];
}

// Expected values: tools/indicators_reference.py, a numpy implementation written from protocols.md of
// the paper's reading (one item per image, unrounded scores): protocol 'paper'. vissl's own reading,
// the default, is checked against vissl's code in geographic-vissl.test.ts.
const fx = loadFixture<Fixture>('geographic.json');

function run(resamples: number): { rows: ResultRow[]; notes: string[] } {
  const items = withIncomeBuckets(fx.inputs.items).items;
  const map = parseConceptMap(fx.inputs.conceptMap, 'fixture-map.json', fx.inputs.classes);
  return geographic(fx.inputs.items, Float32Array.from(fx.inputs.logits.flat()), {
    model: 'fixture-model',
    conceptsOfClass: map.conceptsOfClass,
    thresholds: fx.inputs.thresholds,
    groupings: parseGroupings(fx.inputs.groups, items),
    bootstrap: { seed: 1, resamples },
    protocol: 'paper',
  });
}

test('income buckets: round(ln(income)/3) half to even, out of range reported (numpy reference)', () => {
  for (const { x, rounded } of fx.roundHalfEven) assert.equal(roundHalfEven(x), rounded, `round(${x})`);
  for (const { income, bucket } of fx.incomeBuckets)
    assert.equal(incomeBucket(income), bucket, `income ${income}`);
});

test('geographic, paper reading: hit rate (mean of household means), cover and per-image accuracy equal the numpy reference', () => {
  const { rows, notes } = run(0);
  const byKey = indexRows(
    rows.filter((r) => ['hit_rate', 'cover', 'accuracy'].includes(r.metric)),
    (r) => `${r.metric}|${r.params.threshold}`,
  );
  for (const e of fx.expected) {
    const label = Object.entries(e.group)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const key = `${e.metric}|${e.params.threshold}|${label || 'overall'}`;
    const row = byKey.get(key);
    assert.ok(row, `missing row ${key}`);
    assertClose(row.value, e.value, key);
    assert.equal(row.n, e.n, `${key} n`);
  }
  assert.equal(byKey.size, fx.expected.length);
  assert.ok(notes.some((n) => /income outside the bucket range/.test(n)));
  const outOfRange = rows.find((r) => r.group.income_bucket === 'out-of-range' && r.metric === 'hit_rate');
  assert.ok(outOfRange?.warnings.includes(OUT_OF_RANGE_NOTE));
});

test('geographic intervals resample households', () => {
  const { rows } = run(80);
  const overall = rows.find(
    (r) => r.metric === 'hit_rate' && Object.keys(r.group).length === 0 && r.params.threshold === 0,
  );
  assert.ok(overall && overall.ci[0] <= overall.value && overall.value <= overall.ci[1]);
  assert.equal(overall.clusters, 10); // households
  const gap = rows.find(
    (r) =>
      r.metric === 'hit_rate.difference' && r.group.region === '*' && r.params.method === 'betweenGroups',
  );
  assert.ok(gap && Number.isFinite(gap.ci[0]));
});
