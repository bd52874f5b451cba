/**
 * k-center greedy against the textbook loop written out slowly here (float64 distances, argmax with
 * ties to the lowest index), for both metrics, both first picks, many batch shapes, and quotas.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { kCenterGreedy } from './kcenter.js';
import { type DistanceMetric, type PointMatrix, pointsFromRows } from './points.js';
import { QuotaTracker } from './quotas.js';
import { clusteredEmbeddings } from './synthetic.js';

function distance(p: PointMatrix, i: number, j: number): number {
  let s = 0;
  for (let t = 0; t < p.dim; t++) {
    const a = p.data[i * p.dim + t] as number;
    const b = p.data[j * p.dim + t] as number;
    s += p.metric === 'cosine' ? a * b : (a - b) * (a - b);
  }
  return p.metric === 'cosine' ? 1 - s : Math.sqrt(s);
}

/**
 * Textbook k-center greedy. `open(picks so far, group counts)` says which groups may be picked
 * (exact quotas: a group is open while under its quota).
 */
function referenceKCenter(
  p: PointMatrix,
  budget: number,
  first: number,
  group: (i: number) => number = () => 0,
  quotas: number[] = [budget],
): { order: number[]; coverage: number } {
  const nearest = new Float64Array(p.n).fill(Number.POSITIVE_INFINITY);
  const picked = new Set<number>();
  const counts = quotas.map(() => 0);
  const order: number[] = [];
  let next = first;
  while (order.length < budget) {
    order.push(next);
    picked.add(next);
    counts[group(next)] = (counts[group(next)] as number) + 1;
    for (let i = 0; i < p.n; i++) nearest[i] = Math.min(nearest[i] as number, distance(p, i, next));
    let best = -1;
    for (let i = 0; i < p.n; i++) {
      if (picked.has(i) || (counts[group(i)] as number) >= (quotas[group(i)] as number)) continue;
      if (best < 0 || (nearest[i] as number) > (nearest[best] as number)) best = i;
    }
    next = best;
  }
  for (const i of picked) nearest[i] = 0;
  return { order, coverage: nearest.reduce((a, b) => a + b, 0) / p.n };
}

function randomPoints(n: number, dim: number, metric: DistanceMetric, seed: number): PointMatrix {
  const { data } = clusteredEmbeddings({ n, dim, clusters: 7, spread: 0.8, seed });
  return pointsFromRows(data, n, dim, metric);
}

test('k-center greedy picks exactly what the textbook loop picks (cosine and euclidean, any batching)', async () => {
  for (const metric of ['cosine', 'euclidean'] as const) {
    const p = randomPoints(240, 12, metric, metric === 'cosine' ? 1 : 2);
    const budget = 30;
    const first = new Rng(5).int(p.n); // the documented random first pick: uniform over open points
    const ref = referenceKCenter(p, budget, first);
    for (const [maxCandidates, columnBlock] of [
      [1, 1 << 16],
      [3, 50],
      [64, 1 << 16],
      [8, 7],
    ] as const) {
      const res = await kCenterGreedy(p, budget, { seed: 5, maxCandidates, threads: 1, columnBlock });
      assert.deepEqual(
        res.order,
        ref.order,
        `${metric}, ${maxCandidates} candidates, column block ${columnBlock}`,
      );
      assert.ok(Math.abs(res.coverage - ref.coverage) < 1e-5, `${res.coverage} vs ${ref.coverage}`);
      assert.ok(res.candidateRows >= budget);
      // the covering radius only shrinks
      for (let s = 2; s < budget; s++)
        assert.ok((res.pickDistances[s] as number) <= (res.pickDistances[s - 1] as number) + 1e-6);
      assert.ok(
        Math.abs(
          (res.pickDistances[1] as number) - distance(p, ref.order[0] as number, ref.order[1] as number),
        ) < 1e-5,
      );
    }
  }
});

