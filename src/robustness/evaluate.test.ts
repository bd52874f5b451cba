import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { MISSING_GROUP_NOTE } from '../stats/groups.js';
import {
  EFFECTIVE_ROBUSTNESS_NOTE,
  type EvalDataset,
  type EvalModel,
  type EvalOutcome,
  evaluateRobustness,
} from './evaluate.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

const clean: ManifestItem[] = [
  { id: 'i1', source: 'x', labels: ['a'], attrs: { skintone: 'light' } },
  { id: 'i2', source: 'x', labels: ['a'], attrs: { skintone: 'light' } },
  { id: 'i3', source: 'x', labels: ['a'], attrs: { skintone: 'dark' } },
  { id: 'i4', source: 'x', labels: ['a'], attrs: { skintone: 'dark' } },
];
const sketch: ManifestItem[] = [
  { id: 's1', source: 'x', labels: ['a'], attrs: { skintone: 'light' } },
  { id: 's2', source: 'x', labels: ['a'], attrs: { skintone: 'light' } },
  { id: 's3', source: 'x', labels: ['a'], attrs: { skintone: 'dark' } },
  { id: 's4', source: 'x', labels: ['a'], attrs: { skintone: 'unknown' } },
];
const datasets: EvalDataset[] = [
  { name: 'clean', kind: 'in-distribution', pairing: 'clean', items: clean },
  {
    name: 'gaussian_noise/1',
    kind: 'corruption',
    corruption: 'gaussian_noise',
    severity: 1,
    pairing: 'clean',
    items: clean,
  },
  {
    name: 'gaussian_noise/2',
    kind: 'corruption',
    corruption: 'gaussian_noise',
    severity: 2,
    pairing: 'clean',
    items: clean,
  },
  { name: 'sketch', kind: 'shift', pairing: 'sketch', items: sketch },
];

function outcome(top1: number[], top5 = top1): EvalOutcome {
  return {
    scored: new Uint8Array(top1.length).fill(1),
    top1: Uint8Array.from(top1),
    top5: Uint8Array.from(top5),
    warnings: [],
  };
}

// Model m: clean [1 1 1 0] (0.75; light 1, dark 0.5); noise s1 [1 0 1 0] (0.5); s2 [0 0 1 0] (0.25);
// sketch [1 0 0 0] (0.25). Baseline b: clean [1 0 0 0] (0.25), noise s1 and s2 all wrong.
const m: EvalModel = {
  id: 'm',
  outcomes: new Map([
    ['clean', outcome([1, 1, 1, 0], [1, 1, 1, 1])],
    ['gaussian_noise/1', outcome([1, 0, 1, 0])],
    ['gaussian_noise/2', outcome([0, 0, 1, 0])],
    ['sketch', outcome([1, 0, 0, 0])],
  ]),
};
const b: EvalModel = {
  id: 'b',
  outcomes: new Map([
    ['clean', outcome([1, 0, 0, 0])],
    ['gaussian_noise/1', outcome([0, 0, 0, 0])],
    ['gaussian_noise/2', outcome([0, 0, 0, 0])],
  ]),
};

function find(
  rows: ResultRow[],
  where: Partial<ResultRow> & { params?: Record<string, unknown> },
): ResultRow {
  const hits = rows.filter(
    (r) =>
      (where.model === undefined || r.model === where.model) &&
      (where.metric === undefined || r.metric === where.metric) &&
      (where.dataset === undefined || r.dataset === where.dataset) &&
      (where.group === undefined || JSON.stringify(r.group) === JSON.stringify(where.group)) &&
      Object.entries(where.params ?? {}).every(([k, v]) => r.params[k] === v),
  );
  assert.equal(hits.length, 1, `${JSON.stringify(where)} matched ${hits.length} rows`);
  return hits[0] as ResultRow;
}

