import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { alignToManifest, takeRows } from './align.js';

const items: ManifestItem[] = ['a', 'b', 'c', 'd'].map((id) => ({
  id,
  source: `${id}.png`,
  labels: [],
  attrs: {},
}));
const where = { manifest: 'm.jsonl', store: 'emb/', dataset: 'ds' };

test('rows are matched by id in manifest order; failed images are excluded and reported', () => {
  const a = alignToManifest(items, ['c', 'a', 'd'], where, {
    failures: [{ id: 'b', reason: 'cannot decode' }],
  });
  assert.deepEqual(
    a.items.map((i) => i.id),
    ['a', 'c', 'd'],
  );
  assert.deepEqual([...a.rows], [1, 0, 2]);
  assert.deepEqual(a.excluded, [{ dataset: 'ds', id: 'b', reason: 'cannot decode' }]);
  assert.deepEqual([...takeRows(new Float32Array([1, 2, 3, 4, 5, 6]), 2, a.rows)], [3, 4, 1, 2, 5, 6]);
});

test('ids that do not match: errors with counts and examples', () => {
  assert.throws(
    () => alignToManifest(items, ['a', 'x', 'y', 'b', 'c', 'd'], where),
    /emb\/: field "id" 2 of 6 row id\(s\) are not in the manifest m\.jsonl \(4 items\): "x", "y"/,
  );
  assert.throws(
    () => alignToManifest(items, ['a', 'b'], where),
    /2 of 4 manifest item\(s\) of m\.jsonl have no row and are not listed as failed: "c", "d"\. Pass --allow-missing/,
  );
  assert.throws(() => alignToManifest(items, ['a', 'a'], where), /1 id\(s\) appear more than once: "a"/);
  const allowed = alignToManifest(items, ['a', 'b'], where, { allowMissing: true });
  assert.equal(allowed.excluded.length, 2);
});
