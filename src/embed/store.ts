/**
 * The embedding store: a folder that pandas, polars and DuckDB users can open.
 *
 *   DIR/embeddings.parquet  id (utf8), embedding (fixed_size_list<float32>[dim]), logits? (same,
 *                           [classes]); `fairscope embed` adds item_key (utf8) and item_index (int32)
 *   DIR/meta.json           StoreMeta: model id, dim, classes, preprocess hash, manifest hash, count...
 *   DIR/failures.jsonl      {id, reason} of images that could not be embedded (written by embed)
 *
 * Files are written to a temporary name and renamed, so a reader never sees half a file. The
 * Parquet file is written and read one row group (ROW_GROUP_ROWS rows) at a time
 * (parquet-writer.ts, parquet-batches.ts), so neither holds more than the rows plus one group.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { EmbeddingSet, Preprocess } from '../core/types.js';
import type { EmbeddingRows } from './columns.js';
import { openParquet, type ParquetBatches } from './parquet-batches.js';
import { writeParquetFile, writeParquetStream } from './parquet-writer.js';
import { collectRows, columnsToRead, rowChunks, STORE_COLUMNS } from './row-chunks.js';

export const EMBEDDINGS_FILE = 'embeddings.parquet';
export const META_FILE = 'meta.json';
export const FAILURES_FILE = 'failures.jsonl';
export const STORE_FORMAT = 'fairscope-embeddings/1';
export { encodeParquet, ROW_GROUP_ROWS, writeParquetFile, writeParquetStream } from './parquet-writer.js';

/** DIR/meta.json. */
export interface StoreMeta {
  format: typeof STORE_FORMAT;
  modelId: string;
  dim: number;
  classes?: string[];
  preprocessHash?: string;
  /** The preprocessing the images were embedded with (stores written before it was recorded lack it). */
  preprocess?: Preprocess;
  /** Prediction stores (`probe predict`): the label source of the head's classes (labels | attr:NAME). */
  labelFrom?: string;
  /** Hash of the manifest the rows came from (embed: hash of every item, in order). */
  manifestHash?: string;
  /** Rows in embeddings.parquet. */
  count: number;
  /** Engine and device, e.g. 'onnxruntime/cpu', or 'precomputed'. */
  provider?: string;
  /** Which part of the manifest this store holds (`--shard i/n`); absent for the whole manifest. */
  shard?: { index: number; count: number };
  /** Items of the shard that could not be embedded (listed in failures.jsonl). */
  failures?: number;
  datasetId?: string;
}

/** Extra meta fields a writer may set besides those derived from the EmbeddingSet. */
export type StoreMetaExtra = Partial<Omit<StoreMeta, 'format' | 'modelId' | 'dim' | 'count' | 'classes'>>;

/** Writes `content` to `path` through a temporary file and a rename. */
export async function writeAtomic(path: string, content: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, content);
  await rename(tmp, path);
}

/** Writes DIR/embeddings.parquet (rows as given) and then DIR/meta.json, creating DIR. */
export async function writeStore(dir: string, rows: EmbeddingRows, meta: StoreMeta): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeParquetFile(join(dir, EMBEDDINGS_FILE), rows);
  await writeAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

/**
 * Writes DIR/embeddings.parquet from rows that arrive in chunks (writeParquetStream: chunks of
 * ROW_GROUP_ROWS rows give the bytes writeStore gives) and then DIR/meta.json, creating DIR.
 * @param meta called once every chunk is written (when counts are known)
 */
export async function writeStoreChunks(
  dir: string,
  chunks: AsyncIterable<EmbeddingRows>,
  meta: () => StoreMeta,
): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeParquetStream(join(dir, EMBEDDINGS_FILE), chunks);
  await writeAtomic(join(dir, META_FILE), `${JSON.stringify(meta(), null, 2)}\n`);
}

/**
 * Writes an EmbeddingSet as a store (creating the folder). `extra` adds meta fields such as the
 * provider or manifest hash.
 */
export async function writeEmbeddings(
  dir: string,
  set: EmbeddingSet,
  extra: StoreMetaExtra = {},
): Promise<void> {
  const n = set.ids.length;
  const logitsDim =
    set.logits === undefined ? 0 : (set.classes?.length ?? (n > 0 ? set.logits.length / n : 0));
  const rows: EmbeddingRows = { ids: set.ids, dim: set.dim, data: set.data, logitsDim, logits: set.logits };
  const meta: StoreMeta = {
    format: STORE_FORMAT,
    modelId: set.modelId,
    dim: set.dim,
    ...(set.classes === undefined ? {} : { classes: set.classes }),
    ...(set.preprocessHash === undefined ? {} : { preprocessHash: set.preprocessHash }),
    ...extra,
    count: set.ids.length,
  };
  await writeStore(dir, rows, meta);
}

/** Reads DIR/meta.json; InputError naming the file when it is missing or malformed. */
export async function readStoreMeta(dir: string): Promise<StoreMeta> {
  const path = join(dir, META_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new InputError(
      path,
      'not found: is this an embedding store (a folder written by fairscope embed)?',
    );
  }
  let meta: StoreMeta;
  try {
    meta = JSON.parse(text) as StoreMeta;
  } catch (err) {
    throw new InputError(path, `invalid JSON: ${(err as Error).message}`);
  }
  if (typeof meta.modelId !== 'string' || meta.modelId === '') {
    throw new InputError(path, 'must be a non-empty string', { field: 'modelId' });
  }
  if (!Number.isInteger(meta.dim) || meta.dim <= 0) {
    throw new InputError(path, `must be a positive integer, got ${JSON.stringify(meta.dim)}`, {
      field: 'dim',
    });
  }
  return meta;
}

