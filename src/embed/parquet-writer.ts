/**
 * Writes embedding rows as a Parquet file one row group at a time (parquet-wasm's streaming
 * writer), so that the writer holds the rows plus about one encoded group, not a second and third
 * copy of the whole table (encoding a 1M x 256 set at once took 6.6 GB); rows that arrive in chunks
 * (writeParquetStream) need not be in memory at all. The bytes are the same as encoding the whole
 * table at once (encodeParquet), which the tests check.
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

/** Rows [start, end) of some rows, as views (ids copied). */
function rowsView(rows: EmbeddingRows, start: number, end: number): EmbeddingRows {
  const { dim, logitsDim } = rows;
  const view: EmbeddingRows = {
    ids: rows.ids.slice(start, end),
    dim,
    data: rows.data.subarray(start * dim, end * dim),
    logitsDim,
  };
  if (rows.logits !== undefined) view.logits = rows.logits.subarray(start * logitsDim, end * logitsDim);
  if (rows.itemKeys !== undefined) view.itemKeys = rows.itemKeys.slice(start, end);
  if (rows.itemIndex !== undefined) view.itemIndex = rows.itemIndex.subarray(start, end);
  return view;
}

/** Rows as Arrow record batches in WebAssembly memory (what the Parquet writer takes). */
function wasmBatches(rows: EmbeddingRows): pq.RecordBatch[] {
  return pq.Table.fromIPCStream(arrow.tableToIPC(rowsToTable(rows), 'stream')).recordBatches();
}

/**
 * Writes rows that arrive in chunks as a Parquet file (ZSTD, no dictionary; row groups of
 * `rowGroupRows`), through a temporary file and a rename, holding one chunk and about one encoded
 * group at a time. Chunks of `rowGroupRows` rows (the last one shorter) give the bytes that
 * encoding all the rows at once gives. When every chunk is empty, the first one gives the schema
 * (columns and widths): the iterable yields at least one chunk. An error thrown by the chunks is
 * rethrown as it is, and no temporary file is left.
 * @param chunks rows in file order, all with the same columns and widths
 */
export async function writeParquetStream(
  path: string,
  chunks: AsyncIterable<EmbeddingRows> | Iterable<EmbeddingRows>,
  rowGroupRows = ROW_GROUP_ROWS,
): Promise<void> {
  const it =
    Symbol.asyncIterator in chunks
      ? (chunks as AsyncIterable<EmbeddingRows>)[Symbol.asyncIterator]()
      : (chunks as Iterable<EmbeddingRows>)[Symbol.iterator]();
  const tmp = `${path}.tmp-${process.pid}`;
  let template: EmbeddingRows | undefined;
  let ended = false;
  let failure: unknown;
  /** The next chunk with rows, or undefined at the end. */
  const nextRows = async (): Promise<EmbeddingRows | undefined> => {
    for (;;) {
      const r = await it.next();
      if (r.done) {
        ended = true;
        return undefined;
      }
      template ??= r.value;
      if (r.value.ids.length > 0) return r.value;
    }
  };
  try {
    let pending = await nextRows();
    if (pending === undefined) {
      if (template === undefined) throw new Error('writeParquetStream: no chunk, not even an empty one');
      // the streaming writer needs a first batch for the schema
      await writeFile(tmp, encodeParquet(template, rowGroupRows));
    } else {
      const source = new ReadableStream<pq.RecordBatch>({
        async pull(controller) {
          try {
            const rows = pending ?? (await nextRows());
            pending = undefined;
            if (rows === undefined) controller.close();
            else for (const batch of wasmBatches(rows)) controller.enqueue(batch);
          } catch (err) {
            failure = err;
            controller.error(err);
          }
        },
      });
      const bytes = (await pq.transformParquetStream(
        source,
        writerProperties(rowGroupRows),
      )) as ReadableStream<Uint8Array>;
      await pipeline(Readable.fromWeb(bytes as NodeReadableStream<Uint8Array>), createWriteStream(tmp));
      if (failure !== undefined) throw failure;
    }
  } catch (err) {
    await rm(tmp, { force: true });
    if (!ended) await it.return?.();
    throw failure ?? err;
  }
  await rename(tmp, path);
}

/**
 * Writes rows as a Parquet file (ZSTD, no dictionary; row groups of `rowGroupRows`), through a
 * temporary file and a rename. The rows are encoded one row group at a time (writeParquetStream),
 * so the writer's memory beyond the rows themselves is about one group (encoding a 1M x 256 set at
 * once took 6.6 GB).
 */
export async function writeParquetFile(
  path: string,
  rows: EmbeddingRows,
  rowGroupRows = ROW_GROUP_ROWS,
): Promise<void> {
  const n = rows.ids.length;
  function* groups(): Generator<EmbeddingRows> {
    if (n === 0) yield rows;
    for (let start = 0; start < n; start += rowGroupRows)
      yield rowsView(rows, start, Math.min(n, start + rowGroupRows));
  }
  await writeParquetStream(path, groups(), rowGroupRows);
}
