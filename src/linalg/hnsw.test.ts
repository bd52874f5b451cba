import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { HnswIndex, hnswKnn, recallAtK } from './hnsw.js';
import { exactKnnReference, type KnnResult } from './knn.js';
import { l2NormalizeRows } from './normalize.js';

/** `m` random unit vectors of `dim` (row-major). */
function unitVectors(rng: Rng, m: number, dim: number): Float32Array {
  return l2NormalizeRows(
    Float32Array.from({ length: m * dim }, () => rng.normal()),
    m,
    dim,
  ).data;
}

test('recallAtK: share of exact neighbours found, per row then averaged', () => {
  const exact: KnnResult = { k: 2, indices: new Int32Array([1, 2, 3, 4]), scores: new Float32Array(4) };
  const approx: KnnResult = { k: 2, indices: new Int32Array([2, 9, 3, 4]), scores: new Float32Array(4) };
  // row 0: {1,2} vs {2,9} -> 1/2; row 1: {3,4} vs {3,4} -> 1
  assert.equal(recallAtK(approx, exact, 2), 0.75);
  // exact computed for query 1 only
  const exactRow1: KnnResult = { k: 2, indices: new Int32Array([3, 4]), scores: new Float32Array(2) };
  assert.equal(recallAtK(approx, exactRow1, 2, [1]), 1);
  // k = 1: row 0: {1} vs {2} -> 0; row 1: {3} vs {3} -> 1
  assert.equal(recallAtK(approx, exact, 1), 0.5);
});

test('hnswKnn finds nearly all exact neighbours on clustered data', async () => {
  const rng = new Rng(5);
  const dim = 16;
  const centers = Array.from({ length: 20 }, () => Array.from({ length: dim }, () => rng.normal()));
  const sample = (n: number) => {
    const x = new Float32Array(n * dim);
    for (let i = 0; i < n; i++) {
      const c = centers[rng.int(centers.length)] as number[];
      for (let t = 0; t < dim; t++) x[i * dim + t] = (c[t] as number) + 0.3 * rng.normal();
    }
    return l2NormalizeRows(x, n, dim).data;
  };
  const database = sample(2000);
  const queries = sample(50);
  const k = 10;
  const approx = await hnswKnn(queries, 50, database, 2000, dim, k, { threads: 1 });
  const exact = exactKnnReference(queries, 50, database, 2000, dim, k);
  const recall = recallAtK(approx, exact, k);
  assert.ok(recall > 0.9, `recall ${recall}`);
  // scores are inner products, best first
  for (let q = 0; q < 50; q++) {
    for (let r = 1; r < k; r++)
      assert.ok((approx.scores[q * k + r - 1] as number) >= (approx.scores[q * k + r] as number));
  }
});

test('HnswIndex.search at another efSearch equals a fresh build with that efSearch', async () => {
  const rng = new Rng(9);
  const dim = 8;
  const n = 1500;
  const nq = 40;
  const database = unitVectors(rng, n, dim);
  const queries = unitVectors(rng, nq, dim);
  const k = 10;
  const index = await HnswIndex.build(database, n, dim, { threads: 1, connectivity: 4, expansionAdd: 16 });
  try {
    const exact = exactKnnReference(queries, nq, database, n, dim, k);
    const recalls: number[] = [];
    for (const ef of [10, 200]) {
      const swept = await index.search(queries, nq, k, ef);
      // the reload keeps the graph: same answers as an index built with this efSearch from the start
      const fresh = await hnswKnn(queries, nq, database, n, dim, k, {
        threads: 1,
        connectivity: 4,
        expansionAdd: 16,
        expansionSearch: ef,
      });
      assert.deepEqual(swept.indices, fresh.indices);
      recalls.push(recallAtK(swept, exact, k));
    }
    // uniform vectors with a sparse graph: the wider search must find more true neighbours
    assert.ok((recalls[1] as number) > (recalls[0] as number), `recalls ${recalls}`);
  } finally {
    index.dispose();
  }
});

test('with the default threads, every run gives the same neighbours (one-thread build, parallel search)', async () => {
  const rng = new Rng(3);
  const dim = 16;
  const n = 6000;
  const nq = 3000;
  const database = unitVectors(rng, n, dim);
  const queries = unitVectors(rng, nq, dim);
  // A sparse graph and a narrow search, so that any change in the graph changes the neighbours.
  const options = { connectivity: 6, expansionAdd: 24, expansionSearch: 16 };
  const runs = [];
  for (let r = 0; r < 3; r++) runs.push(await hnswKnn(queries, nq, database, n, dim, 10, options));
  assert.deepEqual(runs[1]?.indices, runs[0]?.indices);
  assert.deepEqual(runs[2]?.indices, runs[0]?.indices);
  assert.deepEqual(runs[1]?.scores, runs[0]?.scores);
  // A parallel search of the same graph answers as a one-thread search.
  const single = await hnswKnn(queries, nq, database, n, dim, 10, { ...options, threads: 1 });
  assert.deepEqual(single.indices, runs[0]?.indices);
});
