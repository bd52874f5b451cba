/** The one join of a manifest with a store: rows by id in manifest order, extras ignored, gaps named. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { embeddedItems, joinStore, takeRows } from './join.js';

const items: ManifestItem[] = ['a', 'b', 'c', 'd'].map((id) => ({
  id,
  source: `${id}.png`,
  labels: [],
  attrs: {},
}));
const where = { manifest: 'm.jsonl', store: 'emb/', dataset: 'ds' };

test('rows are matched by id in manifest order; failed images are excluded and reported', () => {
  const j = joinStore(items, ['c', 'a', 'd'], where, { failures: [{ id: 'b', reason: 'cannot decode' }] });
  assert.deepEqual(
    j.items.map((i) => i.id),
    ['a', 'c', 'd'],
  );
  assert.deepEqual([...j.rows], [1, 0, 2]);
  assert.deepEqual(j.excluded, [{ dataset: 'ds', id: 'b', reason: 'cannot decode' }]);
  assert.deepEqual([...takeRows(new Float32Array([1, 2, 3, 4, 5, 6]), 2, j.rows)], [3, 4, 1, 2, 5, 6]);
});

test('a store may hold more items than the manifest: the manifest selects its rows', () => {
  const j = joinStore(items.slice(0, 2), ['x', 'b', 'a', 'y'], where);
  assert.deepEqual([...j.rows], [2, 1]);
  assert.equal(j.extraRows, 2);
});

test('manifest items without a row, duplicate store ids and an empty join are errors with counts and examples', () => {
  assert.throws(
    () => joinStore(items, ['a', 'b'], where),
    /emb\/: field "id" 2 of 4 manifest item\(s\) of m\.jsonl have no row and are not listed as failed: "c", "d"/,
  );
  assert.throws(() => joinStore(items, ['a', 'a'], where), /1 id\(s\) appear more than once: "a"/);
  assert.throws(() => joinStore(items, [], where, { allowMissing: true }), /no item of m\.jsonl has a row/);
  const allowed = joinStore(items, ['a', 'b'], where, { allowMissing: true });
  assert.deepEqual(
    allowed.excluded.map((f) => [f.id, f.reason]),
    [
      ['c', 'no row in the embedding store'],
      ['d', 'no row in the embedding store'],
    ],
  );
});

test('embedded items gather embeddings and logits in manifest order, without a copy when already in order', () => {
  const set = {
    ids: ['a', 'b', 'c', 'd'],
    dim: 1,
    data: new Float32Array([1, 2, 3, 4]),
    logits: new Float32Array([10, 11, 20, 21, 30, 31, 40, 41]),
    classes: ['p', 'q'],
    modelId: 'm',
  };
  const all = embeddedItems(items, set, where);
  assert.equal(all.embeddings, set.data);
  const some = embeddedItems([items[2] as ManifestItem, items[0] as ManifestItem], set, where);
  assert.deepEqual([...some.embeddings], [3, 1]);
  assert.deepEqual([...(some.logits ?? [])], [30, 31, 10, 11]);
  assert.throws(
    () => embeddedItems(items, { ...set, classes: ['p'] }, where),
    /emb\/: field "classes" 1 class names for logits of 2 columns/,
  );
});
