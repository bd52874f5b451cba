/**
 * The audit's embedding step: every model over every root manifest it needs, each into its own
 * resumable store under OUT/cache/embeddings/<model>/<dataset>/. A finished store is reused as is, so
 * a re-run recomputes nothing; an interrupted one resumes.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startProgress } from '../cli/progress.js';
import { FairscopeError } from '../core/errors.js';
import type { FailedItem } from '../core/results.js';
import type { EmbeddingSet, ManifestItem } from '../core/types.js';
import { storePrecomputed } from '../embed/precomputed.js';
import { embedManifest } from '../embed/run.js';
import { EMBEDDINGS_FILE, readEmbeddings, readFailures, readStoreMeta } from '../embed/store.js';
import { defaultWorkers } from '../image/pool.js';
import { type LoadedModel, loadModel } from '../models/load.js';

/** One model's embeddings of one manifest, with fast lookup of rows by id. */
export interface StoredEmbeddings {
  set: EmbeddingSet;
  rowOf: Map<string, number>;
  failures: FailedItem[];
  provider: string;
}

export interface EmbedJob {
  /** Name used for the cache folder and in failures (the dataset name). */
  dataset: string;
  manifestPath: string;
  items: readonly ManifestItem[];
}

function indexRows(set: EmbeddingSet): Map<string, number> {
  return new Map(set.ids.map((id, i) => [id, i]));
}

/** The file in OUT/cache/embeddings/<model>/ naming the model its stores were computed with. */
const MODEL_STAMP = 'model-id.txt';

/**
 * Drops a model name's cached embeddings and probes (OUT/cache/{embeddings,probes}/<model>/) when
 * they were computed with another model than `identity` (a retrained model's weights hash, or a
 * changed `model:`), and records `identity`. Caches without a record are kept when `trusted`
 * (folders written before records existed) and dropped otherwise.
 * @returns true when caches were dropped
 */
export async function resetStaleModelCache(
  outDir: string,
  modelName: string,
  identity: string,
  trusted: boolean,
): Promise<boolean> {
  const dir = join(outDir, 'cache', 'embeddings', modelName);
  const stamp = join(dir, MODEL_STAMP);
  const recorded = existsSync(stamp) ? (await readFile(stamp, 'utf8')).trim() : undefined;
  if (recorded === identity) return false;
  const stale = recorded !== undefined || (!trusted && existsSync(dir));
  if (stale) {
    await rm(dir, { recursive: true, force: true });
    await rm(join(outDir, 'cache', 'probes', modelName), { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  await writeFile(stamp, `${identity}\n`);
  return stale;
}

/** Embeds the jobs with one model (loaded only if some store is missing or unfinished). */
export async function embedJobs(
  modelName: string,
  modelSpec: string,
  jobs: readonly EmbedJob[],
  outDir: string,
  batchSize: number,
): Promise<Map<string, StoredEmbeddings>> {
  const out = new Map<string, StoredEmbeddings>();
  let loaded: LoadedModel | undefined;
  try {
    for (const job of jobs) {
      const dir = join(outDir, 'cache', 'embeddings', modelName, job.dataset);
      const finished = existsSync(join(dir, EMBEDDINGS_FILE)) && (await readStoreMeta(dir)).count > 0;
      if (!finished) {
        loaded ??= await loadModel(modelSpec);
        if (loaded.kind === 'embeddings') {
          await storePrecomputed({
            set: loaded.set,
            source: loaded.descriptor.path,
            manifestPath: job.manifestPath,
            items: job.items,
            out: dir,
          });
        } else {
          const extractor = loaded.extractor;
          let progress: ReturnType<typeof startProgress> | undefined;
          try {
            await embedManifest({
              extractor,
              manifestPath: job.manifestPath,
              items: job.items,
              out: dir,
              batchSize,
              workers: defaultWorkers(),
              onStart(todo) {
                if (todo > 0) progress = startProgress(`embed ${modelName} × ${job.dataset}`, todo);
              },
              onProgress(n) {
                progress?.tick(n);
              },
            });
          } finally {
            progress?.stop();
          }
        }
      }
      const set = await readEmbeddings(dir);
      const meta = await readStoreMeta(dir);
      const failures = (await readFailures(dir)).map((f) => ({
        dataset: job.dataset,
        id: f.id,
        reason: f.reason,
      }));
      if (set.ids.length === 0) {
        throw new FairscopeError(
          `model ${modelName}: no image of dataset ${job.dataset} could be embedded (see ${dir}/failures.jsonl)`,
        );
      }
      out.set(job.dataset, { set, rowOf: indexRows(set), failures, provider: meta.provider ?? 'unknown' });
    }
  } finally {
    if (loaded?.kind === 'extractor') await loaded.extractor.dispose();
  }
  return out;
}

/**
 * Rows of `items` in a store, in item order, skipping items that failed to embed.
 * @returns the kept items and their (kept, dim) embeddings (and logits when the store has them)
 */
export function selectRows(
  stored: StoredEmbeddings,
  items: readonly ManifestItem[],
): { items: ManifestItem[]; embeddings: Float32Array; logits?: Float32Array } {
  const { set, rowOf } = stored;
  const kept: ManifestItem[] = [];
  const rows: number[] = [];
  for (const it of items) {
    const r = rowOf.get(it.id);
    if (r !== undefined) {
      kept.push(it);
      rows.push(r);
    }
  }
  const dim = set.dim;
  const embeddings = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    embeddings.set(set.data.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  let logits: Float32Array | undefined;
  if (set.logits !== undefined && set.classes !== undefined) {
    const c = set.classes.length;
    logits = new Float32Array(rows.length * c);
    rows.forEach((r, i) => {
      logits?.set((set.logits as Float32Array).subarray(r * c, (r + 1) * c), i * c);
    });
  }
  return logits === undefined ? { items: kept, embeddings } : { items: kept, embeddings, logits };
}
