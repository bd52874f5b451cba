import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { drawClusterCounts } from '../stats/bootstrap.js';
import { percentileInterval } from '../stats/quantile.js';
import {
  PROBE_ACCURACY,
  PROBE_ACCURACY_GAIN,
  PROBE_ACCURACY_GAP,
  PROBE_ACCURACY_GAP_CHANGE,
  probeComparisonRows,
} from './probe-comparison.js';

/** 8 test items in 4 clusters of 2; tone x for clusters 0-1, y for clusters 2-3. */
const ITEMS: ManifestItem[] = Array.from({ length: 8 }, (_, i) => ({
  id: `t${i}`,
  source: `t${i}.png`,
  labels: [],
  attrs: { tone: i < 4 ? 'x' : 'y' },
  cluster: `c${Math.floor(i / 2)}`,
}));

const CURATED = Uint8Array.from([1, 1, 1, 0, 1, 1, 1, 1]);
const DRAW_A = Uint8Array.from([1, 0, 1, 0, 1, 1, 0, 0]);
const DRAW_B = Uint8Array.from([1, 1, 0, 0, 1, 0, 1, 1]);

const CONTEXT = { model: 'm', dataset: 'test', params: { strategy: 'kcenter', budget: 3 } };

function find(rows: ResultRow[], metric: string, selection: string, group: ResultRow['group']): ResultRow {
  const row = rows.find(
    (r) =>
      r.metric === metric &&
      r.params.selection === selection &&
      JSON.stringify(r.group) === JSON.stringify(group),
  );
  assert.ok(row, `no row ${metric} ${selection} ${JSON.stringify(group)}`);
  return row;
}

test('accuracies, gaps and curated-minus-random values are the hand-computed ones', () => {
  const rows = probeComparisonRows(
    ITEMS,
    { curated: CURATED, random: [DRAW_A, DRAW_B] },
    [{ name: 'tone', attributes: ['tone'] }],
    CONTEXT,
    { seed: 1, resamples: 0 },
  );
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  // Curated: 7/8 overall; x: 3/4, y: 4/4; gap 1/4.
  near(find(rows, PROBE_ACCURACY, 'curated', {}).value, 7 / 8);
  near(find(rows, PROBE_ACCURACY, 'curated', { tone: 'x' }).value, 3 / 4);
  near(find(rows, PROBE_ACCURACY, 'curated', { tone: 'y' }).value, 1);
  near(find(rows, PROBE_ACCURACY_GAP, 'curated', { tone: '*' }).value, 1 / 4);
  // Draw A: 4/8 (x 2/4, y 2/4, gap 0); draw B: 5/8 (x 2/4, y 3/4, gap 1/4). Means: 4.5/8, 2/4, 2.5/4, 1/8.
  near(find(rows, PROBE_ACCURACY, 'random', {}).value, 4.5 / 8);
  near(find(rows, PROBE_ACCURACY, 'random', { tone: 'x' }).value, 0.5);
  near(find(rows, PROBE_ACCURACY, 'random', { tone: 'y' }).value, 0.625);
  near(find(rows, PROBE_ACCURACY_GAP, 'random', { tone: '*' }).value, 1 / 8);
  // Curated minus random.
  near(find(rows, PROBE_ACCURACY_GAIN, 'curated-minus-random', {}).value, 7 / 8 - 4.5 / 8);
  near(find(rows, PROBE_ACCURACY_GAIN, 'curated-minus-random', { tone: 'x' }).value, 0.25);
  near(find(rows, PROBE_ACCURACY_GAIN, 'curated-minus-random', { tone: 'y' }).value, 0.375);
  near(find(rows, PROBE_ACCURACY_GAP_CHANGE, 'curated-minus-random', { tone: '*' }).value, 1 / 4 - 1 / 8);
  // 3 cells x 3 kinds + 2 gaps + 1 gap change.
  assert.equal(rows.length, 12);
  for (const r of rows) {
    assert.equal(r.indicator, 'curation');
    assert.equal(r.dataset, 'test');
    assert.equal(r.params.budget, 3);
    assert.ok(Number.isNaN(r.ci[0]), 'no resamples, no interval');
  }
  const overall = find(rows, PROBE_ACCURACY, 'curated', {});
  assert.equal(overall.n, 8);
  assert.equal(overall.clusters, 4);
  assert.ok(overall.warnings.some((w) => w.startsWith('too small')));
  assert.equal(find(rows, PROBE_ACCURACY_GAP, 'curated', { tone: '*' }).params.method, 'betweenGroups');
});

