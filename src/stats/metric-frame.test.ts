import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ClusterSums, ClusterSumsBuilder, emptySums, mergeSums } from './cluster-sums.js';
import {
  buildMetricFrames,
  EMPTY_GROUP_WARNING,
  type MetricFrameInput,
  TOO_FEW_GROUPS_WARNING,
} from './metric-frame.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

/** [cluster, value] items -> sums. */
function sums(items: [number, number][]): ClusterSums {
  const b = new ClusterSumsBuilder();
  for (const [c, v] of items) b.add(c, v);
  return b.build();
}

// Group A: clusters 0,1,2 with items [1,0], [1], [1,1] -> 4/5 = 0.8
// Group B: clusters 3,4,5 with items [0], [0,1], [0]   -> 1/4 = 0.25
// Group n/a: cluster 6 with [1]; not comparable.
const A = sums([
  [0, 1],
  [0, 0],
  [1, 1],
  [2, 1],
  [2, 1],
]);
const B = sums([
  [3, 0],
  [4, 0],
  [4, 1],
  [5, 0],
]);
const NA = sums([[6, 1]]);

function frameInput(withRest = false): MetricFrameInput {
  return {
    metric: 'hit_rate',
    attributes: ['gender'],
    overall: mergeSums([A, B, NA]),
    groups: [
      { group: { gender: 'female' }, sums: A, comparable: true },
      { group: { gender: 'male' }, sums: B, comparable: true },
      { group: { gender: 'n/a' }, sums: NA, comparable: false, warnings: ['missing value'] },
      { group: { gender: 'other' }, sums: emptySums(), comparable: true },
    ],
    withRest,
  };
}

test('point values: groups, overall, gaps and ratios by hand arithmetic', () => {
  const [f] = buildMetricFrames(7, [frameInput()], { seed: 1, resamples: 200 });
  assert.ok(f);
  close(f.overall.value, 6 / 10); // all 10 items, the n/a one included
  assert.equal(f.overall.n, 10);
  assert.equal(f.overall.clusters, 7);
  const [female, male, na, other] = f.byGroup;
  close(female?.value as number, 0.8);
  close(male?.value as number, 0.25);
  assert.equal(female?.n, 5);
  assert.equal(female?.clusters, 3);
  assert.deepEqual(na?.warnings[0], 'missing value');
  assert.ok(Number.isNaN(other?.value));
  assert.equal(other?.n, 0);
  assert.ok(other?.warnings.includes(EMPTY_GROUP_WARNING));
  assert.ok(female?.warnings.some((w) => w.startsWith('too small to conclude: n=5, clusters=3')));
  // gaps use female and male only (n/a is not comparable, other is empty)
  close(f.difference().value, 0.8 - 0.25);
  close(f.ratio().value, 0.25 / 0.8);
  // toOverall: max(|0.8 - 0.6|, |0.25 - 0.6|) = 0.35; ratio min(0.6/0.8, 0.25/0.6)
  close(f.difference({ method: 'toOverall' }).value, 0.35);
  close(f.ratio({ method: 'toOverall' }).value, 0.25 / 0.6);
  assert.deepEqual(f.difference().group, { gender: '*' });
  assert.equal(f.difference().n, 9);
  assert.equal(f.difference().clusters, 6);
  // intervals contain the point values
  for (const g of [f.overall, female, male, f.difference(), f.ratio()]) {
    assert.ok(g && g.ci[0] <= g.value && g.value <= g.ci[1], `${g?.metric} ${g?.ci}`);
  }
});

test('gaps are computed inside each resample: perfectly paired groups have a zero-width gap interval', () => {
  // Each cluster holds one item of each group with the same value, so the two group means are equal in
  // every resample while each mean varies across resamples.
  const values = [1, 0, 1, 1, 0, 0, 1, 0, 1, 1, 0, 1];
  const paired = sums(values.map((v, c) => [c, v]));
  const input: MetricFrameInput = {
    metric: 'm',
    attributes: ['g'],
    overall: mergeSums([paired, paired]),
    groups: [
      { group: { g: 'a' }, sums: paired, comparable: true },
      { group: { g: 'b' }, sums: paired, comparable: true },
    ],
  };
  const [f] = buildMetricFrames(values.length, [input], { seed: 2, resamples: 300 });
  assert.ok(f);
  assert.deepEqual(f.difference().ci, [0, 0]);
  assert.deepEqual(f.ratio().ci, [1, 1]);
  const a = f.byGroup[0];
  assert.ok(a && a.ci[1] - a.ci[0] > 0.2, `group interval ${a?.ci}`);
  const [cmp] = f.comparisons('pairwise');
  assert.equal(cmp?.pValue, 1);
  assert.equal(cmp?.value, 0);
});

