/**
 * Embedding rows of a Parquet file, read a batch at a time (parquet-batches.ts): as chunks for a
 * consumer that streams, or copied into one preallocated matrix (collectRows), so that the peak is
 * the output plus one batch.
 */
import type * as arrow from 'apache-arrow';
import { InputError } from '../core/errors.js';
import { type EmbeddingRows, tableToRows } from './columns.js';
import { BATCH_ROWS, type ParquetBatches } from './parquet-batches.js';

/** Columns every store has. */
export const REQUIRED_COLUMNS = Object.freeze(['id', 'embedding']);
/** Every column a store may have. */
export const STORE_COLUMNS = Object.freeze(['id', 'embedding', 'logits', 'item_key', 'item_index']);

/** Rows `offset` .. offset + ids.length of a file. */
export interface RowChunk extends EmbeddingRows {
  offset: number;
}

/**
 * The columns to read: the required ones (a file without them fails with a message naming the
 * column) and those of `optional` the file has.
 */
export function columnsToRead(file: ParquetBatches, optional: readonly string[]): string[] {
  const present = new Set(file.schema.schema.fields.map((f) => f.name));
  const extra = optional.filter((c) => !REQUIRED_COLUMNS.includes(c) && present.has(c));
  return [...REQUIRED_COLUMNS, ...extra];
}

function rowsOf(file: ParquetBatches, table: arrow.Table, firstRow: number): EmbeddingRows {
  try {
    return tableToRows(table, file.path, firstRow);
  } catch (err) {
    throw new InputError(file.path, (err as Error).message);
  }
}

/** The rows of an empty table with the file's schema: which columns there are, and fixed widths. */
function templateRows(file: ParquetBatches, columns: readonly string[]): EmbeddingRows {
  const present = new Set(file.schema.schema.fields.map((f) => f.name));
  return rowsOf(file, file.schema.select(columns.filter((c) => present.has(c))), 0);
}

/** Rows [start, end) of some rows, copied. */
function sliceRows(rows: EmbeddingRows, start: number, end: number): EmbeddingRows {
  const out: EmbeddingRows = {
    ids: rows.ids.slice(start, end),
    dim: rows.dim,
    data: rows.data.slice(start * rows.dim, end * rows.dim),
    logitsDim: rows.logitsDim,
  };
  if (rows.logits !== undefined) out.logits = rows.logits.slice(start * rows.logitsDim, end * rows.logitsDim);
  if (rows.itemKeys !== undefined) out.itemKeys = rows.itemKeys.slice(start, end);
  if (rows.itemIndex !== undefined) out.itemIndex = rows.itemIndex.slice(start, end);
  return out;
}

/** Several parts' rows, in order, as one (parts have the same columns and widths). */
function concatRows(parts: readonly EmbeddingRows[]): EmbeddingRows {
  if (parts.length === 1) return parts[0] as EmbeddingRows;
  const first = parts[0] as EmbeddingRows;
  const n = parts.reduce((a, p) => a + p.ids.length, 0);
  const out: EmbeddingRows = {
    ids: parts.flatMap((p) => p.ids),
    dim: first.dim,
    data: new Float32Array(n * first.dim),
    logitsDim: first.logitsDim,
  };
  if (first.logits !== undefined) out.logits = new Float32Array(n * first.logitsDim);
  if (first.itemKeys !== undefined) out.itemKeys = parts.flatMap((p) => p.itemKeys as string[]);
  if (first.itemIndex !== undefined) out.itemIndex = new Int32Array(n);
  copyRows(out, parts, 0);
  return out;
}

/** Copies parts' rows into `out` from row `at` on; returns the row after the last one copied. */
function copyRows(out: EmbeddingRows, parts: readonly EmbeddingRows[], at: number): number {
  let row = at;
  for (const p of parts) {
    out.data.set(p.data, row * out.dim);
    if (out.logits !== undefined && p.logits !== undefined) out.logits.set(p.logits, row * out.logitsDim);
    if (out.itemIndex !== undefined && p.itemIndex !== undefined) out.itemIndex.set(p.itemIndex, row);
    row += p.ids.length;
  }
  return row;
}

