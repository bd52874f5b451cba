import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { Rng } from '../core/rng.js';
import { type EmbeddingRows, tableToRows } from './columns.js';
import { openParquet, type ParquetBatches } from './parquet-batches.js';
import { encodeParquet, writeParquetFile } from './parquet-writer.js';
import { collectRows, columnsToRead, rowChunks, STORE_COLUMNS } from './row-chunks.js';

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairscope-row-chunks-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** n rows with every store column; values from a seeded generator. */
function makeRows(n: number, dim: number, logitsDim: number, seed: number): EmbeddingRows {
  const rng = new Rng(seed);
  const rows: EmbeddingRows = {
    ids: Array.from({ length: n }, (_, i) => `item-${seed}-${i}`),
    dim,
    data: Float32Array.from({ length: n * dim }, () => rng.normal()),
    logitsDim,
    itemKeys: Array.from({ length: n }, (_, i) => `key-${i}`),
    itemIndex: Int32Array.from({ length: n }, (_, i) => 3 * i + 1),
  };
  if (logitsDim > 0) rows.logits = Float32Array.from({ length: n * logitsDim }, () => rng.uniform(0, 1));
  return rows;
}

/** The previous reader: the whole file decoded at once. */
function wholeFileDecode(bytes: Uint8Array, source: string): EmbeddingRows {
  return tableToRows(arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream()), source);
}

/** Wraps a file so that every decoded batch is counted and its size recorded. */
function counting(file: ParquetBatches): { file: ParquetBatches; sizes: number[] } {
  const sizes: number[] = [];
  const wrapped: ParquetBatches = {
    ...file,
    async *batches(columns, batchRows) {
      for await (const table of file.batches(columns, batchRows)) {
        sizes.push(table.numRows);
        yield table;
      }
    },
  };
  return { file: wrapped, sizes };
}

async function written(name: string, rows: EmbeddingRows, rowGroupRows: number): Promise<string> {
  const path = join(root, `${name}.parquet`);
  await writeParquetFile(path, rows, rowGroupRows);
  return path;
}

test('N rows written in groups of G make ceil(N/G) row groups, and the reader decodes them one group at a time', async () => {
  // 50 = 7 * 7 + 1: seven full groups and a one-row group.
  const rows = makeRows(50, 5, 3, 1);
  const path = await written('groups', rows, 7);
  const opened = await openParquet(path);
  try {
    assert.deepEqual(opened.rowGroupRows, [7, 7, 7, 7, 7, 7, 7, 1]);
    assert.equal(opened.numRows, 50);
    const { file, sizes } = counting(opened);
    const back = await collectRows(file, columnsToRead(file, STORE_COLUMNS));
    assert.deepEqual(sizes, [7, 7, 7, 7, 7, 7, 7, 1]);
    assert.deepEqual(back, rows);
  } finally {
    opened.close();
  }
});

test('batched reading equals the whole-file decode (several groups, logits, item columns, odd sizes)', async () => {
  for (const [n, group, dim, logitsDim] of [
    [1, 4, 3, 0],
    [4, 4, 2, 2],
    [5, 4, 1, 1],
    [33, 8, 7, 0],
    [301, 64, 16, 5],
  ] as const) {
    const rows = makeRows(n, dim, logitsDim, n);
    const path = await written(`eq-${n}`, rows, group);
    const reference = wholeFileDecode(await readFile(path), path);
    assert.deepEqual(reference, rows, `n=${n}: the file holds the rows written`);
    const file = await openParquet(path);
    try {
      assert.equal(file.rowGroupRows.length, Math.ceil(n / group), `n=${n}`);
      assert.deepEqual(await collectRows(file, columnsToRead(file, STORE_COLUMNS)), reference, `n=${n}`);
    } finally {
      file.close();
    }
  }
});

test('the streamed writer writes the same bytes as encoding the whole table at once', async () => {
  const rows = makeRows(40, 6, 2, 7);
  const path = await written('bytes', rows, 9);
  assert.deepEqual(new Uint8Array(await readFile(path)), encodeParquet(rows, 9));
  const empty: EmbeddingRows = { ids: [], dim: 4, data: new Float32Array(0), logitsDim: 0 };
  const emptyPath = await written('empty', empty, 9);
  const file = await openParquet(emptyPath);
  try {
    assert.equal(file.numRows, 0);
    assert.deepEqual(await collectRows(file, columnsToRead(file, STORE_COLUMNS)), empty);
  } finally {
    file.close();
  }
});