/** Accuracy of `hits` over the items of `members` in a resample, by a plain loop over items. */
function resampledAccuracy(hits: Uint8Array, members: number[], weights: Float64Array): number {
  let num = 0;
  let den = 0;
  for (const i of members) {
    const w = weights[Number(ITEMS[i]?.cluster?.slice(1))] as number;
    num += w * (hits[i] as number);
    den += w;
  }
  return den > 0 ? num / den : Number.NaN;
}

test('intervals: curated from its replicates, random and the gain pooled over draws (slow reference loop)', () => {
  const resamples = 300;
  const seed = 11;
  const rows = probeComparisonRows(
    ITEMS,
    { curated: CURATED, random: [DRAW_A, DRAW_B] },
    [{ name: 'tone', attributes: ['tone'] }],
    CONTEXT,
    { seed, resamples, level: 0.9 },
  );
  // Reference: the same cluster resamples (4 clusters, drawn from Rng(seed)), statistics by item loops.
  const rng = new Rng(seed);
  const weights = new Float64Array(4);
  const all = [0, 1, 2, 3, 4, 5, 6, 7];
  const x = [0, 1, 2, 3];
  const y = [4, 5, 6, 7];
  const curated: number[] = [];
  const random: number[] = [];
  const gain: number[] = [];
  const gapCurated: number[] = [];
  const gapRandom: number[] = [];
  const gapChange: number[] = [];
  const gapOf = (h: Uint8Array) => {
    const a = resampledAccuracy(h, x, weights);
    const b = resampledAccuracy(h, y, weights);
    return Math.max(a, b) - Math.min(a, b);
  };
  for (let b = 0; b < resamples; b++) {
    drawClusterCounts(rng, 4, weights);
    const c = resampledAccuracy(CURATED, all, weights);
    curated.push(c);
    gapCurated.push(gapOf(CURATED));
    for (const d of [DRAW_A, DRAW_B]) {
      const r = resampledAccuracy(d, all, weights);
      random.push(r);
      gain.push(c - r);
      gapRandom.push(gapOf(d));
      gapChange.push(gapOf(CURATED) - gapOf(d));
    }
  }
  const same = (row: ResultRow, reps: number[]) => {
    const ref = percentileInterval(reps, 0.9);
    assert.ok(
      Math.abs(row.ci[0] - ref[0]) < 1e-12 && Math.abs(row.ci[1] - ref[1]) < 1e-12,
      `${row.ci} vs ${ref}`,
    );
  };
  same(find(rows, PROBE_ACCURACY, 'curated', {}), curated);
  same(find(rows, PROBE_ACCURACY, 'random', {}), random);
  same(find(rows, PROBE_ACCURACY_GAIN, 'curated-minus-random', {}), gain);
  same(find(rows, PROBE_ACCURACY_GAP, 'curated', { tone: '*' }), gapCurated);
  same(find(rows, PROBE_ACCURACY_GAP, 'random', { tone: '*' }), gapRandom);
  same(find(rows, PROBE_ACCURACY_GAP_CHANGE, 'curated-minus-random', { tone: '*' }), gapChange);
  // The pooled interval of the random rows is wider than either draw's own bootstrap interval alone
  // would need to be to contain both draws' values.
  const r = find(rows, PROBE_ACCURACY, 'random', {});
  assert.ok(r.ci[0] <= 4 / 8 && r.ci[1] >= 5 / 8);
});

test('missing groups are reported but not compared; a grouping with one comparable group has no gap', () => {
  const items = ITEMS.map((it, i) => ({ ...it, attrs: { tone: i < 4 ? 'x' : 'unknown' } }));
  const rows = probeComparisonRows(
    items,
    { curated: CURATED, random: [DRAW_A] },
    [{ name: 'tone', attributes: ['tone'] }],
    CONTEXT,
    { seed: 1, resamples: 20 },
  );
  const unknown = find(rows, PROBE_ACCURACY, 'curated', { tone: 'unknown' });
  assert.ok(unknown.warnings.some((w) => w.includes('left out of gaps')));
  const gap = find(rows, PROBE_ACCURACY_GAP, 'curated', { tone: '*' });
  assert.ok(Number.isNaN(gap.value));
  assert.ok(gap.warnings.some((w) => w.includes('fewer than two comparable groups')));
});

test('bad inputs are rejected', () => {
  const groupings = [{ name: 'tone', attributes: ['tone'] }];
  assert.throws(
    () => probeComparisonRows(ITEMS, { curated: CURATED, random: [] }, groupings, CONTEXT, { seed: 0 }),
    /at least one random draw/,
  );
  assert.throws(
    () =>
      probeComparisonRows(ITEMS, { curated: CURATED, random: [new Uint8Array(3)] }, groupings, CONTEXT, {
        seed: 0,
      }),
    /3 outcomes for 8 items/,
  );
});
