/**
 * `fairscope embed` as a function: manifest + extractor -> embedding store, resumable.
 *
 * 1. The store key (model id, preprocess hash, dim, logits width) must match what DIR already holds
 *    (meta.json of a finished run, parts/run.json of an unfinished one): a mismatch is an error,
 *    never a silent mix.
 * 2. Items already embedded (same id and same item key, in the finished store or in a part file) are
 *    skipped; the rest are decoded in the worker pool, embedded batch by batch, and each finished
 *    batch is written at once as a part file. Killing the process loses only the batches in flight.
 *    Failed images are retried by the next run (a fixed file then gets embedded).
 * 3. Consolidation: rows in manifest order -> DIR/embeddings.parquet + meta.json, failures ->
 *    DIR/failures.jsonl, then the part files are removed.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FairscopeError, InputError } from '../core/errors.js';
import type { FeatureExtractor, ManifestItem } from '../core/types.js';
import { resolveSource } from '../data/manifest.js';
import { defaultWorkers, PreprocessPool } from '../image/node/pool.js';
import { type ImageFailure, type ImageTask, preprocessHash } from '../image/preprocess.js';
import { preparedBatches } from './batches.js';
import type { EmbeddingRows } from './columns.js';
import { itemKey, manifestHash } from './keys.js';
import {
  listParts,
  readPart,
  readRunKey,
  removeParts,
  type StoreKey,
  writePart,
  writeRunKey,
} from './parts.js';
import { inShard, type Shard } from './shard.js';
import {
  EMBEDDINGS_FILE,
  FAILURES_FILE,
  META_FILE,
  readStoreIndex,
  readStoreMeta,
  readStoreRows,
  STORE_FORMAT,
  type StoreMeta,
  writeAtomic,
  writeStore,
} from './store.js';

export interface EmbedRunOptions {
  extractor: FeatureExtractor;
  /** The manifest file (relative sources resolve against its folder; named in errors). */
  manifestPath: string;
  /** All items of the manifest, in order. */
  items: readonly ManifestItem[];
  /** The store folder. */
  out: string;
  /** Items per extractor call (default 32). */
  batchSize?: number;
  /** Decoding threads (default one per core; 0 decodes on the main thread). */
  workers?: number;
  shard?: Shard;
  /** Batches decoded ahead of the extractor (default 2). */
  prefetch?: number;
  /** Called once the work is known: items to embed now, and items reused from earlier runs. */
  onStart?(todo: number, reused: number): void;
  /** Called after each batch with the number of items it covered. */
  onProgress?(items: number): void;
}

export interface EmbedSummary {
  out: string;
  modelId: string;
  provider: string;
  preprocessHash: string;
  manifestHash: string;
  shard?: Shard;
  /** Items of the manifest (of the shard). */
  items: number;
  /** Rows reused from an earlier, interrupted or finished run. */
  reused: number;
  /** Rows computed by this run. */
  embedded: number;
  failed: number;
  /** Rows in the store. */
  count: number;
  seconds: number;
  /** Items embedded per second by this run. */
  itemsPerSecond: number;
  failures: ImageFailure[];
}

interface Wanted {
  item: ManifestItem;
  index: number;
  key: string;
}

/** The items of the shard with their manifest positions and item keys. */
function wantedItems(items: readonly ManifestItem[], shard: Shard | undefined): Wanted[] {
  const out: Wanted[] = [];
  items.forEach((item, index) => {
    if (inShard(item.id, shard)) out.push({ item, index, key: itemKey(item) });
  });
  return out;
}

function describeKey(k: Pick<StoreKey, 'modelId' | 'preprocessHash' | 'dim'>): string {
  return `model "${k.modelId}" (preprocess ${k.preprocessHash}, dim ${k.dim})`;
}

/** Refuses to reuse a folder computed with another model or preprocessing. */
export async function checkStoreKey(out: string, key: StoreKey): Promise<StoreMeta | null> {
  const advice = 'use another --out folder, or delete this one to recompute';
  let meta: StoreMeta | null = null;
  if (existsSync(join(out, META_FILE))) {
    meta = await readStoreMeta(out);
    const logitsDim = meta.classes?.length ?? key.logitsDim;
    if (
      meta.modelId !== key.modelId ||
      meta.preprocessHash !== key.preprocessHash ||
      meta.dim !== key.dim ||
      logitsDim !== key.logitsDim
    ) {
      const was = { modelId: meta.modelId, preprocessHash: meta.preprocessHash ?? 'none', dim: meta.dim };
      throw new InputError(
        join(out, META_FILE),
        `holds embeddings of ${describeKey(was)}; this run is ${describeKey(key)}: ${advice}`,
      );
    }
  }
  const run = await readRunKey(out);
  if (
    run !== null &&
    (run.modelId !== key.modelId ||
      run.preprocessHash !== key.preprocessHash ||
      run.dim !== key.dim ||
      run.logitsDim !== key.logitsDim)
  ) {
    throw new InputError(
      join(out, 'parts', 'run.json'),
      `an unfinished run of ${describeKey(run)} is in this folder; this run is ${describeKey(key)}: ${advice}`,
    );
  }
  return meta;
}

