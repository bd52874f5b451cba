/**
 * Writes embedding rows as a Parquet file one row group at a time (parquet-wasm's streaming
 * writer), so that the writer holds the rows plus about one encoded group, not a second and third
 * copy of the whole table (encoding a 1M x 256 set at once took 6.6 GB). The bytes are the same as
 * encoding the whole table at once (encodeParquet), which the tests check.
 */
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { type EmbeddingRows, rowsToTable } from './columns.js';

/** Rows per Parquet row group: a reader's unit of memory (16 MiB of floats at 256-d). */
export const ROW_GROUP_ROWS = 16384;

function writerProperties(rowGroupRows: number): pq.WriterProperties {
  return new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy('fairscope')
    .build();
}

/** Encodes rows as Parquet in memory (ZSTD, no dictionary: the floats do not repeat). */
export function encodeParquet(rows: EmbeddingRows, rowGroupRows = ROW_GROUP_ROWS): Uint8Array {
  const ipc = arrow.tableToIPC(rowsToTable(rows), 'stream');
  return pq.writeParquet(pq.Table.fromIPCStream(ipc), writerProperties(rowGroupRows));
}

/** Rows [start, end) as Arrow record batches in WebAssembly memory (what the Parquet writer takes). */
function wasmBatches(rows: EmbeddingRows, start: number, end: number): pq.RecordBatch[] {
  const { dim, logitsDim } = rows;
  const slice: EmbeddingRows = {
    ids: rows.ids.slice(start, end),
    dim,
    data: rows.data.subarray(start * dim, end * dim),
    logitsDim,
  };
  if (rows.logits !== undefined) slice.logits = rows.logits.subarray(start * logitsDim, end * logitsDim);
  if (rows.itemKeys !== undefined) slice.itemKeys = rows.itemKeys.slice(start, end);
  if (rows.itemIndex !== undefined) slice.itemIndex = rows.itemIndex.subarray(start, end);
  return pq.Table.fromIPCStream(arrow.tableToIPC(rowsToTable(slice), 'stream')).recordBatches();
}

/**
 * Writes rows as a Parquet file (ZSTD, no dictionary; row groups of `rowGroupRows`), through a
 * temporary file and a rename. The rows are encoded one row group at a time, so the writer's
 * memory beyond the rows themselves is about one group (encoding a 1M x 256 set at once took
 * 6.6 GB).
 */
export async function writeParquetFile(
  path: string,
  rows: EmbeddingRows,
  rowGroupRows = ROW_GROUP_ROWS,
): Promise<void> {
  const n = rows.ids.length;
  const tmp = `${path}.tmp-${process.pid}`;
  if (n === 0) {
    // the streaming writer needs a first batch for the schema
    await writeFile(tmp, encodeParquet(rows, rowGroupRows));
    await rename(tmp, path);
    return;
  }
  let next = 0;
  const source = new ReadableStream<pq.RecordBatch>({
    pull(controller) {
      if (next >= n) {
        controller.close();
        return;
      }
      const end = Math.min(n, next + rowGroupRows);
      for (const batch of wasmBatches(rows, next, end)) controller.enqueue(batch);
      next = end;
    },
  });
  try {
    const bytes = (await pq.transformParquetStream(
      source,
      writerProperties(rowGroupRows),
    )) as ReadableStream<Uint8Array>;
    await pipeline(Readable.fromWeb(bytes as NodeReadableStream<Uint8Array>), createWriteStream(tmp));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  await rename(tmp, path);
}
