/** Distances to the nearest selected point against a slow loop, across block shapes and metrics. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coverageOf, nearestSelectedDistances } from './center-distances.js';
import { pointsFromRows } from './points.js';
import { clusteredEmbeddings } from './synthetic.js';

test('nearestSelectedDistances equals the slow minimum over the selected points (any blocking)', async () => {
  const n = 230;
  const dim = 9;
  const { data } = clusteredEmbeddings({ n, dim, clusters: 5, spread: 0.7, seed: 17 });
  const selected = [3, 99, 150, 7, 228, 61, 12];
  for (const metric of ['cosine', 'euclidean'] as const) {
    const points = pointsFromRows(data, n, dim, metric);
    const slow = Array.from({ length: n }, (_, i) => {
      let best = Number.POSITIVE_INFINITY;
      for (const s of selected) {
        let acc = 0;
        for (let t = 0; t < dim; t++) {
          const a = points.data[i * dim + t] as number;
          const b = points.data[s * dim + t] as number;
          acc += metric === 'cosine' ? a * b : (a - b) ** 2;
        }
        best = Math.min(best, metric === 'cosine' ? 1 - acc : Math.sqrt(acc));
      }
      return selected.includes(i) ? 0 : Math.max(0, best);
    });
    for (const [centersPerBlock, columnBlock] of [
      [256, 65536],
      [2, 17],
      [1, 230],
    ] as const) {
      const got = await nearestSelectedDistances(points, selected, {
        centersPerBlock,
        columnBlock,
        threads: 1,
      });
      slow.forEach((v, i) => {
        assert.ok(
          Math.abs((got[i] as number) - v) < 2e-5,
          `${metric} ${centersPerBlock}/${columnBlock} item ${i}: ${got[i]} vs ${v}`,
        );
      });
      const { coverage, radius } = coverageOf(got);
      assert.ok(Math.abs(coverage - slow.reduce((a, b) => a + b, 0) / n) < 1e-5);
      assert.ok(Math.abs(radius - Math.max(...slow)) < 2e-5);
    }
  }
});
