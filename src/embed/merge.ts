/**
 * Joins the stores of `fairscope embed --shard i/n` runs into one store, equal to the store a single
 * run over the whole manifest writes: rows ordered by manifest position (item_index), metadata
 * without the shard. Mismatched keys, duplicate ids, and missing or repeated shards are errors.
 */
import { resolve } from 'node:path';
import { InputError, UsageError } from '../core/errors.js';
import type { ImageFailure } from '../image/preprocess.js';
import type { EmbeddingRows } from './columns.js';
import { writeFailures } from './run.js';
import { readFailures, readStoreMeta, readStoreRows, type StoreMeta, writeStore } from './store.js';

export interface MergeSummary {
  out: string;
  stores: number;
  count: number;
  failed: number;
}

const KEY_FIELDS = ['modelId', 'preprocessHash', 'dim', 'classes', 'manifestHash'] as const;

function checkShards(dirs: readonly string[], metas: readonly StoreMeta[]): void {
  const sharded = metas.filter((m) => m.shard !== undefined);
  if (sharded.length === 0) return;
  if (sharded.length !== metas.length) {
    const whole = dirs.filter((_, i) => metas[i].shard === undefined);
    throw new InputError(whole[0], 'is a whole-manifest store; it cannot be merged with shards');
  }
  const count = metas[0].shard?.count as number;
  const seen = new Map<number, string>();
  metas.forEach((m, i) => {
    const s = m.shard as { index: number; count: number };
    if (s.count !== count) {
      throw new InputError(dirs[i], `is shard ${s.index}/${s.count} but ${dirs[0]} is a shard of ${count}`);
    }
    const other = seen.get(s.index);
    if (other !== undefined) throw new InputError(dirs[i], `is shard ${s.index}/${count}, as is ${other}`);
    seen.set(s.index, dirs[i]);
  });
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length > 0) {
    throw new UsageError(`shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing from the merge`);
  }
}

/** Merges store folders into `out`. */
export async function mergeStores(dirs: readonly string[], out: string): Promise<MergeSummary> {
  if (dirs.length === 0) throw new UsageError('merge needs at least one store folder');
  if (dirs.some((d) => resolve(d) === resolve(out))) {
    throw new UsageError(`--out ${out} is also an input; write the merge to a new folder`);
  }
  const metas = await Promise.all(dirs.map((d) => readStoreMeta(d)));
  for (const field of KEY_FIELDS) {
    const first = JSON.stringify(metas[0][field] ?? null);
    metas.forEach((m, i) => {
      if (JSON.stringify(m[field] ?? null) !== first) {
        throw new InputError(
          `${dirs[i]}/meta.json`,
          `has ${field} ${JSON.stringify(m[field] ?? null)} but ${dirs[0]} has ${first}: these stores cannot be merged`,
          { field },
        );
      }
    });
  }
  checkShards(dirs, metas);

  const all: EmbeddingRows[] = [];
  for (const d of dirs) all.push(await readStoreRows(d));
  const owner = new Map<string, number>();
  for (let s = 0; s < all.length; s++) {
    for (const id of all[s].ids) {
      const o = owner.get(id);
      if (o !== undefined) throw new InputError(dirs[s], `id "${id}" is also in ${dirs[o]}`, { field: 'id' });
      owner.set(id, s);
    }
  }
  const dim = metas[0].dim;
  const logitsDim = all.find((r) => r.logits !== undefined)?.logitsDim ?? 0;
  const withIndex = all.every((r) => r.itemIndex !== undefined);
  // (store, row) pairs in output order: by manifest position when known, else as given.
  const order: [number, number][] = [];
  all.forEach((r, s) => {
    for (let i = 0; i < r.ids.length; i++) order.push([s, i]);
  });
  if (withIndex) {
    const idx = (p: [number, number]) => (all[p[0]].itemIndex as Int32Array)[p[1]];
    order.sort((a, b) => idx(a) - idx(b) || a[0] - b[0] || a[1] - b[1]);
  }
  const n = order.length;
  const hasKeys = all.every((r) => r.itemKeys !== undefined);
  const rows: EmbeddingRows = {
    ids: order.map(([s, i]) => all[s].ids[i]),
    dim,
    data: new Float32Array(n * dim),
    logitsDim,
    ...(hasKeys ? { itemKeys: order.map(([s, i]) => (all[s].itemKeys as string[])[i]) } : {}),
    ...(withIndex
      ? { itemIndex: Int32Array.from(order, ([s, i]) => (all[s].itemIndex as Int32Array)[i]) }
      : {}),
  };
  if (logitsDim > 0) rows.logits = new Float32Array(n * logitsDim);
  order.forEach(([s, i], k) => {
    const src = all[s];
    rows.data.set(src.data.subarray(i * dim, (i + 1) * dim), k * dim);
    if (rows.logits !== undefined) {
      if (src.logits === undefined || src.logitsDim !== logitsDim) {
        throw new InputError(
          dirs[s],
          `has no logits (or another width) while other stores have ${logitsDim}`,
        );
      }
      rows.logits.set(src.logits.subarray(i * logitsDim, (i + 1) * logitsDim), k * logitsDim);
    }
  });
  const failures: ImageFailure[] = [];
  for (const d of dirs) failures.push(...(await readFailures(d)));
  const providers = [...new Set(metas.map((m) => m.provider).filter((p) => p !== undefined))];
  const { shard: _shard, ...base } = metas[0];
  const meta: StoreMeta = {
    ...base,
    count: n,
    failures: failures.length,
    ...(providers.length === 0 ? {} : { provider: providers.join(', ') }),
  };
  await writeStore(out, rows, meta);
  await writeFailures(out, failures);
  return { out, stores: dirs.length, count: n, failed: failures.length };
}
