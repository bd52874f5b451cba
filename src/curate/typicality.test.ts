/** Typicality under euclidean distance against a slow loop, ties in the ranking, and the search switch. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pointsFromRows } from './points.js';
import { EXACT_FLOP_LIMIT, resolveSearch } from './search.js';
import { clusteredEmbeddings } from './synthetic.js';
import { typicality, typicalityOrder } from './typicality.js';

test('euclidean typicality is 1 / mean distance to the k nearest others (slow loop)', async () => {
  const n = 120;
  const dim = 6;
  const { data } = clusteredEmbeddings({ n, dim, clusters: 4, spread: 0.6, seed: 12 });
  const points = pointsFromRows(data, n, dim, 'euclidean');
  const k = 7;
  const res = await typicality(points, { k, search: 'exact', threads: 1 });
  assert.equal(res.k, k);
  for (let i = 0; i < n; i++) {
    const d: number[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < dim; t++) s += ((data[i * dim + t] as number) - (data[j * dim + t] as number)) ** 2;
      d.push(Math.sqrt(s));
    }
    d.sort((a, b) => a - b);
    const mean = d.slice(0, k).reduce((a, b) => a + b, 0) / k;
    assert.ok(
      Math.abs((res.scores[i] as number) * mean - 1) < 1e-4,
      `item ${i}: ${1 / (res.scores[i] as number)} vs ${mean}`,
    );
  }
});

test('typicalityOrder: descending for typical, ascending for unique, ties to the lower index', () => {
  const scores = Float32Array.from([0.5, 0.9, 0.5, 0.1]);
  assert.deepEqual([...typicalityOrder(scores, 'typical')], [1, 0, 2, 3]);
  assert.deepEqual([...typicalityOrder(scores, 'unique')], [3, 0, 2, 1]);
});

test("'auto' search is exact up to EXACT_FLOP_LIMIT multiply-adds, HNSW beyond", () => {
  assert.equal(resolveSearch('auto', 1000, 1000, 256), 'exact');
  const side = Math.floor(Math.sqrt(EXACT_FLOP_LIMIT / 256));
  assert.equal(resolveSearch('auto', side, side, 256), 'exact');
  assert.equal(resolveSearch('auto', side + 1, side + 1, 256), 'hnsw');
  assert.equal(resolveSearch('exact', 1e6, 1e6, 256), 'exact');
});
