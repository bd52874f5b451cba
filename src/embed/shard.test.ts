/**
 * --shard i/n partitions the manifest by id hash; merging the shard stores gives exactly the store of
 * a single run; merge refuses duplicates, mismatched keys and incomplete shard sets.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { writeManifest } from '../data/manifest.js';
import { mergeStores } from './merge.js';
import { embedManifest } from './run.js';
import { inShard, parseShard, shardOfId } from './shard.js';
import { readFailures, readStoreMeta, readStoreRows } from './store.js';
import { meanPoolExtractor, writeTestImages } from './testing.js';

let root: string;
let manifestPath: string;
let items: ManifestItem[];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairscope-shard-'));
  items = await writeTestImages(join(root, 'images'), 20);
  items.splice(7, 0, { id: 'gone', source: 'gone.png', labels: [], attrs: {} });
  manifestPath = join(root, 'images', 'manifest.jsonl');
  await writeManifest(manifestPath, items);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (out: string, shard?: { index: number; count: number }) =>
  embedManifest({
    extractor: meanPoolExtractor({ logits: true }),
    manifestPath,
    items,
    out,
    batchSize: 3,
    workers: 0,
    shard,
  });

test('parseShard accepts i/n with 0 <= i < n only', () => {
  assert.deepEqual(parseShard('2/5'), { index: 2, count: 5 });
  for (const bad of ['5/5', '1/0', 'a/b', '-1/3', '1'])
    assert.throws(() => parseShard(bad), /--shard must be i\/n/);
});

test('shards partition the ids (each id in exactly one shard, by hash)', () => {
  const ids = Array.from({ length: 200 }, (_, i) => `id-${i}`);
  for (const id of ids) {
    const owners = [0, 1, 2, 3].filter((index) => inShard(id, { index, count: 4 }));
    assert.deepEqual(owners, [shardOfId(id, 4)]);
  }
  // Not degenerate: every shard gets some of 200 ids.
  for (let s = 0; s < 4; s++) assert.ok(ids.some((id) => shardOfId(id, 4) === s));
});

test('merged shards == single run (rows, order, meta, failures)', async () => {
  const single = join(root, 'single');
  await run(single);
  const dirs = [0, 1, 2].map((i) => join(root, `shard-${i}`));
  const summaries = [];
  for (let i = 0; i < 3; i++) summaries.push(await run(dirs[i], { index: i, count: 3 }));
  assert.equal(
    summaries.reduce((s, x) => s + x.items, 0),
    items.length,
  );
  assert.ok(summaries.every((s) => s.items > 0));
  // Merge in a scrambled order: the output order comes from the manifest positions.
  const merged = join(root, 'merged');
  const summary = await mergeStores([dirs[2], dirs[0], dirs[1]], merged);
  assert.equal(summary.count, items.length - 1);
  assert.deepEqual(await readStoreRows(merged), await readStoreRows(single));
  const { provider: _p1, ...m1 } = await readStoreMeta(merged);
  const { provider: _p2, ...m2 } = await readStoreMeta(single);
  assert.deepEqual(m1, m2);
  assert.deepEqual(await readFailures(merged), await readFailures(single));
  assert.equal(await readFile(join(merged, 'embeddings.parquet')).then((b) => b.length > 0), true);
});

test('merge refuses duplicates, missing or repeated shards, and other models', async () => {
  const a = join(root, 'm-a');
  const b = join(root, 'm-b');
  await run(a, { index: 0, count: 2 });
  await run(b, { index: 1, count: 2 });
  await assert.rejects(mergeStores([a], join(root, 'm-out1')), /shard\(s\) 1\/2 missing/);
  await assert.rejects(mergeStores([a, a, b], join(root, 'm-out2')), /is shard 0\/2, as is/);
  await assert.rejects(
    mergeStores([a, join(root, 'single')], join(root, 'm-out3')),
    /cannot be merged with shards|has shard/,
  );
  const other = join(root, 'm-other');
  await embedManifest({
    extractor: meanPoolExtractor({ id: 'other', logits: true }),
    manifestPath,
    items,
    out: other,
    workers: 0,
    shard: { index: 1, count: 2 },
  });
  await assert.rejects(
    mergeStores([a, other], join(root, 'm-out4')),
    /has modelId "other" but .* has "mean-pool"/,
  );
  await assert.rejects(mergeStores([a, b], a), /is also an input/);
  const single = join(root, 'single');
  const copy = join(root, 'single-copy');
  await run(copy);
  await assert.rejects(mergeStores([single, copy], join(root, 'm-out5')), /id "item-0" is also in/);
});