test('comparisons: pairwise and vs-rest, Holm-adjusted', () => {
  const C = sums([
    [7, 1],
    [8, 1],
    [9, 1],
  ]);
  const input: MetricFrameInput = {
    ...frameInput(true),
    overall: mergeSums([A, B, NA, C]),
    groups: [...frameInput(true).groups, { group: { gender: 'x' }, sums: C, comparable: true }],
  };
  const [f] = buildMetricFrames(10, [input], { seed: 3, resamples: 400 });
  assert.ok(f);
  const pairs = f.comparisons('pairwise');
  // comparable groups with items: female, male, x -> 3 pairs
  assert.deepEqual(
    pairs.map((c) => [c.group.gender, (c.versus as { gender: string }).gender]),
    [
      ['female', 'male'],
      ['female', 'x'],
      ['male', 'x'],
    ],
  );
  close(pairs[0]?.value as number, 0.55);
  close(pairs[2]?.value as number, 0.25 - 1);
  for (const c of pairs) {
    assert.ok(c.pValue > 0 && c.pValue <= 1);
    assert.ok(c.pAdjusted >= c.pValue);
  }
  // the smallest p is multiplied by 3 (capped at 1)
  const smallest = pairs.reduce((a, b) => (a.pValue <= b.pValue ? a : b));
  close(smallest.pAdjusted, Math.min(1, 3 * smallest.pValue));
  const rest = f.comparisons('vsRest');
  // female vs (male + x pooled): 0.8 - (1 + 3) / (4 + 3)
  close(rest[0]?.value as number, 0.8 - 4 / 7);
  assert.equal(rest[0]?.versus, 'rest');
  assert.equal(rest[0]?.n, 12);
});

test('fewer than two comparable groups: gap undefined and said so', () => {
  const input: MetricFrameInput = {
    metric: 'm',
    attributes: ['g'],
    overall: A,
    groups: [{ group: { g: 'a' }, sums: A, comparable: true }],
  };
  const [f] = buildMetricFrames(3, [input], { seed: 1, resamples: 10 });
  assert.ok(f && Number.isNaN(f.difference().value));
  assert.deepEqual(f.difference().warnings, [TOO_FEW_GROUPS_WARNING]);
});

test('toRows: tidy rows with params, gaps and tests', () => {
  const [f] = buildMetricFrames(7, [frameInput()], { seed: 1, resamples: 50 });
  assert.ok(f);
  const rows = f.toRows({
    model: 'm1',
    indicator: 'label-association',
    params: { tau: 0.1 },
    overall: true,
    differences: true,
    comparisons: 'pairwise',
  });
  assert.deepEqual(
    rows.map((r) => r.metric),
    [
      'hit_rate',
      'hit_rate',
      'hit_rate',
      'hit_rate',
      'hit_rate',
      'hit_rate.difference',
      'hit_rate.ratio',
      'hit_rate.difference',
      'hit_rate.ratio',
      'hit_rate.comparison',
    ],
  );
  assert.equal(rows[0]?.model, 'm1');
  assert.deepEqual(rows[5]?.params, { tau: 0.1, method: 'betweenGroups' });
  assert.equal(rows[9]?.params.versus, 'gender=male');
  assert.equal(typeof rows[9]?.params.pHolm, 'number');
});

test('the same seed gives identical intervals', () => {
  const a = buildMetricFrames(7, [frameInput()], { seed: 9, resamples: 100 })[0];
  const b = buildMetricFrames(7, [frameInput()], { seed: 9, resamples: 100 })[0];
  const c = buildMetricFrames(7, [frameInput()], { seed: 10, resamples: 100 })[0];
  assert.deepEqual(a?.difference().ci, b?.difference().ci);
  assert.deepEqual(a?.byGroup[0]?.ci, b?.byGroup[0]?.ci);
  assert.notDeepEqual(
    [a?.byGroup[0]?.ci, a?.byGroup[1]?.ci, a?.overall.ci],
    [c?.byGroup[0]?.ci, c?.byGroup[1]?.ci, c?.overall.ci],
  );
});