/** Opens DIR/embeddings.parquet for batched reading (the caller closes it). */
async function openStoreFile(dir: string): Promise<ParquetBatches> {
  return openParquet(join(dir, EMBEDDINGS_FILE));
}

/**
 * Reads the rows of DIR/embeddings.parquet (every store column, including item_key/item_index if
 * any), a batch at a time into arrays allocated once.
 */
export async function readStoreRows(dir: string): Promise<EmbeddingRows> {
  const file = await openStoreFile(dir);
  try {
    return await collectRows(file, columnsToRead(file, STORE_COLUMNS));
  } finally {
    file.close();
  }
}

/**
 * Reads only the id and item_key columns of DIR/embeddings.parquet (what a resumed run needs to
 * know which items are done); itemKeys is absent for stores without that column.
 */
export async function readStoreIndex(dir: string): Promise<{ ids: string[]; itemKeys?: string[] }> {
  const file = await openStoreFile(dir);
  try {
    const hasKeys = file.schema.schema.fields.some((f) => f.name === 'item_key');
    const ids: string[] = [];
    const itemKeys: string[] = [];
    for await (const table of file.batches(hasKeys ? ['id', 'item_key'] : ['id'])) {
      for (const id of (table.getChild('id')?.toArray() ?? []) as unknown[]) ids.push(String(id));
      const keys = table.getChild('item_key');
      if (keys !== null) for (const key of keys.toArray() as unknown[]) itemKeys.push(String(key));
    }
    return hasKeys ? { ids, itemKeys } : { ids };
  } finally {
    file.close();
  }
}

/** Checks rows read from DIR/embeddings.parquet against DIR/meta.json. */
function checkAgainstMeta(
  path: string,
  meta: StoreMeta,
  rows: { n: number; dim: number; logitsDim: number; hasLogits: boolean },
): void {
  if (rows.n > 0 && rows.dim !== meta.dim) {
    throw new InputError(
      path,
      `embeddings have ${rows.dim} values per row but meta.json says dim ${meta.dim}`,
      {
        field: 'embedding',
      },
    );
  }
  if (meta.classes !== undefined && rows.hasLogits && rows.logitsDim !== meta.classes.length) {
    throw new InputError(
      path,
      `logits have ${rows.logitsDim} values per row but meta.json lists ${meta.classes.length} classes`,
      {
        field: 'logits',
      },
    );
  }
}

/**
 * Reads a store: DIR/embeddings.parquet and DIR/meta.json, checked against each other. The file is
 * decoded a batch (at most one row group) at a time into arrays allocated once, so the peak is the
 * returned set plus one batch.
 * @returns rows in file order; data (n, dim), logits (n, classes) when present
 */
export async function readEmbeddings(dir: string): Promise<EmbeddingSet> {
  const meta = await readStoreMeta(dir);
  const file = await openStoreFile(dir);
  let rows: EmbeddingRows;
  try {
    rows = await collectRows(file, columnsToRead(file, ['logits']));
  } finally {
    file.close();
  }
  checkAgainstMeta(file.path, meta, {
    n: rows.ids.length,
    dim: rows.dim,
    logitsDim: rows.logitsDim,
    hasLogits: rows.logits !== undefined,
  });
  const set: EmbeddingSet = { ids: rows.ids, dim: meta.dim, data: rows.data, modelId: meta.modelId };
  if (rows.logits !== undefined) set.logits = rows.logits;
  if (meta.classes !== undefined) set.classes = meta.classes;
  if (meta.preprocessHash !== undefined) set.preprocessHash = meta.preprocessHash;
  return set;
}

/** Rows `offset` .. offset + ids.length of a store. */
export interface EmbeddingChunk {
  offset: number;
  ids: string[];
  /** (ids.length, dim) row-major; dim is meta.json's. */
  data: Float32Array;
  /** (ids.length, classes) row-major, when the store has logits. */
  logits?: Float32Array;
}

/**
 * Reads a store chunk by chunk, for consumers that need not hold every row at once; rows and
 * meta.json are checked against each other as readEmbeddings does. Memory: one chunk (plus one
 * decoded batch).
 * @param options.rows rows per chunk (the last may be shorter); default: as decoded, at most
 *   BATCH_ROWS (16384) and never across a row group
 */
export async function* iterateEmbeddingChunks(
  dir: string,
  options: { rows?: number } = {},
): AsyncGenerator<EmbeddingChunk> {
  const meta = await readStoreMeta(dir);
  const file = await openStoreFile(dir);
  try {
    for await (const part of rowChunks(file, columnsToRead(file, ['logits']), options.rows)) {
      checkAgainstMeta(file.path, meta, {
        n: part.ids.length,
        dim: part.dim,
        logitsDim: part.logitsDim,
        hasLogits: part.logits !== undefined,
      });
      const chunk: EmbeddingChunk = { offset: part.offset, ids: part.ids, data: part.data };
      if (part.logits !== undefined) chunk.logits = part.logits;
      yield chunk;
    }
  } finally {
    file.close();
  }
}

/** Reads DIR/failures.jsonl ([] when absent). */
export async function readFailures(dir: string): Promise<{ id: string; reason: string }[]> {
  let text: string;
  try {
    text = await readFile(join(dir, FAILURES_FILE), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id: string; reason: string });
}
