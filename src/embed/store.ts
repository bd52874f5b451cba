/**
 * The embedding store: a folder that pandas, polars and DuckDB users can open.
 *
 *   DIR/embeddings.parquet  id (utf8), embedding (fixed_size_list<float32>[dim]), logits? (same,
 *                           [classes]); `fairscope embed` adds item_key (utf8) and item_index (int32)
 *   DIR/meta.json           StoreMeta: model id, dim, classes, preprocess hash, manifest hash, count...
 *   DIR/failures.jsonl      {id, reason} of images that could not be embedded (written by embed)
 *
 * Files are written to a temporary name and renamed, so a reader never sees half a file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { InputError } from '../core/errors.js';
import type { EmbeddingSet } from '../core/types.js';
import { type EmbeddingRows, rowsToTable, tableToRows } from './columns.js';

export const EMBEDDINGS_FILE = 'embeddings.parquet';
export const META_FILE = 'meta.json';
export const FAILURES_FILE = 'failures.jsonl';
export const STORE_FORMAT = 'fairscope-embeddings/1';

/** DIR/meta.json. */
export interface StoreMeta {
  format: typeof STORE_FORMAT;
  modelId: string;
  dim: number;
  classes?: string[];
  preprocessHash?: string;
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

/** Encodes rows as Parquet (ZSTD, no dictionary: the floats do not repeat). */
export function encodeParquet(rows: EmbeddingRows): Uint8Array {
  const ipc = arrow.tableToIPC(rowsToTable(rows), 'stream');
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setDictionaryEnabled(false)
    .setMaxRowGroupSize(16384)
    .setCreatedBy('fairscope')
    .build();
  return pq.writeParquet(pq.Table.fromIPCStream(ipc), props);
}

/** Decodes a Parquet file's rows. */
export function decodeParquet(bytes: Uint8Array, source: string): EmbeddingRows {
  let table: arrow.Table;
  try {
    table = arrow.tableFromIPC(pq.readParquet(bytes).intoIPCStream());
  } catch (err) {
    throw new InputError(source, `is not a readable Parquet file: ${(err as Error).message ?? String(err)}`);
  }
  try {
    return tableToRows(table, source);
  } catch (err) {
    throw new InputError(source, (err as Error).message);
  }
}

/** Writes DIR/embeddings.parquet (rows as given) and then DIR/meta.json, creating DIR. */
export async function writeStore(dir: string, rows: EmbeddingRows, meta: StoreMeta): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeAtomic(join(dir, EMBEDDINGS_FILE), encodeParquet(rows));
  await writeAtomic(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
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

/** Reads the rows of DIR/embeddings.parquet (all columns, including item_key/item_index if any). */
export async function readStoreRows(dir: string): Promise<EmbeddingRows> {
  const path = join(dir, EMBEDDINGS_FILE);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new InputError(path, 'not found');
  }
  return decodeParquet(bytes, path);
}

/**
 * Reads only the id and item_key columns of DIR/embeddings.parquet (what a resumed run needs to
 * know which items are done); itemKeys is absent for stores without that column.
 */
export async function readStoreIndex(dir: string): Promise<{ ids: string[]; itemKeys?: string[] }> {
  const path = join(dir, EMBEDDINGS_FILE);
  const bytes = await readFile(path);
  const schema = pq.readSchema(bytes);
  let hasKeys = false;
  try {
    hasKeys = schema.indexOf('item_key') >= 0;
  } catch {
    // indexOf throws for a missing column.
  }
  schema.free();
  const columns = hasKeys ? ['id', 'item_key'] : ['id'];
  const table = arrow.tableFromIPC(pq.readParquet(bytes, { columns }).intoIPCStream());
  const ids = ((table.getChild('id')?.toArray() ?? []) as unknown[]).map(String);
  const keys = table.getChild('item_key');
  return keys === null ? { ids } : { ids, itemKeys: (keys.toArray() as unknown[]).map(String) };
}

/**
 * Reads a store: DIR/embeddings.parquet and DIR/meta.json, checked against each other.
 * @returns rows in file order; data (n, dim), logits (n, classes) when present
 */
export async function readEmbeddings(dir: string): Promise<EmbeddingSet> {
  const meta = await readStoreMeta(dir);
  const rows = await readStoreRows(dir);
  const path = join(dir, EMBEDDINGS_FILE);
  if (rows.ids.length > 0 && rows.dim !== meta.dim) {
    throw new InputError(
      path,
      `embeddings have ${rows.dim} values per row but meta.json says dim ${meta.dim}`,
      {
        field: 'embedding',
      },
    );
  }
  if (meta.classes !== undefined && rows.logits !== undefined && rows.logitsDim !== meta.classes.length) {
    throw new InputError(
      path,
      `logits have ${rows.logitsDim} values per row but meta.json lists ${meta.classes.length} classes`,
      {
        field: 'logits',
      },
    );
  }
  const set: EmbeddingSet = { ids: rows.ids, dim: meta.dim, data: rows.data, modelId: meta.modelId };
  if (rows.logits !== undefined) set.logits = rows.logits;
  if (meta.classes !== undefined) set.classes = meta.classes;
  if (meta.preprocessHash !== undefined) set.preprocessHash = meta.preprocessHash;
  return set;
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
