/**
 * consolidatedChunks over RowSources: rows of part files and of a store of several row groups,
 * planned through a DoneIndex as embed plans them, come out in manifest order, in chunks of the
 * size asked for, with the manifest's ids and positions and each row's own values.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import type { EmbeddingRows } from './columns.js';
import { consolidatedChunks } from './consolidate.js';
import { DoneIndex } from './done-index.js';
import { itemKey } from './keys.js';
import { ManifestReads } from './manifest-reads.js';
import { type StoreKey, writePart } from './parts.js';
import { RowPlan, SKIPPED, TODO } from './row-plan.js';
import { RowSources } from './row-sources.js';
import { EMBEDDINGS_FILE, writeParquetFile } from './store.js';

const root = await mkdtemp(join(tmpdir(), 'fairscope-consolidate-'));
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const KEY: StoreKey = { modelId: 'm', preprocessHash: 'p', dim: 3, logitsDim: 2 };
const item = (i: number): ManifestItem => ({ id: `r${i}`, source: `s${i}.png`, labels: [], attrs: {} });

/** Rows of items `from` .. `to` - 1: embedding [i, i + 0.5, -i], logits [i, 2i]. */
function rowsOf(from: number, to: number): EmbeddingRows {
  const idx = Array.from({ length: to - from }, (_, k) => from + k);
  return {
    ids: idx.map((i) => `r${i}`),
    dim: 3,
    data: Float32Array.from(idx.flatMap((i) => [i, i + 0.5, -i])),
    logitsDim: 2,
    logits: Float32Array.from(idx.flatMap((i) => [i, 2 * i])),
    itemKeys: idx.map((i) => itemKey(item(i))),
    itemIndex: Int32Array.from(idx),
  };
}

test('rows of parts and of several store row groups come out in manifest order, chunk by chunk', async () => {
  const dir = join(root, 'store');
  await mkdir(dir, { recursive: true });
  await writePart(dir, rowsOf(0, 3));
  await writePart(dir, rowsOf(3, 5));
  await writeParquetFile(join(dir, EMBEDDINGS_FILE), rowsOf(5, 12), 3);

  const order = [9, 1, -1, 5, 11, 0, -2, 3, 10, 2, 4, 6, 7, 8];
  const manifest = order.map((i) =>
    i >= 0 ? item(i) : { ...item(100 - i), id: i === -1 ? 'other-shard' : 'failed' },
  );
  const done = new DoneIndex();
  const sources = await RowSources.open(dir, true, KEY, (id, k, row) => done.add(id, k, row));
  assert.equal(done.rows, 12);
  const plan = new RowPlan();
  const reads = new ManifestReads(manifest, 'm.jsonl');
  for await (const { item: it } of reads.read()) {
    const row = done.find(it.id, itemKey(it));
    plan.push(it.id === 'other-shard' ? SKIPPED : row < 0 ? TODO : row);
  }
  const missing: string[] = [];
  const chunks: EmbeddingRows[] = [];
  try {
    for await (const c of consolidatedChunks({
      reads,
      plan,
      sources,
      key: KEY,
      onMissing: (id) => missing.push(id),
      chunkRows: 4,
    })) {
      chunks.push(c);
    }
  } finally {
    sources.close();
  }
  assert.deepEqual(missing, ['failed']);
  assert.deepEqual(
    chunks.map((c) => c.ids.length),
    [4, 4, 4],
  );
  const present = order.flatMap((i, line) => (i >= 0 ? [{ i, line }] : []));
  const expected = rowsOf(0, 12);
  assert.deepEqual(
    chunks.flatMap((c) => c.ids),
    present.map(({ i }) => `r${i}`),
  );
  assert.deepEqual(
    chunks.flatMap((c) => Array.from(c.itemIndex ?? [])),
    present.map(({ line }) => line),
  );
  assert.deepEqual(
    chunks.flatMap((c) => c.itemKeys ?? []),
    present.map(({ i }) => expected.itemKeys?.[i]),
  );
  assert.deepEqual(
    chunks.flatMap((c) => Array.from(c.data)),
    present.flatMap(({ i }) => [i, i + 0.5, -i]),
  );
  assert.deepEqual(
    chunks.flatMap((c) => Array.from(c.logits ?? [])),
    present.flatMap(({ i }) => [i, 2 * i]),
  );
});

test('no row at all gives one empty chunk with the columns (for the Parquet schema)', async () => {
  const reads = new ManifestReads([item(0)], 'm.jsonl');
  const plan = new RowPlan();
  for await (const _ of reads.read()) plan.push(TODO);
  const sources = await RowSources.open(join(root, 'nothing'), false, KEY, () => {});
  const chunks: EmbeddingRows[] = [];
  for await (const c of consolidatedChunks({ reads, plan, sources, key: KEY, onMissing: () => {} }))
    chunks.push(c);
  assert.equal(chunks.length, 1);
  assert.deepEqual(chunks[0]?.ids, []);
  assert.equal(chunks[0]?.logits?.length, 0);
  assert.deepEqual(chunks[0]?.itemKeys, []);
});
