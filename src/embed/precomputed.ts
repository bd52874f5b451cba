/**
 * Precomputed embeddings (a model of kind 'embeddings'): checked against the manifest and written as
 * the same store `fairscope embed` writes, so every later stage reads one format.
 */
import { mkdir } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import type { EmbeddingSet, ManifestItem } from '../core/types.js';
import type { EmbeddingRows } from './columns.js';
import { itemKey, manifestHash } from './keys.js';
import { removeParts } from './parts.js';
import { checkStoreKey, writeFailures } from './run.js';
import { inShard, type Shard } from './shard.js';
import { STORE_FORMAT, type StoreMeta, writeStore } from './store.js';

/** Preprocess hash recorded for embeddings computed outside fairscope, when the set has none. */
export const PRECOMPUTED_PREPROCESS = 'precomputed';

function examples(ids: readonly string[]): string {
  const shown = ids
    .slice(0, 5)
    .map((id) => JSON.stringify(id))
    .join(', ');
  return ids.length > 5 ? `${shown}, ...` : shown;
}

/**
 * Checks a precomputed set against the whole manifest: the same ids (no missing, no extra, no
 * duplicates) and finite values. Errors give counts and examples, naming `source` (the embeddings
 * file) and the manifest.
 */
export function validatePrecomputed(
  set: EmbeddingSet,
  items: readonly ManifestItem[],
  source: string,
  manifestPath: string,
): void {
  if (set.data.length !== set.ids.length * set.dim) {
    throw new InputError(source, `has ${set.data.length} values for ${set.ids.length} ids of dim ${set.dim}`);
  }
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const id of set.ids) {
    if (seen.has(id)) duplicates.push(id);
    seen.add(id);
  }
  if (duplicates.length > 0) {
    throw new InputError(source, `has ${duplicates.length} duplicate id(s): ${examples(duplicates)}`, {
      field: 'id',
    });
  }
  const manifestIds = new Set(items.map((it) => it.id));
  const missing = items.filter((it) => !seen.has(it.id)).map((it) => it.id);
  const extra = set.ids.filter((id) => !manifestIds.has(id));
  if (missing.length > 0 || extra.length > 0) {
    const parts: string[] = [];
    if (missing.length > 0)
      parts.push(`${missing.length} manifest id(s) have no embedding (${examples(missing)})`);
    if (extra.length > 0)
      parts.push(`${extra.length} embedding id(s) are not in ${manifestPath} (${examples(extra)})`);
    throw new InputError(source, `does not match the manifest: ${parts.join('; ')}`, { field: 'id' });
  }
  const bad: string[] = [];
  const width = set.logits === undefined ? 0 : set.logits.length / Math.max(1, set.ids.length);
  set.ids.forEach((id, r) => {
    let ok = true;
    for (let j = r * set.dim; j < (r + 1) * set.dim && ok; j++) ok = Number.isFinite(set.data[j]);
    if (ok && set.logits !== undefined) {
      for (let j = r * width; j < (r + 1) * width && ok; j++) ok = Number.isFinite(set.logits[j]);
    }
    if (!ok) bad.push(id);
  });
  if (bad.length > 0) {
    throw new InputError(source, `has NaN or infinite values in ${bad.length} row(s): ${examples(bad)}`, {
      field: 'embedding',
    });
  }
}

export interface PrecomputedOptions {
  set: EmbeddingSet;
  /** The embeddings file, named in errors. */
  source: string;
  manifestPath: string;
  items: readonly ManifestItem[];
  out: string;
  shard?: Shard;
}

/**
 * Validates and writes precomputed embeddings as a store, rows in manifest order (of the shard).
 * @returns the number of rows written
 */
export async function storePrecomputed(opts: PrecomputedOptions): Promise<number> {
  const { set, items } = opts;
  if (items.length === 0) throw new InputError(opts.manifestPath, 'the manifest is empty (no items)');
  validatePrecomputed(set, items, opts.source, opts.manifestPath);
  const logitsDim = set.logits === undefined ? 0 : set.logits.length / set.ids.length;
  const preprocessHash = set.preprocessHash ?? PRECOMPUTED_PREPROCESS;
  await checkStoreKey(opts.out, { modelId: set.modelId, preprocessHash, dim: set.dim, logitsDim });
  const rowOf = new Map(set.ids.map((id, i) => [id, i]));
  const wanted = items.map((item, index) => ({ item, index })).filter((w) => inShard(w.item.id, opts.shard));
  const n = wanted.length;
  const rows: EmbeddingRows = {
    ids: wanted.map((w) => w.item.id),
    dim: set.dim,
    data: new Float32Array(n * set.dim),
    logitsDim,
    itemKeys: wanted.map((w) => itemKey(w.item)),
    itemIndex: Int32Array.from(wanted, (w) => w.index),
  };
  if (set.logits !== undefined) rows.logits = new Float32Array(n * logitsDim);
  wanted.forEach((w, i) => {
    const r = rowOf.get(w.item.id) as number;
    rows.data.set(set.data.subarray(r * set.dim, (r + 1) * set.dim), i * set.dim);
    if (rows.logits !== undefined && set.logits !== undefined) {
      rows.logits.set(set.logits.subarray(r * logitsDim, (r + 1) * logitsDim), i * logitsDim);
    }
  });
  const meta: StoreMeta = {
    format: STORE_FORMAT,
    modelId: set.modelId,
    dim: set.dim,
    ...(set.classes === undefined ? {} : { classes: set.classes }),
    preprocessHash,
    manifestHash: manifestHash(items),
    count: n,
    provider: 'precomputed',
    ...(opts.shard === undefined ? {} : { shard: opts.shard }),
    failures: 0,
  };
  await mkdir(opts.out, { recursive: true });
  await writeStore(opts.out, rows, meta);
  await writeFailures(opts.out, []);
  await removeParts(opts.out);
  return n;
}
