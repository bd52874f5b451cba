/**
 * Reads a Parquet file a batch of rows at a time, so that a reader's peak memory is its output plus
 * one batch, not the whole decoded file (decoding a 1M x 256 store at once took 6-7 GB for 1 GB of
 * floats). The file is opened as a file-backed Blob (fs.openAsBlob): parquet-wasm reads the footer,
 * then the column chunks of one row group at a time, and never holds the whole file.
 */
import { openAsBlob } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { InputError } from '../core/errors.js';

/** Most rows decoded at once: the store writer's row-group size, so a batch is at most one group. */
export const BATCH_ROWS = 16384;

/** A Parquet file opened for reading in batches. */
export interface ParquetBatches {
  path: string;
  numRows: number;
  /** Rows in each row group, in file order (from the footer). */
  rowGroupRows: number[];
  /** The file's columns and types, as an Arrow table with no rows. */
  schema: arrow.Table;
  /**
   * Decodes the rows in file order, at most `batchRows` per table (a batch never spans two row
   * groups), reading only `columns`.
   */
  batches(columns: readonly string[], batchRows?: number): AsyncIterable<arrow.Table>;
  /** Decodes one row group (0-based, in file order), reading only `columns`. */
  rowGroup(index: number, columns: readonly string[]): Promise<arrow.Table>;
  /** Releases the file (its WebAssembly-side reader). */
  close(): void;
}

function unreadable(path: string, err: unknown): InputError {
  return new InputError(path, `is not a readable Parquet file: ${(err as Error).message ?? String(err)}`);
}

/** Opens a Parquet file for reading in batches; InputError naming the file when it is missing or not Parquet. */
export async function openParquet(path: string): Promise<ParquetBatches> {
  let blob: Blob;
  try {
    blob = (await openAsBlob(path)) as unknown as Blob;
  } catch {
    throw new InputError(path, 'not found');
  }
  let file: pq.ParquetFile;
  let rowGroupRows: number[];
  let schema: arrow.Table;
  try {
    file = await pq.ParquetFile.fromFile(blob);
    const meta = file.metadata();
    rowGroupRows = meta.rowGroups().map((g) => g.numRows());
    schema = arrow.tableFromIPC(file.schema().intoIPCStream());
  } catch (err) {
    throw unreadable(path, err);
  }
  return {
    path,
    numRows: rowGroupRows.reduce((a, b) => a + b, 0),
    rowGroupRows,
    schema,
    async *batches(columns: readonly string[], batchRows = BATCH_ROWS) {
      let stream: AsyncIterable<pq.RecordBatch>;
      try {
        stream = (await file.stream({
          columns: [...columns],
          batchSize: batchRows,
        })) as unknown as AsyncIterable<pq.RecordBatch>;
      } catch (err) {
        throw unreadable(path, err);
      }
      const it = stream[Symbol.asyncIterator]();
      try {
        for (;;) {
          let next: IteratorResult<pq.RecordBatch>;
          try {
            next = await it.next();
          } catch (err) {
            throw unreadable(path, err);
          }
          if (next.done) return;
          yield arrow.tableFromIPC(next.value.intoIPCStream());
        }
      } finally {
        // a consumer that stops early cancels the stream (no-op once it has ended)
        await it.return?.().catch(() => undefined);
      }
    },
    async rowGroup(index: number, columns: readonly string[]) {
      try {
        const table = await file.read({ rowGroups: [index], columns: [...columns] });
        return arrow.tableFromIPC(table.intoIPCStream());
      } catch (err) {
        throw unreadable(path, err);
      }
    },
    close() {
      file.free();
    },
  };
}
