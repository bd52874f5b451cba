import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BootstrapReplicates } from './bootstrap.js';
import {
  combineFrames,
  EMPTY_GROUP_WARNING,
  estimate,
  paired,
  pooled,
  type Replicated,
  type StatisticGroup,
  statisticFrame,
  TOO_FEW_GROUPS_WARNING,
} from './frame.js';

/** A replicate matrix written out by hand: (size) point values and B rows. */
function boot(point: number[], rows: number[][]): BootstrapReplicates {
  return {
    point: Float64Array.from(point),
    replicates: Float64Array.from(rows.flat()),
    resamples: rows.length,
    size: point.length,
  };
}

const NaN_ = Number.NaN;
// Level 0.5: the interval is the 25% and 75% quantiles (numpy 'linear'). All values are multiples of
// 1/8, so every expected number below is exact in binary.
const LEVEL = 0.5;

// A statistic of 3 values that is no ratio of sums; groups read it in their own ways.
const B1 = boot(
  [0.5, 0.25, 0.875],
  [
    [0.375, 0.375, 0.75],
    [0.625, NaN_, 1],
    [0.5, 0.125, 0.625],
    [0.75, 0.25, 0.875],
  ],
);

function groups(withIds: boolean): StatisticGroup[] {
  const ids = (xs: number[]) => (withIds ? { clusterIds: xs } : {});
  return [
    {
      group: { g: 'a' },
      value: (v) => v[0] as number,
      n: 10,
      clusters: 4,
      ...ids([0, 1, 2, 3]),
      comparable: true,
    },
    {
      group: { g: 'b' },
      value: (v) => v[1] as number,
      n: 8,
      clusters: 3,
      ...ids([2, 3, 4]),
      comparable: true,
    },
    {
      group: { g: 'c' },
      value: (v) => v[2] as number,
      n: 12,
      clusters: 5,
      ...ids([5, 6, 7, 8, 9]),
      comparable: true,
    },
    {
      group: { g: 'unknown' },
      value: (v) => (v[0] as number) * (v[2] as number),
      n: 9,
      clusters: 9,
      comparable: false,
      warnings: ['missing value'],
    },
    { group: { g: 'empty' }, value: () => Number.NaN, n: 0, clusters: 0, comparable: true },
  ];
}

function frame(withIds = true) {
  return statisticFrame(
    {
      metric: 'score',
      attributes: ['g'],
      overall: {
        group: {},
        value: (v) => (v[0] as number) + (v[2] as number),
        n: 39,
        clusters: 10,
        comparable: true,
      },
      groups: groups(withIds),
      warnings: ['a frame note'],
    },
    B1,
    { level: LEVEL, minimumGroupSize: { items: 9, clusters: 4 } },
  );
}

test('a frame over an arbitrary statistic: group values and intervals by hand arithmetic', () => {
  const f = frame();
  const [a, b, c, unknown, empty] = f.byGroup;
  // a: replicates 0.375, 0.625, 0.5, 0.75 -> sorted; quantile 0.25 at position 0.75, 0.75 at 2.25
  assert.deepEqual([a?.value, ...(a?.ci ?? [])], [0.5, 0.5 - 0.125 * 0.25, 0.625 + 0.125 * 0.25]);
  assert.deepEqual(a?.warnings, []);
  // b: one resample undefined; interval over 0.125, 0.25, 0.375 (positions 0.5 and 1.5)
  assert.deepEqual([b?.value, ...(b?.ci ?? [])], [0.25, 0.1875, 0.3125]);
  assert.deepEqual(b?.warnings, [
    'too small to conclude: n=8, clusters=3 (needs n >= 9 and clusters >= 4)',
    'undefined in 1 of 4 resamples (a group had no drawn item); interval over the other 3',
  ]);
  assert.equal(c?.value, 0.875);
  // not comparable, reported with its own function of the row (0.5 · 0.875) and its notes
  assert.equal(unknown?.value, 0.4375);
  assert.deepEqual(unknown?.warnings, ['missing value']);
  assert.ok(Number.isNaN(empty?.value) && Number.isNaN(empty?.ci[0]));
  assert.deepEqual(empty?.warnings, [EMPTY_GROUP_WARNING]);
  // overall: v0 + v2 = 1.375; replicates 1.125, 1.625, 1.125, 1.625
  assert.deepEqual([f.overall.value, ...f.overall.ci], [1.375, 1.125, 1.625]);
  assert.deepEqual(f.overall.group, {});
});

