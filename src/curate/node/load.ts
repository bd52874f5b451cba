/**
 * Reads what the curation commands work on: a manifest and its embedding store, matched and checked
 * (points.ts). Items the embedding run could not embed (DIR/failures.jsonl) are left out and
 * reported; any other mismatch is an error.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { ManifestItem } from '../../core/types.js';
import { resolveSource, writeManifest } from '../../data/manifest.js';
import { loadEmbeddedItems } from '../../embed/load.js';
import { type DistanceMetric, type PointMatrix, pointsOf } from '../points.js';

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
  const joined = await loadEmbeddedItems({
    manifest: manifestPath,
    store: embeddingsDir,
    dataset: manifestPath,
  });
  return {
    manifestPath,
    modelId: joined.modelId,
    items: joined.items,
    // Normalised in place: the joined matrix is this function's own (or the store's, read for it).
    points: pointsOf(joined, metric, true),
    excludedFailures: joined.excluded.map((f) => f.id),
  };
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
