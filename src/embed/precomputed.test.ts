import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { EmbeddingSet, ManifestItem } from '../core/types.js';
import { storePrecomputed } from './precomputed.js';
import { readEmbeddings, readStoreMeta, readStoreRows } from './store.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairscope-pre-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const items: ManifestItem[] = ['a', 'b', 'c', 'd'].map((id) => ({
  id,
  source: `${id}.jpg`,
  labels: [],
  attrs: {},
}));
// Rows in another order than the manifest: the store follows the manifest.
const set = (): EmbeddingSet => ({
  ids: ['c', 'a', 'd', 'b'],
  dim: 2,
  data: Float32Array.from([3, 3.5, 1, 1.5, 4, 4.5, 2, 2.5]),
  modelId: 'clip-precomputed',
});
const opts = (s: EmbeddingSet, out: string) => ({
  set: s,
  source: 'emb.npy',
  manifestPath: 'm.jsonl',
  items,
  out,
});

test('writes the store in manifest order with provider "precomputed"', async () => {
  const out = join(root, 'ok');
  assert.equal(await storePrecomputed(opts(set(), out)), 4);
  const back = await readEmbeddings(out);
  assert.deepEqual(back.ids, ['a', 'b', 'c', 'd']);
  assert.deepEqual(Array.from(back.data), [1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5]);
  const meta = await readStoreMeta(out);
  assert.equal(meta.provider, 'precomputed');
  assert.deepEqual(Array.from((await readStoreRows(out)).itemIndex ?? []), [0, 1, 2, 3]);
});

test('missing and extra ids are an error with counts and examples', async () => {
  const s = set();
  s.ids = ['c', 'a', 'x', 'y'];
  await assert.rejects(
    storePrecomputed(opts(s, join(root, 'ids'))),
    /emb\.npy: field "id" does not match the manifest: 2 manifest id\(s\) have no embedding \("b", "d"\); 2 embedding id\(s\) are not in m\.jsonl \("x", "y"\)/,
  );
});

test('NaN or infinite rows are an error naming the ids', async () => {
  const s = set();
  s.data[2] = Number.NaN;
  s.data[7] = Number.POSITIVE_INFINITY;
  await assert.rejects(
    storePrecomputed(opts(s, join(root, 'nan'))),
    /NaN or infinite values in 2 row\(s\): "a", "b"/,
  );
});

test('duplicate ids are an error', async () => {
  const s = set();
  s.ids = ['a', 'a', 'd', 'b'];
  await assert.rejects(storePrecomputed(opts(s, join(root, 'dup'))), /1 duplicate id\(s\): "a"/);
});