describe('robustness rows on hand-made outcomes (no resampling)', () => {
  const { rows } = evaluateRobustness(datasets, [m, b], {
    inDistribution: 'clean',
    attributes: ['skintone'],
    baseline: { model: 'b' },
    bootstrap: { seed: 0, resamples: 0, level: 0.95 },
  });
  const v = (where: Parameters<typeof find>[1]) => find(rows, where).value;

  it('top-1 and top-5 per dataset and group, with the gap', () => {
    close(v({ model: 'm', metric: 'top1', dataset: 'clean', group: {} }), 0.75);
    close(v({ model: 'm', metric: 'top1', dataset: 'clean', group: { skintone: 'light' } }), 1);
    close(v({ model: 'm', metric: 'top1', dataset: 'clean', group: { skintone: 'dark' } }), 0.5);
    close(v({ model: 'm', metric: 'top5', dataset: 'clean', group: {} }), 1);
    const gap = find(rows, {
      model: 'm',
      metric: 'top1.difference',
      dataset: 'clean',
      group: { skintone: '*' },
    });
    close(gap.value, 0.5);
    assert.deepEqual(gap.group, { skintone: '*' });
    assert.deepEqual(find(rows, { model: 'm', metric: 'top1', dataset: 'clean', group: {} }).params, {
      shift: 'none',
    });
    const row = find(rows, { model: 'm', metric: 'top1', dataset: 'gaussian_noise/2', group: {} });
    assert.deepEqual(row.params, { corruption: 'gaussian_noise', severity: 2 });
    assert.equal(row.indicator, 'robustness');
    assert.deepEqual([row.n, row.clusters], [4, 4]);
  });

  it('leaves values meaning unknown out of gaps', () => {
    // sketch: light [1 0] 0.5, dark [0] 0, unknown [0]; gap over light and dark only
    close(v({ model: 'm', metric: 'top1', dataset: 'sketch', group: { skintone: 'unknown' } }), 0);
    assert.ok(
      find(rows, {
        model: 'm',
        metric: 'top1',
        dataset: 'sketch',
        group: { skintone: 'unknown' },
      }).warnings.includes(MISSING_GROUP_NOTE),
    );
    const gap = find(rows, {
      model: 'm',
      metric: 'top1.difference',
      dataset: 'sketch',
      group: { skintone: '*' },
    });
    close(gap.value, 0.5);
    assert.deepEqual([gap.n, gap.clusters], [3, 3]);
  });

  it('accuracy drop from in-distribution', () => {
    // 0.75 - 0.5; light 1 - 0.5; dark 0.5 - 0.5
    close(
      v({ model: 'm', metric: 'accuracy_drop', dataset: 'gaussian_noise/1', group: {}, params: { k: 1 } }),
      0.25,
    );
    close(
      v({
        model: 'm',
        metric: 'accuracy_drop',
        dataset: 'gaussian_noise/1',
        group: { skintone: 'light' },
        params: { k: 1 },
      }),
      0.5,
    );
    close(
      v({
        model: 'm',
        metric: 'accuracy_drop',
        dataset: 'gaussian_noise/1',
        group: { skintone: 'dark' },
        params: { k: 1 },
      }),
      0,
    );
    close(
      v({
        model: 'm',
        metric: 'accuracy_drop.difference',
        dataset: 'gaussian_noise/1',
        group: { skintone: '*' },
        params: { k: 1 },
      }),
      0.5,
    );
    // top-5: 1 - 0.5
    close(
      v({ model: 'm', metric: 'accuracy_drop', dataset: 'gaussian_noise/1', group: {}, params: { k: 5 } }),
      0.5,
    );
    // paired sets (same items): 4 items; an independent shift adds its own: 4 + 4
    const paired = find(rows, {
      model: 'm',
      metric: 'accuracy_drop',
      dataset: 'gaussian_noise/1',
      group: {},
      params: { k: 1 },
    });
    assert.equal(paired.n, 4);
    const independent = find(rows, {
      model: 'm',
      metric: 'accuracy_drop',
      dataset: 'sketch',
      group: {},
      params: { k: 1 },
    });
    assert.equal(independent.n, 8);
    close(independent.value, 0.75 - 0.25);
  });

  it('corruption error, mCE and relative mCE, unnormalised and normalised by the baseline', () => {
    // model errors: clean 0.25, severity 1: 0.5, severity 2: 0.75 -> CE = 1.25
    close(v({ model: 'm', metric: 'corruption_error', dataset: 'gaussian_noise/1', group: {} }), 0.5);
    close(
      v({
        model: 'm',
        metric: 'corruption_error',
        dataset: 'gaussian_noise',
        group: {},
        params: { normalization: 'none' },
      }),
      1.25,
    );
    // baseline errors: clean 0.75, 1, 1 -> Σ 2; normalised CE 1.25 / 2
    const normalised = find(rows, {
      model: 'm',
      metric: 'corruption_error',
      dataset: 'gaussian_noise',
      group: {},
      params: { normalization: 'baseline' },
    });
    close(normalised.value, 0.625);
    assert.equal(normalised.params.baseline, 'b');
    assert.equal(normalised.params.severities, '1,2');
    close(v({ model: 'm', metric: 'mce', group: {}, params: { normalization: 'none' } }), 1.25);
    close(v({ model: 'm', metric: 'mce', group: {}, params: { normalization: 'baseline' } }), 0.625);
    // relative: (0.5 - 0.25) + (0.75 - 0.25) = 0.75; baseline (1 - 0.75) + (1 - 0.75) = 0.5 -> 1.5
    close(v({ model: 'm', metric: 'relative_mce', group: {}, params: { normalization: 'none' } }), 0.75);
    close(v({ model: 'm', metric: 'relative_mce', group: {}, params: { normalization: 'baseline' } }), 1.5);
    // groups: light errors clean 0, [0.5, 1] -> CE 1.5, relative 1.5; dark clean 0.5, [0.5, 0.5] -> CE 1, relative 0
    close(
      v({ model: 'm', metric: 'mce', group: { skintone: 'light' }, params: { normalization: 'none' } }),
      1.5,
    );
    close(
      v({ model: 'm', metric: 'mce', group: { skintone: 'dark' }, params: { normalization: 'none' } }),
      1,
    );
    close(
      v({
        model: 'm',
        metric: 'mce.difference',
        group: { skintone: '*' },
        params: { normalization: 'none' },
      }),
      0.5,
    );
    close(
      v({
        model: 'm',
        metric: 'relative_mce.difference',
        group: { skintone: '*' },
        params: { normalization: 'none' },
      }),
      1.5,
    );
    const mce = find(rows, { model: 'm', metric: 'mce', group: {}, params: { normalization: 'none' } });
    assert.equal(mce.params.set, 'imagenet-c');
    assert.match(mce.warnings.join('\n'), /over 1 of the 15 ImageNet-C corruptions \(gaussian_noise\)/);
    assert.match(mce.warnings.join('\n'), /severities missing for gaussian_noise/);
  });
});

