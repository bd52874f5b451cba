/**
 * embedManifest with a streamed manifest (manifestFile: read again by each pass, never held): the
 * same store as the array path, byte for byte; a resume that gathers rows from parts and from a
 * store of several row groups in another order; a manifest edited during the run is an error; the
 * manifest hash is the value earlier versions wrote.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { manifestFile, writeManifest } from '../data/manifest.js';
import { manifestHash } from './keys.js';
import { listParts } from './parts.js';
import { type EmbedSummary, embedManifest } from './run.js';
import { readStoreMeta, readStoreRows, writeParquetFile } from './store.js';
import { meanPoolExtractor, writeTestImages } from './testing.js';

let root: string;
let imagesDir: string;
let items: ManifestItem[];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairscope-stream-'));
  imagesDir = join(root, 'images');
  items = await writeTestImages(imagesDir, 22);
  items.splice(7, 0, { id: 'missing', source: 'does-not-exist.png', labels: [], attrs: {} });
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Writes a manifest file next to the images. */
async function manifest(name: string, list: readonly ManifestItem[]): Promise<string> {
  const path = join(imagesDir, name);
  await writeManifest(path, list);
  return path;
}

/** Everything a store folder holds, as bytes and parsed meta. */
async function storeFiles(dir: string) {
  return {
    parquet: await readFile(join(dir, 'embeddings.parquet')),
    meta: await readStoreMeta(dir),
    failures: await readFile(join(dir, 'failures.jsonl'), 'utf8'),
  };
}

const counts = (s: EmbedSummary) => ({
  items: s.items,
  reused: s.reused,
  embedded: s.embedded,
  failed: s.failed,
  count: s.count,
  manifestHash: s.manifestHash,
  failures: s.failures,
});

test('a streamed manifest gives the store of the array path: ids, rows, bytes, manifest hash, failures, counts', async () => {
  const manifestPath = await manifest('all.jsonl', items);
  for (const shard of [undefined, { index: 1, count: 3 }]) {
    const run = (source: ManifestItem[] | AsyncIterable<ManifestItem>, out: string) =>
      embedManifest({
        extractor: meanPoolExtractor({ logits: true }),
        manifestPath,
        items: source,
        out,
        batchSize: 3,
        workers: 0,
        ...(shard === undefined ? {} : { shard }),
      });
    const tag = shard === undefined ? 'whole' : 'shard';
    const fromArray = await run(items, join(root, `${tag}-array`));
    const streamed = await run(manifestFile(manifestPath), join(root, `${tag}-stream`));
    assert.deepEqual(counts(streamed), counts(fromArray));
    const a = await storeFiles(join(root, `${tag}-array`));
    const b = await storeFiles(join(root, `${tag}-stream`));
    assert.deepEqual(b, a);
    assert.equal(b.meta.manifestHash, manifestHash(items));
    assert.deepEqual(
      await readStoreRows(join(root, `${tag}-stream`)),
      await readStoreRows(join(root, `${tag}-array`)),
    );
    if (shard === undefined) {
      assert.equal(streamed.failed, 1);
      assert.equal(streamed.count, 22);
      const rows = await readStoreRows(join(root, `${tag}-stream`));
      assert.deepEqual(
        rows.ids,
        items.filter((it) => it.id !== 'missing').map((it) => it.id),
      );
      assert.deepEqual(
        Array.from(rows.itemIndex ?? []),
        items.flatMap((it, i) => (it.id === 'missing' ? [] : [i])),
      );
    }
  }
});

test('a resume gathers rows from parts and from a store of several row groups, in a new order', async () => {
  const out = join(root, 'resume');
  const first = await manifest('first.jsonl', items);
  await embedManifest({
    extractor: meanPoolExtractor(),
    manifestPath: first,
    items: manifestFile(first),
    out,
    workers: 0,
  });
  // The same store cut into row groups of 5 rows, so the rows come from several groups.
  await writeParquetFile(join(out, 'embeddings.parquet'), await readStoreRows(out), 5);

  // Reversed, one item edited, one added: three items to embed, the others reused out of order.
  const edited = [...items]
    .reverse()
    .map((it) => (it.id === 'item-2' ? { ...it, source: items[12].source } : it));
  edited.splice(5, 0, { id: 'new', source: items[4].source, labels: [], attrs: {} });
  const second = await manifest('second.jsonl', edited);
  const crashing = meanPoolExtractor({
    beforeBatch: () => {
      if (crashing.calls === 2) throw new Error('simulated crash');
    },
  });
  const opts = { manifestPath: second, items: manifestFile(second), out, batchSize: 1, workers: 0 };
  await assert.rejects(embedManifest({ ...opts, extractor: crashing }), /simulated crash/);
  assert.equal((await listParts(out)).length, 1);

  const resumed = await embedManifest({ ...opts, extractor: meanPoolExtractor() });
  assert.equal(resumed.reused, 22, '21 rows of the store and one part');
  assert.equal(resumed.embedded, 1);
  assert.equal(resumed.failed, 1, 'the missing image, retried and failed again');

  const reference = join(root, 'resume-reference');
  await embedManifest({
    ...opts,
    items: edited,
    out: reference,
    batchSize: 4,
    extractor: meanPoolExtractor(),
  });
  assert.deepEqual(await readStoreRows(out), await readStoreRows(reference));
  assert.deepEqual(await storeFiles(out), await storeFiles(reference));
});

test('a manifest that changes between the reads of a run is an error; a generator is refused', async () => {
  const manifestPath = await manifest('changing.jsonl', items);
  let reads = 0;
  const changing: AsyncIterable<ManifestItem> = {
    async *[Symbol.asyncIterator]() {
      reads++;
      yield* reads === 1 ? items : items.slice(1);
    },
  };
  const base = { extractor: meanPoolExtractor(), manifestPath, workers: 0 };
  await assert.rejects(
    embedManifest({ ...base, items: changing, out: join(root, 'changing') }),
    /changing\.jsonl: changed while it was embedded \(23 items, hash [0-9a-f]{16}; now 22 items/,
  );
  async function* once() {
    yield* items;
  }
  await assert.rejects(embedManifest({ ...base, items: once(), out: join(root, 'once') }), /not a generator/);
  const none: AsyncIterable<ManifestItem> = { async *[Symbol.asyncIterator]() {} };
  await assert.rejects(
    embedManifest({ ...base, items: none, out: join(root, 'none') }),
    /changing\.jsonl: the manifest is empty/,
  );
});

test('the manifest hash is the value earlier versions computed (a store they wrote stays up to date)', () => {
  const pinned: ManifestItem[] = [
    { id: 'a', source: 'a.png', labels: ['x', 'y'], attrs: { gender: 'f', age: 31 }, cluster: 'h1' },
    {
      id: 'b/ü',
      source: '/abs/b.jpg',
      bbox: [1, 2, 30.5, 40],
      roi: 'miap-square',
      labels: [],
      attrs: { z: 'é', a: 1 },
    },
    { id: 'c', source: 'c.png', labels: [], attrs: {} },
  ];
  assert.equal(manifestHash(pinned), 'a9417fd956c81666');
});