test('gaps and ratios are computed inside each resample, NaN propagating, over comparable groups', () => {
  const f = frame();
  const gap = f.difference();
  // point 0.875 - 0.25; resamples 0.75 - 0.375, NaN (b undefined), 0.625 - 0.125, 0.875 - 0.25
  assert.deepEqual([gap.value, ...gap.ci], [0.625, 0.4375, 0.5625]);
  assert.equal(gap.metric, 'score.difference');
  assert.deepEqual(gap.group, { g: '*' });
  // a, b, c: 30 items; clusters the union {0..9}, or the sum 12 without cluster ids
  assert.deepEqual([gap.n, gap.clusters], [30, 10]);
  assert.deepEqual([frame(false).difference().n, frame(false).difference().clusters], [30, 12]);
  assert.deepEqual(gap.warnings, [
    'a frame note',
    'undefined in 1 of 4 resamples (a group had no drawn item); interval over the other 3',
    'includes groups too small to conclude: g=b',
  ]);
  assert.equal(f.ratio().value, 0.25 / 0.875);
  assert.equal(f.ratio().metric, 'score.ratio');
  // toOverall: max(|0.5 - 1.375|, |0.25 - 1.375|, |0.875 - 1.375|)
  assert.equal(f.difference({ method: 'toOverall' }).value, 1.125);
  // ratio toOverall: min over groups of min(x / o, o / x) = 0.25 / 1.375
  assert.equal(f.ratio({ method: 'toOverall' }).value, 0.25 / 1.375);
});

test('comparisons of an arbitrary statistic: paired differences, bootstrap p-values, Holm', () => {
  const cmp = frame().comparisons('pairwise');
  assert.deepEqual(
    cmp.map((c) => [c.group.g, (c.versus as { g: string }).g, c.value]),
    [
      ['a', 'b', 0.25],
      ['a', 'c', -0.375],
      ['b', 'c', -0.625],
    ],
  );
  // a-b: 0, NaN, 0.375, 0.5 -> 2(1 + 1)/(3 + 1) = 1; a-c: all 4 below 0 -> 2/5; b-c: 3 below -> 2/4
  assert.deepEqual(
    cmp.map((c) => c.pValue),
    [1, 0.4, 0.5],
  );
  // Holm: 0.4·3 -> 1, then 0.5·2 = 1, then 1: all 1
  assert.deepEqual(
    cmp.map((c) => c.pAdjusted),
    [1, 1, 1],
  );
  assert.throws(() => frame().comparisons('vsRest'), /without rest values/);
});

test('fewer than two comparable groups: the gap is undefined and says only so', () => {
  const f = statisticFrame(
    { metric: 'm', attributes: ['g'], groups: groups(true).slice(0, 1).concat(groups(true).slice(3)) },
    B1,
    { level: LEVEL },
  );
  const gap = f.difference();
  assert.ok(Number.isNaN(gap.value) && Number.isNaN(gap.ci[0]));
  assert.deepEqual(gap.warnings, [TOO_FEW_GROUPS_WARNING]);
  assert.throws(() => f.overall, /no overall value/);
});

test('estimate: no interval for an undefined value or without resamples', () => {
  assert.deepEqual(estimate({ value: Number.NaN, replicates: Float64Array.of(1, 2) }, 0.9).warnings, []);
  const none = estimate({ value: 1, replicates: new Float64Array(0) }, 0.9);
  assert.ok(Number.isNaN(none.ci[0]) && Number.isNaN(none.ci[1]));
});