function checkWidth(file: ParquetBatches, what: string, row: number, got: number, expected: number): void {
  if (got !== expected) {
    throw new InputError(file.path, `column "${what}" row ${row} has ${got} values, expected ${expected}`, {
      field: what,
    });
  }
}

/**
 * The file's rows in order, in chunks of `rows` rows (the last may be shorter); by default one chunk
 * per decoded batch (at most BATCH_ROWS rows, never across a row group). Every chunk has the same
 * widths: a list column whose rows change width fails naming the row.
 * @param columns what to read: columnsToRead(file, ...)
 */
export async function* rowChunks(
  file: ParquetBatches,
  columns: readonly string[],
  rows?: number,
): AsyncGenerator<RowChunk> {
  if (rows !== undefined && !(Number.isInteger(rows) && rows > 0))
    throw new RangeError(`rowChunks: rows must be a positive integer, got ${rows}`);
  templateRows(file, columns); // a missing column fails before any data is read
  let widths: { dim: number; logitsDim: number } | null = null;
  let read = 0;
  let offset = 0;
  let pending: EmbeddingRows[] = [];
  let pendingRows = 0;
  for await (const table of file.batches(columns, Math.min(rows ?? BATCH_ROWS, BATCH_ROWS))) {
    if (table.numRows === 0) continue;
    const part = rowsOf(file, table, read);
    if (widths === null) widths = { dim: part.dim, logitsDim: part.logitsDim };
    checkWidth(file, 'embedding', read, part.dim, widths.dim);
    if (part.logits !== undefined) checkWidth(file, 'logits', read, part.logitsDim, widths.logitsDim);
    read += part.ids.length;
    if (rows === undefined) {
      yield { ...part, offset };
      offset += part.ids.length;
      continue;
    }
    pending.push(part);
    pendingRows += part.ids.length;
    while (pendingRows >= rows) {
      const all = concatRows(pending);
      yield { ...sliceRows(all, 0, rows), offset };
      offset += rows;
      pendingRows -= rows;
      pending = pendingRows === 0 ? [] : [sliceRows(all, rows, all.ids.length)];
    }
  }
  if (pendingRows > 0) yield { ...concatRows(pending), offset };
}

/**
 * All rows of the file, read a batch at a time into arrays allocated once from the footer's row
 * count: the peak is the output plus one batch.
 * @param columns what to read: columnsToRead(file, ...)
 * @returns ids, data (n, dim), logits (n, logitsDim) and item columns when read
 */
export async function collectRows(file: ParquetBatches, columns: readonly string[]): Promise<EmbeddingRows> {
  const template = templateRows(file, columns);
  const n = file.numRows;
  if (n === 0) return template;
  const ids = new Array<string>(n);
  const itemKeys = template.itemKeys === undefined ? undefined : new Array<string>(n);
  let out: EmbeddingRows | null = null;
  let row = 0;
  for await (const part of rowChunks(file, columns)) {
    if (row + part.ids.length > n) {
      throw new InputError(file.path, `holds more rows than the ${n} its footer lists`);
    }
    if (out === null) {
      out = { ids, dim: part.dim, data: new Float32Array(n * part.dim), logitsDim: 0 };
      if (part.logits !== undefined) {
        out.logits = new Float32Array(n * part.logitsDim);
        out.logitsDim = part.logitsDim;
      }
      if (itemKeys !== undefined) out.itemKeys = itemKeys;
      if (template.itemIndex !== undefined) out.itemIndex = new Int32Array(n);
    }
    for (let i = 0; i < part.ids.length; i++) ids[row + i] = part.ids[i] as string;
    if (itemKeys !== undefined && part.itemKeys !== undefined) {
      for (let i = 0; i < part.ids.length; i++) itemKeys[row + i] = part.itemKeys[i] as string;
    }
    row = copyRows(out, [part], row);
  }
  if (out === null || row !== n) {
    throw new InputError(file.path, `holds ${row} rows but its footer lists ${n}`);
  }
  return out;
}