test("first pick 'mean' is the point nearest the mean (cosine: largest dot with it)", async () => {
  const p = randomPoints(150, 6, 'cosine', 3);
  const mean = new Float64Array(p.dim);
  for (let i = 0; i < p.n; i++)
    for (let t = 0; t < p.dim; t++) mean[t] = (mean[t] as number) + (p.data[i * p.dim + t] as number) / p.n;
  let best = 0;
  let bestDot = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < p.n; i++) {
    let dot = 0;
    for (let t = 0; t < p.dim; t++) dot += (p.data[i * p.dim + t] as number) * (mean[t] as number);
    if (dot > bestDot) {
      bestDot = dot;
      best = i;
    }
  }
  const res = await kCenterGreedy(p, 12, { first: 'mean', threads: 1 });
  assert.equal(res.order[0], best);
  assert.deepEqual(res.order, referenceKCenter(p, 12, best).order);
});

test('the same seed gives the same selection; another seed another first pick', async () => {
  const p = randomPoints(200, 8, 'cosine', 4);
  const a = await kCenterGreedy(p, 20, { seed: 11, threads: 1 });
  const b = await kCenterGreedy(p, 20, { seed: 11, threads: 1, maxCandidates: 5 });
  const c = await kCenterGreedy(p, 20, { seed: 12, threads: 1 });
  assert.deepEqual(a.order, b.order);
  assert.notEqual(a.order[0], c.order[0]);
});

test('with exact quotas every pick is the farthest point of an open group, and quotas are met exactly', async () => {
  const p = randomPoints(300, 10, 'cosine', 6);
  const group = (i: number) => (i % 10 < 6 ? 0 : i % 10 < 9 ? 1 : 2); // 60% / 30% / 10%
  const quotas = [7, 7, 6];
  const slots = Int32Array.from({ length: p.n }, (_, i) => group(i) + 1);
  const quota = new QuotaTracker(quotas, quotas, 20);
  // the first pick is uniform over the open points: all of them here
  const first = new Rng(2).int(p.n);
  const res = await kCenterGreedy(p, 20, { seed: 2, slots, quota, maxCandidates: 4, threads: 1 });
  assert.deepEqual(res.order, referenceKCenter(p, 20, first, group, quotas).order);
  const counts = [0, 0, 0];
  for (const i of res.order) counts[group(i)] = (counts[group(i)] as number) + 1;
  assert.deepEqual(counts, quotas);
});

test('points with slot 0 are never picked but are covered', async () => {
  const p = randomPoints(100, 5, 'euclidean', 8);
  const slots = Int32Array.from({ length: p.n }, (_, i) => (i < 50 ? 0 : 1));
  const res = await kCenterGreedy(p, 10, { slots, threads: 1 });
  assert.ok(res.order.every((i) => i >= 50));
  let sum = 0;
  for (let i = 0; i < p.n; i++) sum += Math.min(...res.order.map((s) => distance(p, i, s)));
  assert.ok(Math.abs(res.coverage - sum / p.n) < 1e-4, `${res.coverage} vs ${sum / p.n}`);
});

test('ties go to the lowest index (unit vectors and exact duplicates, worked by hand)', async () => {
  // rows 0..5 are e0..e5, rows 6..11 repeat them: distances are exactly 1 (different axis) or 0
  const dim = 6;
  const data = new Float32Array(12 * dim);
  for (let i = 0; i < 12; i++) data[i * dim + (i % dim)] = 1;
  const p = pointsFromRows(data, 12, dim, 'cosine');
  // mean = (1/6, ..., 1/6): every row is equally near, so the first pick is row 0; then rows 1..5
  // are all at distance 1 (lowest first), then rows 6..11 are all at distance 0 (lowest first)
  for (const maxCandidates of [1, 2, 64]) {
    const res = await kCenterGreedy(p, 8, { first: 'mean', maxCandidates, threads: 1 });
    assert.deepEqual(res.order, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(res.coverage, 0);
  }
});