describe('effective robustness', () => {
  it('is the residual from the logit-linear fit over baselines, labelled as our addition', () => {
    // baselines on the line logit(shift) = logit(id) - 1: (0.5, 1 / (1 + e)), (0.8, 0.8 / (0.8 + 0.2e))
    const e = Math.E;
    const { rows, fits } = evaluateRobustness(datasets, [m], {
      inDistribution: 'clean',
      attributes: ['skintone'],
      metrics: ['effective_robustness'],
      effectiveRobustness: {
        constants: [
          { name: 'r18', inDistribution: 0.5, shifts: { sketch: 1 / (1 + e) } },
          { name: 'r50', inDistribution: 0.8, shifts: { sketch: 0.8 / (0.8 + 0.2 * e) } },
        ],
      },
      bootstrap: { seed: 0, resamples: 0, level: 0.95 },
    });
    close(fits[0]?.slope as number, 1);
    close(fits[0]?.intercept as number, -1);
    // model: id 0.75, sketch 0.25 -> 0.25 - sigmoid(ln 3 - 1) = 0.25 - 3 / (3 + e)
    const row = find(rows, { model: 'm', metric: 'effective_robustness', group: {} });
    close(row.value, 0.25 - 3 / (3 + e));
    assert.equal(row.params.source, 'fairscope addition (Taori et al. 2020), not in SEER');
    assert.ok(row.warnings.includes(EFFECTIVE_ROBUSTNESS_NOTE));
    assert.equal(row.params.baselines, 'r18,r50');
    assert.ok(rows.every((r) => r.metric.startsWith('effective_robustness')));
  });

  it('refits on the baselines` own predictions (per group) and warns with too few', () => {
    // baselines p (id 1, sketch 0.5 in 4 items) and q; with a single baseline there is no fit
    const one = evaluateRobustness(datasets, [m], {
      inDistribution: 'clean',
      attributes: [],
      metrics: ['effective_robustness'],
      effectiveRobustness: { models: ['m'] },
      bootstrap: { seed: 0, resamples: 0, level: 0.95 },
    });
    assert.equal(one.rows.length, 0);
    assert.match(
      one.warnings[0] as string,
      /needs at least 2 baseline models evaluated on it and on clean, got 1/,
    );
    // p: id [1 1 0 0] 0.5, sketch [1 0 0 0] 0.25; q: id [1 1 1 1] clipped to 1 - 0.5/4 = 0.875,
    // sketch [1 1 0 0] 0.5. Fit: slope = (logit .5 - logit .25) / (logit .875 - logit .5) = ln 3 / ln 7,
    // intercept = logit .25 = -ln 3. Model m (id 0.75, sketch 0.25):
    // 0.25 - sigmoid(ln 3 · ln 3 / ln 7 - ln 3)
    const p: EvalModel = {
      id: 'p',
      outcomes: new Map([
        ['clean', outcome([1, 1, 0, 0])],
        ['sketch', outcome([1, 0, 0, 0])],
      ]),
    };
    const q: EvalModel = {
      id: 'q',
      outcomes: new Map([
        ['clean', outcome([1, 1, 1, 1])],
        ['sketch', outcome([1, 1, 0, 0])],
      ]),
    };
    const two = evaluateRobustness(datasets, [m, p, q], {
      inDistribution: 'clean',
      attributes: [],
      metrics: ['effective_robustness'],
      effectiveRobustness: { models: ['p', 'q'] },
      bootstrap: { seed: 0, resamples: 0, level: 0.95 },
    });
    const ln3 = Math.log(3);
    const expected = 0.25 - 1 / (1 + Math.exp(-((ln3 * ln3) / Math.log(7) - ln3)));
    close(find(two.rows, { model: 'm', metric: 'effective_robustness', group: {} }).value, expected, 1e-12);
    assert.match(
      find(two.rows, { model: 'm', metric: 'effective_robustness', group: {} }).warnings.join('\n'),
      /only 2 baseline models/,
    );
  });
});

