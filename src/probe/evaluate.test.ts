import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { accuracyReport, topKHits } from './evaluate.js';

describe('topKHits', () => {
  it('orders classes by (−score, index): ties favour the lower class', () => {
    // 3 classes. Row 0: scores [1, 1, 0], true class 1: class 0 ties and comes first → rank 1.
    // Row 1: [0, 2, 2], true 2: class 1 ties and comes first → rank 1.
    // Row 2: [5, 1, 3], true 0 → rank 0. Row 3: true class unknown (−1) → miss.
    // Row 4: [NaN, 0, 0], true 0 → miss.
    const scores = [1, 1, 0, 0, 2, 2, 5, 1, 3, 1, 2, 3, Number.NaN, 0, 0];
    const labels = Int32Array.of(1, 2, 0, -1, 0);
    assert.deepEqual(Array.from(topKHits(scores, 5, 3, labels, 1)), [0, 0, 1, 0, 0]);
    assert.deepEqual(Array.from(topKHits(scores, 5, 3, labels, 2)), [1, 1, 1, 0, 0]);
  });

  it('never counts a class without kNN votes (score −Infinity) among the top k', () => {
    const ninf = Number.NEGATIVE_INFINITY;
    // Only class 1 got votes: a true class 0 or 2 is a miss at any k, class 1 a hit.
    assert.deepEqual(Array.from(topKHits([ninf, 0.5, ninf], 1, 3, Int32Array.of(2), 3)), [0]);
    assert.deepEqual(Array.from(topKHits([ninf, 0.5, ninf], 1, 3, Int32Array.of(0), 2)), [0]);
    assert.deepEqual(Array.from(topKHits([ninf, 0.5, ninf], 1, 3, Int32Array.of(1), 1)), [1]);
  });
});

describe('accuracyReport', () => {
  const items: ManifestItem[] = Array.from(
    { length: 8 },
    (_, i): ManifestItem => ({
      id: `i${i}`,
      source: 'x.png',
      labels: [],
      attrs: i === 7 ? {} : { g: i % 2 === 0 ? 'even' : 'odd' },
      cluster: `c${Math.floor(i / 2)}`,
    }),
  );
  // 7 classes so that top-5 is reported. True class 0 for all; item i puts class 0 at rank i.
  const c = 7;
  const scores: number[] = [];
  for (let i = 0; i < 8; i++) {
    for (let k = 0; k < c; k++) scores.push(k === 0 ? 10 - Math.min(i, 6) - 0.5 : 10 - k);
  }
  const labels = new Int32Array(8);

  it('overall top-1 and top-5 are hit counts over items (hand count)', () => {
    const r = accuracyReport(scores, c, items, labels, { seed: 1, resamples: 200 });
    const [top1, top5] = r.overall;
    // Rank of class 0 for item i: i (capped at 6): top-1 hits only item 0; top-5 hits items 0..4.
    assert.equal(top1.metric, 'top1-accuracy');
    assert.equal(top1.value, 1 / 8);
    assert.equal(top5.value, 5 / 8);
    assert.equal(top5.n, 8);
    assert.equal(top5.clusters, 4);
    assert.ok(top5.ci[0] <= top5.value && top5.value <= top5.ci[1]);
  });

  it('groups by attribute, marking items without it as (missing)', () => {
    const r = accuracyReport(scores, c, items, labels, { seed: 1, resamples: 100, ks: [5], groupBy: ['g'] });
    const frame = r.frames[0].frame;
    const byGroup = Object.fromEntries(frame.byGroup.map((m) => [String(m.group.g), m]));
    // even: items 0, 2, 4, 6 → hits 0, 2, 4 = 3/4; odd: 1, 3, 5 → hits 1, 3 = 2/3; (missing): item 7 → 0.
    assert.equal(byGroup.even.value, 3 / 4);
    assert.equal(byGroup.odd.value, 2 / 3);
    assert.equal(byGroup['(missing)'].value, 0);
    assert.ok(Math.abs(frame.difference().value - (3 / 4 - 2 / 3)) < 1e-15);
  });

  it('skips top-k when k ≥ the number of classes (always a hit)', () => {
    const r = accuracyReport([1, 2], 2, items.slice(0, 1), Int32Array.of(0), { seed: 1, resamples: 0 });
    assert.deepEqual(
      r.overall.map((m) => m.metric),
      ['top1-accuracy'],
    );
  });
});
