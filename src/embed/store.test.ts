import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { Rng } from '../core/rng.js';
import type { EmbeddingSet } from '../core/types.js';
import { tableToRows } from './columns.js';
import { openParquet } from './parquet-batches.js';
import {
  EMBEDDINGS_FILE,
  type EmbeddingChunk,
  iterateEmbeddingChunks,
  META_FILE,
  ROW_GROUP_ROWS,
  readEmbeddings,
  readStoreIndex,
  readStoreMeta,
  writeEmbeddings,
} from './store.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairscope-store-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const set: EmbeddingSet = {
  ids: ['a', 'b', 'c'],
  dim: 2,
  data: Float32Array.from([1, 2, 3, 4, 5.5, -6]),
  logits: Float32Array.from([0.1, 0.2, 0.7, 0.3, 0.3, 0.4, 1, 0, 0]),
  classes: ['cat', 'dog', 'person'],
  modelId: 'm1',
  preprocessHash: 'abc',
};

test('round trip keeps ids, values, logits, classes and meta', async () => {
  const dir = join(root, 'rt');
  await writeEmbeddings(dir, set, { provider: 'test/cpu', manifestHash: 'mh' });
  const back = await readEmbeddings(dir);
  assert.deepEqual(back, set);
  const meta = await readStoreMeta(dir);
  assert.equal(meta.count, 3);
  assert.equal(meta.provider, 'test/cpu');
  assert.equal(meta.manifestHash, 'mh');
});

test('the Parquet schema is id: utf8, embedding/logits: fixed_size_list<float32> (pandas/polars readable)', async () => {
  const dir = join(root, 'schema');
  await writeEmbeddings(dir, set);
  const bytes = await readFile(join(dir, EMBEDDINGS_FILE));
  // Parquet magic at both ends.
  assert.equal(Buffer.from(bytes.subarray(0, 4)).toString(), 'PAR1');
  assert.equal(Buffer.from(bytes.subarray(bytes.length - 4)).toString(), 'PAR1');
  const table = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  const types = Object.fromEntries(table.schema.fields.map((f) => [f.name, String(f.type)]));
  assert.deepEqual(types, {
    id: 'Utf8',
    embedding: 'FixedSizeList[2]<Float32>',
    logits: 'FixedSizeList[3]<Float32>',
  });
});

test('an empty set round-trips', async () => {
  const dir = join(root, 'empty');
  const empty: EmbeddingSet = { ids: [], dim: 4, data: new Float32Array(0), modelId: 'm' };
  await writeEmbeddings(dir, empty);
  const back = await readEmbeddings(dir);
  assert.deepEqual(back.ids, []);
  assert.equal(back.dim, 4);
});

test('a list<double> embedding column (as pyarrow writes numpy rows) is read too', async () => {
  const dir = join(root, 'list');
  await writeEmbeddings(dir, { ids: ['x'], dim: 3, data: new Float32Array(3), modelId: 'm' });
  const table = new arrow.Table({
    id: arrow.vectorFromArray(['x', 'y'], new arrow.Utf8()),
    embedding: arrow.vectorFromArray(
      [
        [1, 2, 3],
        [4, 5, 6.25],
      ],
      new arrow.List(new arrow.Field('item', new arrow.Float64(), true)),
    ),
  });
  const bytes = pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')));
  await writeFile(join(dir, EMBEDDINGS_FILE), bytes);
  await writeFile(
    join(dir, META_FILE),
    JSON.stringify({ format: 'fairscope-embeddings/1', modelId: 'm', dim: 3, count: 2 }),
  );
  const back = await readEmbeddings(dir);
  assert.deepEqual(back.ids, ['x', 'y']);
  assert.deepEqual(Array.from(back.data), [1, 2, 3, 4, 5, 6.25]);
});

test('meta.json and the data must agree; a missing meta.json is named', async () => {
  const dir = join(root, 'bad');
  await writeEmbeddings(dir, set);
  await writeFile(
    join(dir, META_FILE),
    JSON.stringify({ format: 'fairscope-embeddings/1', modelId: 'm1', dim: 5, count: 3 }),
  );
  await assert.rejects(readEmbeddings(dir), /meta\.json says dim 5/);
  await assert.rejects(readEmbeddings(join(root, 'nowhere')), /nowhere\/meta\.json: not found/);
});

test('a store of several row groups round-trips and equals the whole-file decode', async () => {
  const n = 2 * ROW_GROUP_ROWS + 7232; // 40000: two full groups and a partial one
  const rng = new Rng(11);
  const big: EmbeddingSet = {
    ids: Array.from({ length: n }, (_, i) => `r${i}`),
    dim: 3,
    data: Float32Array.from({ length: n * 3 }, () => rng.normal()),
    logits: Float32Array.from({ length: n * 2 }, () => rng.uniform(0, 1)),
    classes: ['x', 'y'],
    modelId: 'big',
  };
  const dir = join(root, 'big');
  await writeEmbeddings(dir, big);
  const file = await openParquet(join(dir, EMBEDDINGS_FILE));
  assert.deepEqual(file.rowGroupRows, [ROW_GROUP_ROWS, ROW_GROUP_ROWS, 7232]);
  file.close();
  const back = await readEmbeddings(dir);
  assert.deepEqual(back, big);
  const bytes = await readFile(join(dir, EMBEDDINGS_FILE));
  const whole = tableToRows(arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream()), 'whole');
  assert.deepEqual(back.ids, whole.ids);
  assert.deepEqual(back.data, whole.data);
  assert.deepEqual(back.logits, whole.logits);
  assert.deepEqual(await readStoreIndex(dir), { ids: big.ids });

  const chunks: EmbeddingChunk[] = [];
  for await (const c of iterateEmbeddingChunks(dir)) chunks.push(c);
  assert.deepEqual(
    chunks.map((c) => [c.offset, c.ids.length]),
    [
      [0, ROW_GROUP_ROWS],
      [ROW_GROUP_ROWS, ROW_GROUP_ROWS],
      [2 * ROW_GROUP_ROWS, 7232],
    ],
  );
  const sized: EmbeddingChunk[] = [];
  for await (const c of iterateEmbeddingChunks(dir, { rows: 15000 })) sized.push(c);
  assert.deepEqual(
    sized.map((c) => [c.offset, c.ids.length]),
    [
      [0, 15000],
      [15000, 15000],
      [30000, 10000],
    ],
  );
  assert.deepEqual(
    sized.flatMap((c) => c.ids),
    big.ids,
  );
  const data = new Float32Array(n * 3);
  const logits = new Float32Array(n * 2);
  for (const c of sized) {
    data.set(c.data, c.offset * 3);
    logits.set(c.logits as Float32Array, c.offset * 2);
  }
  assert.deepEqual(data, big.data);
  assert.deepEqual(logits, big.logits);
});

test('iterateEmbeddingChunks checks the rows against meta.json', async () => {
  const dir = join(root, 'iter-bad');
  await writeEmbeddings(dir, set);
  await writeFile(
    join(dir, META_FILE),
    JSON.stringify({ format: 'fairscope-embeddings/1', modelId: 'm1', dim: 5, count: 3 }),
  );
  await assert.rejects(async () => {
    for await (const _ of iterateEmbeddingChunks(dir)) {
      // the first chunk already fails
    }
  }, /meta\.json says dim 5/);
});
