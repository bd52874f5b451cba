import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { exactKnn, exactKnnReference } from './knn.js';

test('exactKnn equals the stable full ranking, ties included, across blocks', async () => {
  // Small integer vectors: every inner product is exact in float32, and duplicated database rows
  // give exact ties that must go to the lower index.
  const rng = new Rng(12);
  const dim = 6;
  const nd = 300;
  const nq = 45;
  const database = new Float32Array(nd * dim);
  for (let i = 0; i < nd; i++) {
    if (i % 7 === 3 && i > 10) database.set(database.subarray((i - 10) * dim, (i - 9) * dim), i * dim);
    else for (let t = 0; t < dim; t++) database[i * dim + t] = rng.int(7) - 3;
  }
  const queries = Float32Array.from({ length: nq * dim }, () => rng.int(5) - 2);
  const k = 50;
  const expected = exactKnnReference(queries, nq, database, nd, dim, k);
  const got = await exactKnn(queries, nq, database, nd, dim, k, {
    queryBlock: 16,
    databaseBlock: 64,
    threads: 1,
  });
  assert.deepEqual([...got.indices], [...expected.indices]);
  assert.deepEqual([...got.scores], [...expected.scores]);
  // the data really has ties inside the top k
  let ties = 0;
  for (let q = 0; q < nq; q++)
    for (let r = 1; r < k; r++) if (got.scores[q * k + r] === got.scores[q * k + r - 1]) ties++;
  assert.ok(ties > 100, `ties ${ties}`);
});

test('exactKnn with one block and progress reports', async () => {
  const queries = new Float32Array([1, 0, 0, 1]);
  const database = new Float32Array([0, 1, 1, 0, 0.5, 0.5]);
  const done: number[] = [];
  const got = await exactKnn(queries, 2, database, 3, 2, 2, { onProgress: (n) => done.push(n) });
  assert.deepEqual([...got.indices], [1, 2, 0, 2]);
  assert.deepEqual(done, [2]);
});