/** Ids already embedded with the item key they were embedded for (finished store, then parts). */
async function doneItems(out: string, hasStore: boolean): Promise<Map<string, string>> {
  const done = new Map<string, string>();
  if (hasStore) {
    const index = await readStoreIndex(out);
    const keys = index.itemKeys;
    if (keys !== undefined) {
      for (let i = 0; i < index.ids.length; i++) done.set(index.ids[i], keys[i]);
    }
  }
  for (const path of await listParts(out)) {
    const rows = await readPart(path);
    for (let i = 0; i < rows.ids.length; i++) done.set(rows.ids[i], rows.itemKeys?.[i] ?? '');
  }
  return done;
}

/** Checks one extractor output against the batch; non-finite values are an error naming the ids. */
function checkOutput(
  extractor: FeatureExtractor,
  ids: readonly string[],
  embedding: Float32Array,
  logits: Float32Array | undefined,
  logitsDim: number,
): void {
  const n = ids.length;
  const dim = extractor.embeddingDim;
  if (embedding.length !== n * dim) {
    throw new FairscopeError(
      `model "${extractor.id}" returned ${embedding.length} embedding values for ${n} images, expected ${n} x ${dim}`,
    );
  }
  if (logitsDim > 0 && (logits === undefined || logits.length !== n * logitsDim)) {
    throw new FairscopeError(
      `model "${extractor.id}" returned ${logits?.length ?? 0} logits for ${n} images, expected ${n} x ${logitsDim}`,
    );
  }
  const bad: string[] = [];
  for (let r = 0; r < n; r++) {
    let finite = true;
    for (let j = r * dim; j < (r + 1) * dim && finite; j++) finite = Number.isFinite(embedding[j]);
    if (finite && logitsDim > 0) {
      const lg = logits as Float32Array;
      for (let j = r * logitsDim; j < (r + 1) * logitsDim && finite; j++) finite = Number.isFinite(lg[j]);
    }
    if (!finite) bad.push(ids[r]);
  }
  if (bad.length > 0) {
    throw new FairscopeError(
      `model "${extractor.id}" produced NaN or infinite values for ${bad.length} image(s): ${bad.slice(0, 10).join(', ')}${bad.length > 10 ? ', ...' : ''}`,
    );
  }
}

/** Embeds what is not done yet, writing one part file per batch. */
async function embedMissing(
  opts: EmbedRunOptions,
  todo: Wanted[],
  logitsDim: number,
): Promise<{ embedded: number; failures: ImageFailure[] }> {
  const { extractor } = opts;
  const tasks: ImageTask[] = todo.map((w) => ({
    id: w.item.id,
    path: resolveSource(opts.manifestPath, w.item),
    ...(w.item.bbox === undefined ? {} : { bbox: w.item.bbox }),
    ...(w.item.roi === undefined ? {} : { roi: w.item.roi }),
  }));
  const pool = new PreprocessPool(extractor.preprocess, opts.workers ?? defaultWorkers());
  const failures: ImageFailure[] = [];
  let embedded = 0;
  try {
    for await (const prepared of preparedBatches(pool, tasks, opts.batchSize ?? 32, opts.prefetch ?? 2)) {
      failures.push(...prepared.failures);
      const { batch, positions } = prepared;
      if (batch.ids.length > 0) {
        const output = await extractor.embed(batch);
        checkOutput(extractor, batch.ids, output.embedding, output.logits, logitsDim);
        const rows: EmbeddingRows = {
          ids: batch.ids,
          dim: extractor.embeddingDim,
          data: output.embedding,
          logitsDim,
          ...(logitsDim > 0 ? { logits: output.logits } : {}),
          itemKeys: positions.map((p) => todo[p].key),
          itemIndex: Int32Array.from(positions, (p) => todo[p].index),
        };
        await writePart(opts.out, rows);
        embedded += batch.ids.length;
      }
      opts.onProgress?.(prepared.size);
    }
  } finally {
    await pool.close();
  }
  return { embedded, failures };
}

/**
 * Gathers the rows of the wanted items, in manifest order, from the parts and the finished store.
 * @returns the rows and the wanted items that have none
 */