describe('bootstrap intervals', () => {
  const many = (n: number, k: number, prefix: string): ManifestItem[] =>
    Array.from({ length: n }, (_, i) => ({
      id: `${prefix}${i}`,
      source: 'x',
      labels: ['a'],
      attrs: { g: i % 2 === 0 ? 'x' : 'y' },
      cluster: `${prefix}c${Math.floor(i / k)}`,
    }));
  const items = many(60, 3, 'c');
  const hits = Array.from({ length: 60 }, (_, i) => (i % 3 === 0 ? 0 : 1));

  it('a paired set with the same outcomes has a drop of exactly 0 in every resample; an independent one does not', () => {
    const paired: EvalDataset[] = [
      { name: 'clean', kind: 'in-distribution', pairing: 'p', items },
      { name: 'copy', kind: 'shift', pairing: 'p', items },
    ];
    const uneven = Array.from({ length: 60 }, (_, i) => (i % 7 === 0 || i < 9 ? 0 : 1));
    const model: EvalModel = {
      id: 'm',
      outcomes: new Map([
        ['clean', outcome(uneven)],
        ['copy', outcome(uneven)],
      ]),
    };
    const options = {
      inDistribution: 'clean',
      attributes: [],
      metrics: ['accuracy_drop' as const],
      bootstrap: { seed: 3, resamples: 200, level: 0.95 },
    };
    const a = find(evaluateRobustness(paired, [model], options).rows, {
      metric: 'accuracy_drop',
      params: { k: 1 },
    });
    assert.deepEqual([a.value, ...a.ci], [0, 0, 0]);
    const independent = paired.map((d) => (d.name === 'copy' ? { ...d, pairing: 'q' } : d));
    const c = find(evaluateRobustness(independent, [model], options).rows, {
      metric: 'accuracy_drop',
      params: { k: 1 },
    });
    assert.equal(c.value, 0);
    assert.ok((c.ci[0] as number) < -0.05 && (c.ci[1] as number) > 0.05, `independent interval ${c.ci}`);
  });

  it('resamples clusters, is seeded, and gives gaps an interval', () => {
    const ds: EvalDataset[] = [{ name: 'clean', kind: 'in-distribution', pairing: 'p', items }];
    const model: EvalModel = { id: 'm', outcomes: new Map([['clean', outcome(hits)]]) };
    const run = (seed: number) =>
      evaluateRobustness(ds, [model], {
        inDistribution: 'clean',
        attributes: ['g'],
        metrics: ['top1'],
        bootstrap: { seed, resamples: 300, level: 0.9 },
      }).rows;
    const rows = run(7);
    const top1 = find(rows, { metric: 'top1', group: {} });
    close(top1.value, 40 / 60);
    assert.equal(top1.clusters, 20);
    // every cluster of 3 items holds exactly one miss (i % 3 === 0): all resamples give 2/3
    assert.deepEqual(top1.ci, [40 / 60, 40 / 60]);
    const gap = find(rows, { metric: 'top1.difference', group: { g: '*' } });
    // x: items 0, 2, 4, ... (misses at 0, 6, 12, ...: 10 of 30); y: misses at 3, 9, ... (10 of 30)
    close(gap.value, 0);
    assert.ok((gap.ci[1] as number) > 0, 'the gap varies across resamples');
    assert.deepEqual(run(7), rows);
    assert.notDeepEqual(run(8), rows);
  });
});
