/**
 * `fairscope embed` as a function: manifest + extractor -> embedding store, resumable, streamed.
 *
 * 1. The store key (model id, preprocess hash, dim, logits width) must match what DIR already holds
 *    (meta.json of a finished run, parts/run.json of an unfinished one): a mismatch is an error,
 *    never a silent mix.
 * 2. Plan (first read of the manifest): items already embedded (same id and same item key, in a
 *    part file or the finished store) are reused, the others are to embed; the manifest hash is
 *    computed on the way.
 * 3. Embed (second read): the items to embed are decoded in the worker pool and embedded batch by
 *    batch, and each finished batch is written at once as a part file. Killing the process loses
 *    only the batches in flight. Failed images are retried by the next run (a fixed file then gets
 *    embedded).
 * 4. Consolidation (third read): rows in manifest order -> DIR/embeddings.parquet, one row group at
 *    a time, then meta.json; failures -> DIR/failures.jsonl; then the part files are removed.
 *
 * Given the items as an AsyncIterable (manifestFile(path)), the run never holds them all: it keeps
 * 4 bytes of plan per manifest line (row-plan.ts), and while planning 24 bytes per row already on
 * disk (done-index.ts), plus the path of each part file (row-sources.ts). Every read after the first
 * checks that the manifest has not changed.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FairscopeError, InputError } from '../core/errors.js';
import type { FeatureExtractor } from '../core/types.js';
import { resolveSource } from '../data/manifest.js';
import { defaultWorkers, PreprocessPool } from '../image/node/pool.js';
import { type ImageFailure, type ImageTask, preprocessHash } from '../image/preprocess.js';
import { preparedBatches } from './batches.js';
import type { EmbeddingRows } from './columns.js';
import { consolidatedChunks } from './consolidate.js';
import { DoneIndex } from './done-index.js';
import { itemKey } from './keys.js';
import { ManifestReads, type ManifestSource } from './manifest-reads.js';
import { readRunKey, removeParts, type StoreKey, writePart, writeRunKey } from './parts.js';
import { RowPlan, SKIPPED, TODO } from './row-plan.js';
import { RowSources } from './row-sources.js';
import { inShard, type Shard } from './shard.js';
import {
  EMBEDDINGS_FILE,
  FAILURES_FILE,
  META_FILE,
  readStoreMeta,
  STORE_FORMAT,
  type StoreMeta,
  writeAtomic,
  writeStoreChunks,
} from './store.js';

export interface EmbedRunOptions {
  extractor: FeatureExtractor;
  /** The manifest file (relative sources resolve against its folder; named in errors). */
  manifestPath: string;
  /**
   * All items of the manifest, in order: an array, or an AsyncIterable that reads them again from
   * the first each time it is iterated (manifestFile(path): the items are never all in memory). It
   * is read up to three times; a one-shot generator is refused.
   */
  items: ManifestSource;
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

/** A task of this run: the image, and what its row records (item key, manifest position). */
interface EmbedTask extends ImageTask {
  key: string;
  index: number;
}

/** What the first read of the manifest found. */
interface Planned {
  plan: RowPlan;
  /** The rows on disk, to which embedMissing adds its parts (the caller closes it). */
  sources: RowSources;
  /** Lines of the shard. */
  wanted: number;
  /** Lines of the shard without a row. */
  todo: number;
}

/**
 * Opens the rows on disk and plans every manifest line (first read): another shard's, reused (a row
 * with its id and item key exists: the first one, a part before the store) or to embed. The index
 * of the rows on disk exists only while this runs.
 */
async function planRows(
  opts: EmbedRunOptions,
  reads: ManifestReads,
  key: StoreKey,
  hasStore: boolean,
): Promise<Planned> {
  const done = new DoneIndex();
  const sources = await RowSources.open(opts.out, hasStore, key, (id, k, row) => done.add(id, k, row));
  const plan = new RowPlan();
  let wanted = 0;
  let todo = 0;
  try {
    for await (const { item } of reads.read()) {
      if (!inShard(item.id, opts.shard)) {
        plan.push(SKIPPED);
        continue;
      }
      wanted++;
      const row = done.find(item.id, itemKey(item));
      if (row < 0) todo++;
      plan.push(row < 0 ? TODO : row);
    }
  } catch (err) {
    sources.close();
    throw err;
  }
  return { plan, sources, wanted, todo };
}

/** The tasks of the lines still to embed, in manifest order (a new read of the manifest). */
async function* todoTasks(
  opts: EmbedRunOptions,
  reads: ManifestReads,
  plan: RowPlan,
): AsyncGenerator<EmbedTask> {
  for await (const { item, index } of reads.read()) {
    if (plan.get(index) !== TODO) continue;
    yield {
      id: item.id,
      path: resolveSource(opts.manifestPath, item),
      ...(item.bbox === undefined ? {} : { bbox: item.bbox }),
      ...(item.roi === undefined ? {} : { roi: item.roi }),
      key: itemKey(item),
      index,
    };
  }
}

