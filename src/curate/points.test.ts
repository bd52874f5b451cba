/** Matching a manifest with its embeddings: reordering, normalisation, and the bad inputs named. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError } from '../core/errors.js';
import type { EmbeddingSet, ManifestItem } from '../core/types.js';
import { alignEmbeddings } from './points.js';

const item = (id: string): ManifestItem => ({ id, source: `${id}.png`, labels: [], attrs: {} });

function set(ids: string[], rows: number[][]): EmbeddingSet {
  return { ids, dim: rows[0]?.length ?? 0, data: Float32Array.from(rows.flat()), modelId: 'm' };
}

test('rows come out in manifest order, L2-normalised for cosine, raw with squared norms for euclidean', () => {
  const manifest = [item('a'), item('b')];
  const emb = set(
    ['b', 'a'],
    [
      [0, 2],
      [3, 4],
    ],
  );
  const cos = alignEmbeddings(manifest, emb, { metric: 'cosine' }).points;
  assert.deepEqual([...cos.data], [3 / 5, 4 / 5, 0, 1].map(Math.fround));
  assert.deepEqual([...cos.squaredNorms], [1, 1]);
  const euc = alignEmbeddings(manifest, emb, { metric: 'euclidean' }).points;
  assert.deepEqual([...euc.data], [3, 4, 0, 2]);
  assert.deepEqual([...euc.squaredNorms], [25, 4]);
  // the input is not modified unless asked
  assert.deepEqual([...emb.data], [0, 2, 3, 4]);
});

test('in place: the store matrix itself is normalised when already in manifest order', () => {
  const emb = set(
    ['a', 'b'],
    [
      [3, 4],
      [0, 2],
    ],
  );
  const { points } = alignEmbeddings([item('a'), item('b')], emb, { inPlace: true });
  assert.equal(points.data, emb.data);
  assert.deepEqual([...emb.data], [3 / 5, 4 / 5, 0, 1].map(Math.fround));
});

test('the manifest selects its rows; manifest items without a row: counts and examples', () => {
  const manifest = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map(item);
  const emb = set(['a', 'x', 'y'], [[1], [1], [1]]);
  assert.throws(
    () => alignEmbeddings(manifest, emb, { source: 'E/embeddings.parquet' }),
    (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.field, 'id');
      assert.match(
        err.message,
        /^E\/embeddings\.parquet: field "id" 6 of 7 manifest item\(s\) of the manifest have no row and are not listed as failed: "b", "c", "d", "e", "f", \.\.\./,
      );
      return true;
    },
  );
  const subset = alignEmbeddings([item('a')], emb, { source: 'E' });
  assert.deepEqual(
    subset.items.map((i) => i.id),
    ['a'],
  );
  assert.equal(subset.points.n, 1);
});

test('items listed as embedding failures are left out and reported, not errors', () => {
  const res = alignEmbeddings([item('a'), item('b'), item('c')], set(['a', 'c'], [[1], [2]]), {
    failedIds: new Set(['b']),
  });
  assert.deepEqual(
    res.items.map((i) => i.id),
    ['a', 'c'],
  );
  assert.deepEqual(res.excludedFailures, ['b']);
});

test('NaN, infinite and all-zero embeddings are errors naming the ids', () => {
  const manifest = ['a', 'b', 'c', 'd'].map(item);
  const emb = set(
    ['a', 'b', 'c', 'd'],
    [
      [1, 0],
      [Number.NaN, 1],
      [0, 0],
      [Number.POSITIVE_INFINITY, 0],
    ],
  );
  assert.throws(
    () => alignEmbeddings(manifest, emb, { source: 'S' }),
    (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.field, 'embedding');
      assert.match(
        err.message,
        /2 row\(s\) contain NaN or infinite values \("b", "d"\); 1 row\(s\) are all zeros \("c"\)/,
      );
      return true;
    },
  );
});

test('duplicate ids in the store are an error', () => {
  assert.throws(
    () => alignEmbeddings([item('a')], set(['a', 'a'], [[1], [2]])),
    /1 id\(s\) appear more than once: "a"/,
  );
});