test('pooled estimate: the mean over draws, the interval from all draws’ replicates together', () => {
  const p = pooled([
    { value: 1, replicates: Float64Array.of(1, 2) },
    { value: 4, replicates: Float64Array.of(3, NaN_) },
  ]);
  assert.equal(p.value, 2.5);
  assert.deepEqual(Array.from(p.replicates), [1, 2, 3, NaN_]);
  assert.equal(pooled([{ value: 1, replicates: Float64Array.of(1) }], 7).value, 7);
  assert.throws(() => pooled([]), /at least one draw/);
  const d = paired(
    { value: 3, replicates: Float64Array.of(2, 5) },
    { value: 1, replicates: Float64Array.of(1, 1) },
  );
  assert.deepEqual([d.value, ...d.replicates], [2, 1, 4]);
});

// Two random draws of one selection, two groups each, on the same 2 resamples.
const DRAW1 = boot(
  [0.5, 0.25],
  [
    [0.5, 0.5],
    [0.75, 0.25],
  ],
);
const DRAW2 = boot(
  [0.25, 0.75],
  [
    [0.5, 0],
    [1, NaN_],
  ],
);

function drawFrame(b: BootstrapReplicates) {
  const g = (name: string, j: number): StatisticGroup => ({
    group: { t: name },
    value: (v) => v[j] as number,
    n: 40,
    clusters: 20,
    comparable: true,
  });
  return statisticFrame({ metric: 'acc', attributes: ['t'], groups: [g('x', 0), g('y', 1)] }, b, {
    level: LEVEL,
  });
}

test('combined frames: pooled groups, and a pooled gap that is the mean of the draws’ gaps', () => {
  const random = combineFrames([drawFrame(DRAW1), drawFrame(DRAW2)], (d) => pooled(d), { level: LEVEL });
  const [x, y] = random.byGroup;
  // x: (0.5 + 0.25) / 2; replicates 0.5, 0.75, 0.5, 1 -> quantiles at positions 0.75 and 2.25
  assert.deepEqual([x?.value, ...(x?.ci ?? [])], [0.375, 0.5, 0.75 + 0.25 * 0.25]);
  // y: (0.25 + 0.75) / 2; replicates 0.5, 0.25, 0, NaN
  assert.deepEqual([y?.value, ...(y?.ci ?? [])], [0.5, 0.125, 0.375]);
  assert.match(y?.warnings.join() ?? '', /undefined in 1 of 4 resamples/);
  // gaps per draw: 0.25 (replicates 0, 0.5) and 0.5 (0.5, NaN); pooled: 0.375, not |0.375 - 0.5|
  const gap = random.difference();
  assert.deepEqual([gap.value, ...gap.ci], [0.375, 0.25, 0.5]);
  assert.deepEqual([gap.n, gap.clusters], [80, 40]);
  // with one draw, the pooled frame is the frame
  const one = combineFrames([drawFrame(DRAW1)], (d) => pooled(d), { level: LEVEL });
  assert.deepEqual(one.byGroup, drawFrame(DRAW1).byGroup);
  assert.deepEqual(one.difference(), drawFrame(DRAW1).difference());
});

test('combined frames: a paired difference to pooled draws (curated minus random)', () => {
  const minus = ([c, ...ds]: Replicated[]) =>
    pooled(
      ds.map((d) => paired(c as Replicated, d)),
      (c as Replicated).value - pooled(ds).value,
    );
  const f = combineFrames([drawFrame(DRAW1), drawFrame(DRAW2)], minus, { level: LEVEL });
  const [x] = f.byGroup;
  // 0.5 - 0.25; replicates 0.5 - 0.5, 0.75 - 1 -> sorted -0.25, 0: quantiles at 0.25 and 0.75
  assert.deepEqual([x?.value, ...(x?.ci ?? [])], [0.25, -0.25 + 0.25 * 0.25, -0.25 * 0.25]);
  // gap change: 0.25 - 0.5; replicates 0 - 0.5 and 0.5 - NaN
  const gap = f.difference();
  assert.deepEqual([gap.value, ...gap.ci], [-0.25, -0.5, -0.5]);
  assert.match(gap.warnings.join(), /undefined in 1 of 2 resamples/);
});