/** Embeds what is not done yet, writing one part file per batch and planning its rows. */
async function embedMissing(
  opts: EmbedRunOptions,
  reads: ManifestReads,
  planned: Planned,
  logitsDim: number,
): Promise<{ embedded: number; failures: ImageFailure[] }> {
  const { extractor } = opts;
  const tasks = todoTasks(opts, reads, planned.plan);
  const pool = new PreprocessPool(extractor.preprocess, opts.workers ?? defaultWorkers());
  const failures: ImageFailure[] = [];
  let embedded = 0;
  try {
    for await (const prepared of preparedBatches(pool, tasks, opts.batchSize ?? 32, opts.prefetch ?? 2)) {
      failures.push(...prepared.failures);
      const { batch } = prepared;
      if (batch.ids.length > 0) {
        const output = await extractor.embed(batch);
        checkOutput(extractor, batch.ids, output.embedding, output.logits, logitsDim);
        const rows: EmbeddingRows = {
          ids: batch.ids,
          dim: extractor.embeddingDim,
          data: output.embedding,
          logitsDim,
          ...(logitsDim > 0 ? { logits: output.logits } : {}),
          itemKeys: prepared.tasks.map((t) => t.key),
          itemIndex: Int32Array.from(prepared.tasks, (t) => t.index),
        };
        const first = planned.sources.addPart(await writePart(opts.out, rows), batch.ids.length);
        prepared.tasks.forEach((t, i) => {
          planned.plan.set(t.index, first + i);
        });
        embedded += batch.ids.length;
      }
      opts.onProgress?.(prepared.size);
    }
  } finally {
    await pool.close();
  }
  return { embedded, failures };
}

/** Writes failures.jsonl (always, so a re-run clears failures that have been fixed). */
export async function writeFailures(out: string, failures: readonly ImageFailure[]): Promise<void> {
  await writeAtomic(join(out, FAILURES_FILE), failures.map((f) => `${JSON.stringify(f)}\n`).join(''));
}

/** Embeds a manifest (or one shard of it) into a store folder, resuming whatever was done before. */
export async function embedManifest(opts: EmbedRunOptions): Promise<EmbedSummary> {
  const started = Date.now();
  const { extractor, out } = opts;
  const empty = () => new InputError(opts.manifestPath, 'the manifest is empty (no items)');
  if (Array.isArray(opts.items) && opts.items.length === 0) throw empty();
  const ppHash = preprocessHash(extractor.preprocess);
  const logitsDim = extractor.classes?.length ?? 0;
  const key: StoreKey = {
    modelId: extractor.id,
    preprocessHash: ppHash,
    dim: extractor.embeddingDim,
    logitsDim,
  };
  const reads = new ManifestReads(opts.items, opts.manifestPath);
  const meta = await checkStoreKey(out, key);
  const hasStore = meta !== null && existsSync(join(out, EMBEDDINGS_FILE));
  const planned = await planRows(opts, reads, key, hasStore);
  const { plan, sources, wanted, todo } = planned;
  try {
    if (reads.count === 0) throw empty();
    const mHash = reads.hash;
    await mkdir(out, { recursive: true });
    await writeRunKey(out, key);
    const reused = wanted - todo;
    opts.onStart?.(todo, reused);

    const upToDate =
      todo === 0 &&
      meta !== null &&
      meta.manifestHash === mHash &&
      sources.earlierParts === 0 &&
      JSON.stringify(meta.shard ?? null) === JSON.stringify(opts.shard ?? null);
    const ran =
      todo > 0 ? await embedMissing(opts, reads, planned, logitsDim) : { embedded: 0, failures: [] };

    let count = meta?.count ?? 0;
    let failures: ImageFailure[] = [];
    if (!upToDate) {
      const reasons = new Map(ran.failures.map((f) => [f.id, f.reason]));
      const missing: ImageFailure[] = [];
      const chunks = consolidatedChunks({
        reads,
        plan,
        sources,
        key,
        onMissing: (id) => missing.push({ id, reason: reasons.get(id) ?? 'not embedded' }),
      });
      await writeStoreChunks(out, chunks, () => ({
        format: STORE_FORMAT,
        modelId: key.modelId,
        dim: key.dim,
        ...(extractor.classes === undefined ? {} : { classes: extractor.classes }),
        preprocessHash: ppHash,
        preprocess: extractor.preprocess,
        manifestHash: mHash,
        count: wanted - missing.length,
        provider: extractor.provider,
        ...(opts.shard === undefined ? {} : { shard: opts.shard }),
        failures: missing.length,
      }));
      failures = missing;
      await writeFailures(out, failures);
      await removeParts(out);
      count = wanted - failures.length;
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
      items: wanted,
      reused,
      embedded: ran.embedded,
      failed: failures.length,
      count,
      seconds,
      itemsPerSecond: ran.embedded / Math.max(seconds, 1e-9),
      failures,
    };
  } finally {
    sources.close();
  }
}