async function gatherRows(out: string, wanted: Wanted[], key: StoreKey, hasStore: boolean) {
  const byId = new Map(wanted.map((w) => [w.item.id, w]));
  const sources: EmbeddingRows[] = [];
  for (const path of await listParts(out)) sources.push(await readPart(path));
  if (hasStore) sources.push(await readStoreRows(out));
  const found = new Map<string, { src: EmbeddingRows; row: number }>();
  for (const src of sources) {
    src.ids.forEach((id, row) => {
      const w = byId.get(id);
      if (w !== undefined && src.itemKeys?.[row] === w.key && !found.has(id)) found.set(id, { src, row });
    });
  }
  const present = wanted.filter((w) => found.has(w.item.id));
  const n = present.length;
  const rows: EmbeddingRows = {
    ids: present.map((w) => w.item.id),
    dim: key.dim,
    data: new Float32Array(n * key.dim),
    logitsDim: key.logitsDim,
    itemKeys: present.map((w) => w.key),
    itemIndex: Int32Array.from(present, (w) => w.index),
  };
  if (key.logitsDim > 0) rows.logits = new Float32Array(n * key.logitsDim);
  present.forEach((w, i) => {
    const { src, row } = found.get(w.item.id) as { src: EmbeddingRows; row: number };
    rows.data.set(src.data.subarray(row * key.dim, (row + 1) * key.dim), i * key.dim);
    if (rows.logits !== undefined && src.logits !== undefined) {
      rows.logits.set(src.logits.subarray(row * key.logitsDim, (row + 1) * key.logitsDim), i * key.logitsDim);
    }
  });
  return { rows, missing: wanted.filter((w) => !found.has(w.item.id)) };
}

/** Writes failures.jsonl (always, so a re-run clears failures that have been fixed). */
export async function writeFailures(out: string, failures: readonly ImageFailure[]): Promise<void> {
  await writeAtomic(join(out, FAILURES_FILE), failures.map((f) => `${JSON.stringify(f)}\n`).join(''));
}

/** Embeds a manifest (or one shard of it) into a store folder, resuming whatever was done before. */
export async function embedManifest(opts: EmbedRunOptions): Promise<EmbedSummary> {
  const started = Date.now();
  const { extractor, out } = opts;
  if (opts.items.length === 0) throw new InputError(opts.manifestPath, 'the manifest is empty (no items)');
  const ppHash = preprocessHash(extractor.preprocess);
  const logitsDim = extractor.classes?.length ?? 0;
  const key: StoreKey = {
    modelId: extractor.id,
    preprocessHash: ppHash,
    dim: extractor.embeddingDim,
    logitsDim,
  };
  const mHash = manifestHash(opts.items);
  const wanted = wantedItems(opts.items, opts.shard);

  const meta = await checkStoreKey(out, key);
  const hasStore = meta !== null && existsSync(join(out, EMBEDDINGS_FILE));
  await mkdir(out, { recursive: true });
  await writeRunKey(out, key);

  const done = await doneItems(out, hasStore);
  const todo = wanted.filter((w) => done.get(w.item.id) !== w.key);
  const reused = wanted.length - todo.length;
  opts.onStart?.(todo.length, reused);

  const upToDate =
    todo.length === 0 &&
    meta !== null &&
    meta.manifestHash === mHash &&
    (await listParts(out)).length === 0 &&
    JSON.stringify(meta.shard ?? null) === JSON.stringify(opts.shard ?? null);
  const ran = todo.length > 0 ? await embedMissing(opts, todo, logitsDim) : { embedded: 0, failures: [] };

  let count = meta?.count ?? 0;
  let failures: ImageFailure[] = [];
  if (!upToDate) {
    const { rows, missing } = await gatherRows(out, wanted, key, hasStore);
    const reasons = new Map(ran.failures.map((f) => [f.id, f.reason]));
    failures = missing.map((w) => ({ id: w.item.id, reason: reasons.get(w.item.id) ?? 'not embedded' }));
    const storeMeta: StoreMeta = {
      format: STORE_FORMAT,
      modelId: key.modelId,
      dim: key.dim,
      ...(extractor.classes === undefined ? {} : { classes: extractor.classes }),
      preprocessHash: ppHash,
      preprocess: extractor.preprocess,
      manifestHash: mHash,
      count: rows.ids.length,
      provider: extractor.provider,
      ...(opts.shard === undefined ? {} : { shard: opts.shard }),
      failures: failures.length,
    };
    await writeStore(out, rows, storeMeta);
    await writeFailures(out, failures);
    await removeParts(out);
    count = rows.ids.length;
  } else {
    await removeParts(out);
  }
  const seconds = (Date.now() - started) / 1000;
  return {
    out,
    modelId: key.modelId,
    provider: extractor.provider,
    preprocessHash: ppHash,
    manifestHash: mHash,
    ...(opts.shard === undefined ? {} : { shard: opts.shard }),
    items: wanted.length,
    reused,
    embedded: ran.embedded,
    failed: failures.length,
    count,
    seconds,
    itemsPerSecond: ran.embedded / Math.max(seconds, 1e-9),
    failures,
  };
}