test('rowChunks re-cuts the groups into chunks of the size asked for, with their offsets', async () => {
  const rows = makeRows(23, 3, 2, 5);
  const path = await written('chunks', rows, 6); // groups 6, 6, 6, 5
  const file = await openParquet(path);
  try {
    const columns = columnsToRead(file, STORE_COLUMNS);
    const asDecoded = [];
    for await (const c of rowChunks(file, columns)) asDecoded.push([c.offset, c.ids.length]);
    assert.deepEqual(asDecoded, [
      [0, 6],
      [6, 6],
      [12, 6],
      [18, 5],
    ]);
    for (const size of [1, 4, 10, 23, 100]) {
      const chunks = [];
      for await (const c of rowChunks(file, columns, size)) chunks.push(c);
      const expected = Array.from({ length: Math.ceil(23 / size) }, (_, k) => [
        k * size,
        Math.min(size, 23 - k * size),
      ]);
      assert.deepEqual(
        chunks.map((c) => [c.offset, c.ids.length]),
        expected,
        `size ${size}`,
      );
      for (const c of chunks) {
        const end = c.offset + c.ids.length;
        assert.deepEqual(c.ids, rows.ids.slice(c.offset, end));
        assert.deepEqual(c.data, rows.data.slice(c.offset * 3, end * 3));
        assert.deepEqual(c.logits, rows.logits?.slice(c.offset * 2, end * 2));
        assert.deepEqual(c.itemKeys, rows.itemKeys?.slice(c.offset, end));
        assert.deepEqual(c.itemIndex, rows.itemIndex?.slice(c.offset, end));
      }
    }
    await assert.rejects(async () => {
      for await (const _ of rowChunks(file, columns, 0)) break;
    }, RangeError);
  } finally {
    file.close();
  }
});

test('a list column whose width changes in a later row group fails naming the file row', async () => {
  const table = new arrow.Table({
    id: arrow.vectorFromArray(['a', 'b', 'c', 'd', 'e'], new arrow.Utf8()),
    embedding: arrow.vectorFromArray(
      [
        [1, 2],
        [3, 4],
        [5, 6],
        [7, 8, 9],
        [1, 1, 1],
      ],
      new arrow.List(new arrow.Field('item', new arrow.Float64(), true)),
    ),
  });
  const props = new pq.WriterPropertiesBuilder().setMaxRowGroupSize(3).build();
  const path = join(root, 'ragged.parquet');
  await writeFile(path, pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(table, 'stream')), props));
  const file = await openParquet(path);
  try {
    assert.deepEqual(file.rowGroupRows, [3, 2]);
    // Rows 3-4 form the second group: alone it is consistent (width 3), but not with rows 0-2.
    await assert.rejects(
      collectRows(file, columnsToRead(file, [])),
      /ragged\.parquet.*row 3 has 3 values, expected 2/,
    );
  } finally {
    file.close();
  }
});

test('missing, truncated and column-less files fail naming the file', async () => {
  await assert.rejects(openParquet(join(root, 'nowhere.parquet')), /nowhere\.parquet: not found/);
  const rows = makeRows(20, 2, 0, 3);
  const path = await written('whole', rows, 4);
  const bytes = await readFile(path);
  const truncated = join(root, 'truncated.parquet');
  await writeFile(truncated, bytes.subarray(0, bytes.length - 100));
  await assert.rejects(openParquet(truncated), /truncated\.parquet: is not a readable Parquet file/);
  const noEmbedding = new arrow.Table({ id: arrow.vectorFromArray(['a'], new arrow.Utf8()) });
  const noEmbeddingPath = join(root, 'no-embedding.parquet');
  await writeFile(
    noEmbeddingPath,
    pq.writeParquet(pq.Table.fromIPCStream(arrow.tableToIPC(noEmbedding, 'stream'))),
  );
  const file = await openParquet(noEmbeddingPath);
  try {
    await assert.rejects(
      collectRows(file, columnsToRead(file, [])),
      /no-embedding\.parquet.*no "embedding" column/,
    );
  } finally {
    file.close();
  }
});
