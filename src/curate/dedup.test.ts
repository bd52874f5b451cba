/**
 * Near-duplicate clusters on clustered embeddings with planted noisy copies: precision and recall of
 * the duplicate pairs against the planted ones, by exact search and by HNSW; chaining, the
 * representative rules, pHash-only links, and leakage between two sets.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { centralMember, type DedupResult, findDuplicates } from './dedup.js';
import { findLeaks } from './leakage.js';
import type { ImageHashes } from './phash.js';
import { pointsFromRows } from './points.js';
import { clusteredEmbeddings, plantDuplicates } from './synthetic.js';
import { UnionFind } from './union-find.js';

/** Pairs (i < j) inside the same cluster. */
function foundPairs(res: DedupResult): Set<string> {
  const out = new Set<string>();
  for (const c of res.clusters) {
    for (let a = 0; a < c.members.length; a++) {
      for (let b = a + 1; b < c.members.length; b++) out.add(`${c.members[a]}-${c.members[b]}`);
    }
  }
  return out;
}

function precisionRecall(
  found: Set<string>,
  planted: [number, number][],
): { precision: number; recall: number } {
  const truth = new Set(planted.map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`));
  let hit = 0;
  for (const p of found) if (truth.has(p)) hit++;
  return { precision: found.size === 0 ? 1 : hit / found.size, recall: hit / truth.size };
}

test('planted near-duplicates are found with precision and recall 1 (exact search and HNSW)', async () => {
  const n = 3000;
  const dim = 32;
  const { data } = clusteredEmbeddings({ n, dim, clusters: 40, spread: 0.6, seed: 21 });
  // noise 0.1: cosine about 0.995 to the original; unrelated points in one cluster are near 0.73
  const planted = plantDuplicates(data, n, dim, 150, 0.1, 22);
  const points = pointsFromRows(data, n, dim);
  for (const search of ['exact', 'hnsw'] as const) {
    const res = await findDuplicates(points, { threshold: 0.95, search, threads: 1 });
    assert.equal(res.method, search);
    const { precision, recall } = precisionRecall(foundPairs(res), planted);
    assert.equal(precision, 1, `${search}: precision ${precision}`);
    assert.equal(recall, 1, `${search}: recall ${recall}`);
    assert.equal(res.removedCount, 150);
    assert.equal(res.clusters.length, 150);
    for (const c of res.clusters) {
      assert.equal(c.representative, c.members[0]);
      assert.deepEqual(c.via, ['embedding']);
      assert.ok(c.minSimilarity >= 0.95);
    }
  }
  // a smaller HNSW candidate list (faster search) still finds every planted copy here
  const quick = await findDuplicates(points, { threshold: 0.95, search: 'hnsw', efSearch: 32, threads: 1 });
  assert.deepEqual(precisionRecall(foundPairs(quick), planted), { precision: 1, recall: 1 });
  // a looser threshold admits ordinary neighbours: precision drops, recall stays
  const loose = await findDuplicates(points, { threshold: 0.7, search: 'exact', threads: 1 });
  const pr = precisionRecall(foundPairs(loose), planted);
  assert.equal(pr.recall, 1);
  assert.ok(pr.precision < 1, `precision ${pr.precision} at threshold 0.7`);
});

test('clusters chain through links; the representative is the lowest index or the most central member', async () => {
  // three points on a line of unit vectors: a~b and b~c above the threshold, a~c below it
  const angle = (deg: number) => [Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180), 0];
  const rows = [angle(0), [0, 0, 1], angle(15), angle(30)];
  const points = pointsFromRows(Float32Array.from(rows.flat()), 4, 3);
  // cos 15 deg = 0.966 >= 0.95 > cos 30 deg = 0.866
  const first = await findDuplicates(points, { threshold: 0.95, search: 'exact', threads: 1 });
  assert.deepEqual(
    first.clusters.map((c) => c.members),
    [[0, 2, 3]],
  );
  assert.equal(first.clusters[0]?.representative, 0);
  assert.deepEqual([...first.removed], [0, 0, 1, 1]);
  const central = await findDuplicates(points, {
    threshold: 0.95,
    search: 'exact',
    representative: 'central',
    threads: 1,
  });
  assert.equal(central.clusters[0]?.representative, 2); // the middle of the chain
  assert.deepEqual([...central.removed], [1, 0, 0, 1]);
  // centralMember: mean similarity to the others, the slow way
  const members = [0, 2, 3];
  const dot = (i: number, j: number) =>
    rows[i]?.reduce((s, v, t) => s + v * (rows[j]?.[t] as number), 0) as number;
  const mean = members.map((m) => members.filter((o) => o !== m).reduce((s, o) => s + dot(m, o), 0) / 2);
  assert.equal(centralMember(points.data, 3, members), members[mean.indexOf(Math.max(...mean))]);
});

test('pHash links join items the embeddings keep apart', async () => {
  const points = pointsFromRows(Float32Array.from([1, 0, 0, 1, 0.7, 0.7, -1, 0]), 4, 2);
  const hashes: ImageHashes = {
    hi: Uint32Array.from([1, 2, 0xff00ff00, 2]),
    lo: Uint32Array.from([0, 0, 0, 1]),
    valid: Uint8Array.from([1, 1, 1, 1]),
    failures: [],
  };
  // items 1 and 3: 1 bit apart; items 0 and 1: 2 bits (0b01 vs 0b10); item 2 far from all
  const res = await findDuplicates(points, {
    threshold: 0.99,
    search: 'exact',
    phash: { hashes, maxDistance: 1 },
    threads: 1,
  });
  assert.deepEqual(
    res.clusters.map((c) => [c.members, c.via, c.minSimilarity]),
    [[[1, 3], ['phash'], Number.NaN]],
  );
  assert.deepEqual(res.phashLinks, [[1, 3, 1]]);
});

test('UnionFind: roots are the lowest index whatever the order of unions', () => {
  const a = new UnionFind(6);
  a.union(5, 3);
  a.union(3, 4);
  a.union(1, 0);
  const b = new UnionFind(6);
  b.union(4, 3);
  b.union(0, 1);
  b.union(3, 5);
  for (const uf of [a, b]) {
    assert.deepEqual(uf.components(2), [
      [0, 1],
      [3, 4, 5],
    ]);
    assert.equal(uf.find(5), 3);
  }
  assert.deepEqual(a.components(1), [[0, 1], [2], [3, 4, 5]]);
});

test('leakage: planted test copies of training items are found, and nothing else', async () => {
  const dim = 24;
  const { data } = clusteredEmbeddings({ n: 1200, dim, clusters: 30, spread: 0.6, seed: 31 });
  const train = data.slice(0, 1000 * dim);
  const test = data.slice(1000 * dim);
  // test items 0, 10, ..., 190 become noisy copies of training items 7, 17, ...
  const planted: [number, number][] = [];
  const both = new Float32Array(1200 * dim);
  both.set(train);
  both.set(test, 1000 * dim);
  for (let q = 0; q < 200; q += 10) {
    const src = q * 3 + 7;
    both.copyWithin((1000 + q) * dim, src * dim, (src + 1) * dim);
    planted.push([src, q]);
  }
  // a little distortion on the copies (not exact copies)
  for (let q = 0; q < 200; q += 10)
    for (let t = 0; t < dim; t++)
      both[(1000 + q) * dim + t] = (both[(1000 + q) * dim + t] as number) * (1 + 0.01 * Math.sin(t + q));
  const trainPoints = pointsFromRows(both.slice(0, 1000 * dim), 1000, dim);
  const testPoints = pointsFromRows(both.slice(1000 * dim), 200, dim);
  const res = await findLeaks(trainPoints, testPoints, { threshold: 0.95, search: 'exact', threads: 1 });
  const found = res.leaks.map((l) => [l.train, l.test]);
  const tp = found.filter(([a, b]) => planted.some(([x, y]) => x === a && y === b)).length;
  const precision = tp / found.length;
  const recall = tp / planted.length;
  assert.equal(precision, 1);
  assert.equal(recall, 1);
  assert.ok(res.leaks.every((l) => l.similarity >= 0.95 && l.via.join() === 'embedding'));
  assert.equal(res.tested, 200);
});
