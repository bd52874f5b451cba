/**
 * Reads what the curation commands work on: a manifest and its embedding store, matched and checked
 * (points.ts). Items the embedding run could not embed (DIR/failures.jsonl) are left out and
 * reported; any other mismatch is an error.
 */
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ManifestItem } from '../core/types.js';
import { readManifest, resolveSource, writeManifest } from '../data/manifest.js';
import { EMBEDDINGS_FILE, readEmbeddings, readFailures } from '../embed/store.js';
import { alignEmbeddings, type DistanceMetric, type PointMatrix } from './points.js';

export interface CurationInput {
  manifestPath: string;
  /** Items with embeddings, in manifest order (row i of points). */
  items: ManifestItem[];
  points: PointMatrix;
  modelId: string;
  /** Ids left out because the embedding run recorded them as failures. */
  excludedFailures: string[];
}

export async function loadCurationInput(
  manifestPath: string,
  embeddingsDir: string,
  metric: DistanceMetric = 'cosine',
): Promise<CurationInput> {
  const manifest = await readManifest(manifestPath);
  const set = await readEmbeddings(embeddingsDir);
  const failedIds = new Set((await readFailures(embeddingsDir)).map((f) => f.id));
  const aligned = alignEmbeddings(manifest, set, {
    metric,
    failedIds,
    inPlace: true,
    source: join(embeddingsDir, EMBEDDINGS_FILE),
  });
  return { manifestPath, modelId: set.modelId, ...aligned };
}

/**
 * Writes a subset of a manifest's items, in the order given, to another file; relative sources are
 * rewritten relative to the new file's folder so that they still point at the same images.
 */
export async function writeSubsetManifest(
  outPath: string,
  manifestPath: string,
  items: readonly ManifestItem[],
): Promise<void> {
  const outDir = dirname(resolve(outPath));
  const sameDir = outDir === dirname(resolve(manifestPath));
  const moved = items.map((item) => {
    if (sameDir || isAbsolute(item.source)) return item;
    return { ...item, source: relative(outDir, resolveSource(manifestPath, item)) };
  });
  await writeManifest(outPath, moved);
}
