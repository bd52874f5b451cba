/**
 * Train/test leakage: test items that have a near-duplicate in the training set, by embedding
 * (the nearest training item's cosine similarity at or above the threshold) and, when pHashes are
 * given, by image hash (a training hash within the Hamming distance). A leaked test item measures
 * memorisation, not generalisation.
 */
import { l2NormalizeRows } from '../linalg/normalize.js';
import { DEDUP_THRESHOLD, type LinkKind, PHASH_DISTANCE } from './dedup.js';
import { nearestHashMatches } from './hash-pairs.js';
import type { ImageHashes } from './phash.js';
import type { PointMatrix } from './points.js';
import { innerProductKnn, type SearchMethod } from './search.js';

export interface LeakageOptions {
  threshold?: number;
  search?: SearchMethod;
  phash?: { train: ImageHashes; test: ImageHashes; maxDistance?: number };
  threads?: number;
  onProgress?: (done: number) => void;
}

export interface Leak {
  /** Test item index. */
  test: number;
  /** The training item it duplicates: the nearest by embedding when that link exists, else by hash. */
  train: number;
  /** Cosine similarity of the test item to its nearest training item (by embedding). */
  similarity: number;
  /** Nearest training item by embedding (may differ from `train` when only the hash matched). */
  nearestTrain: number;
  /** Hamming distance to the closest training hash within the limit (absent otherwise). */
  hammingDistance?: number;
  via: LinkKind[];
}

export interface LeakageResult {
  leaks: Leak[];
  /** Test items compared. */
  tested: number;
  method: 'exact' | 'hnsw';
}

function unit(points: PointMatrix): Float32Array {
  return points.metric === 'cosine' ? points.data : l2NormalizeRows(points.data, points.n, points.dim).data;
}

/** Test items with a near-duplicate in train, in test order. */
export async function findLeaks(
  train: PointMatrix,
  test: PointMatrix,
  options: LeakageOptions = {},
): Promise<LeakageResult> {
  if (train.dim !== test.dim) {
    throw new RangeError(`findLeaks: train embeddings have dim ${train.dim}, test embeddings ${test.dim}`);
  }
  const threshold = options.threshold ?? DEDUP_THRESHOLD;
  const knn = await innerProductKnn(unit(test), test.n, unit(train), train.n, train.dim, 1, {
    ...(options.search === undefined ? {} : { search: options.search }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const hashes =
    options.phash === undefined
      ? undefined
      : nearestHashMatches(
          options.phash.test,
          options.phash.train,
          options.phash.maxDistance ?? PHASH_DISTANCE,
        );
  const leaks: Leak[] = [];
  for (let q = 0; q < test.n; q++) {
    const nearestTrain = knn.indices[q] as number;
    const similarity = knn.scores[q] as number;
    const byEmbedding = nearestTrain >= 0 && similarity >= threshold;
    const hashMatch = hashes === undefined ? -1 : (hashes.match[q] as number);
    if (!byEmbedding && hashMatch < 0) continue;
    const leak: Leak = {
      test: q,
      train: byEmbedding ? nearestTrain : hashMatch,
      similarity,
      nearestTrain,
      via: [
        ...(byEmbedding ? (['embedding'] as const) : []),
        ...(hashMatch >= 0 ? (['phash'] as const) : []),
      ],
    };
    if (hashMatch >= 0) leak.hammingDistance = hashes?.distance[q] as number;
    leaks.push(leak);
  }
  return { leaks, tested: test.n, method: knn.method };
}
