/**
 * The audit's embedding step: every model over every root manifest it needs, each into its own
 * resumable store under OUT/cache/embeddings/<model>/<dataset>/. A finished store is reused as is, so
 * a re-run recomputes nothing; an interrupted one resumes.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FairscopeError } from '../core/errors.js';
import { noProgress, type ProgressReporter, type StartProgress } from '../core/stage.js';
import type { ManifestItem } from '../core/types.js';
import { type LoadedStore, readStore } from '../embed/load.js';
import { storePrecomputed } from '../embed/precomputed.js';
import { embedManifest } from '../embed/run.js';
import { EMBEDDINGS_FILE, readStoreMeta } from '../embed/store.js';
import { defaultWorkers } from '../image/node/pool.js';
import { type LoadedModel, loadModel } from '../models/load.js';

export interface EmbedJob {
  /** Name used for the cache folder and in failures (the dataset name). */
  dataset: string;
  manifestPath: string;
  items: readonly ManifestItem[];
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
  startProgress: StartProgress = noProgress,
): Promise<Map<string, LoadedStore>> {
  const out = new Map<string, LoadedStore>();
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
          let progress: ProgressReporter | undefined;
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
      const store = await readStore(dir);
      if (store.set.ids.length === 0) {
        throw new FairscopeError(
          `model ${modelName}: no image of dataset ${job.dataset} could be embedded (see ${dir}/failures.jsonl)`,
        );
      }
      out.set(job.dataset, store);
    }
  } finally {
    if (loaded?.kind === 'extractor') await loaded.extractor.dispose();
  }
  return out;
}
