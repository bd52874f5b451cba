/**
 * Typicality: how dense the neighbourhood of a point is [0]. With cosine distance it is the mean
 * cosine similarity to the point's k nearest neighbours (itself excluded); with euclidean distance,
 * 1 / (mean distance to the k nearest neighbours), as in TypiClust [0]. "typical" selection takes the
 * most typical points first, "unique" the least typical (the largest kNN distance) first.
 *
 * [0] Hacohen, Dekel & Weinshall, "Active Learning on a Budget: Opposite Strategies Suit High and Low
 *     Budgets", 2022, arXiv:2202.02794 (typicality with k = 20).
 */

import type { PointMatrix } from './points.js';
import { innerProductKnn, type SearchOptions } from './search.js';

export const TYPICALITY_NEIGHBOURS = 20;

export interface TypicalityResult {
  /** (n) higher = more typical. */
  scores: Float32Array;
  /** Neighbours used (k, or n - 1 when smaller). */
  k: number;
  method: 'exact' | 'hnsw';
}

/**
 * Typicality of every point.
 * @param points (n, dim)
 */
export async function typicality(
  points: PointMatrix,
  options: SearchOptions & { k?: number } = {},
): Promise<TypicalityResult> {
  const { n, dim } = points;
  const k = Math.min(options.k ?? TYPICALITY_NEIGHBOURS, n - 1);
  const scores = new Float32Array(n);
  if (k <= 0) return { scores, k: 0, method: 'exact' };
  let queries = points.data;
  let database = points.data;
  let width = dim;
  if (points.metric === 'euclidean') {
    // Nearest by euclidean distance through inner products: [x, 1] · [y, -‖y‖²/2] = x·y - ‖y‖²/2,
    // which ranks y as -‖x - y‖² does; ‖x - y‖² = ‖x‖² - 2 (that product).
    width = dim + 1;
    queries = new Float32Array(n * width);
    database = new Float32Array(n * width);
    for (let i = 0; i < n; i++) {
      queries.set(points.data.subarray(i * dim, (i + 1) * dim), i * width);
      database.set(points.data.subarray(i * dim, (i + 1) * dim), i * width);
      queries[i * width + dim] = 1;
      database[i * width + dim] = -(points.squaredNorms[i] as number) / 2;
    }
  }
  const knn = await innerProductKnn(queries, n, database, n, width, k + 1, options);
  const kk = knn.k;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    let used = 0;
    for (let r = 0; r < kk && used < k; r++) {
      const j = knn.indices[i * kk + r] as number;
      if (j === i || j < 0) continue;
      const s = knn.scores[i * kk + r] as number;
      sum +=
        points.metric === 'cosine' ? s : Math.sqrt(Math.max(0, (points.squaredNorms[i] as number) - 2 * s));
      used++;
    }
    const mean = used === 0 ? 0 : sum / used;
    scores[i] = points.metric === 'cosine' ? mean : 1 / (mean + 1e-12);
  }
  return { scores, k, method: knn.method };
}

/**
 * Point indices by typicality: descending for 'typical', ascending for 'unique'; ties to the lower
 * index either way.
 */
export function typicalityOrder(scores: Float32Array, direction: 'typical' | 'unique'): Int32Array {
  const order = Int32Array.from({ length: scores.length }, (_, i) => i);
  const sign = direction === 'typical' ? -1 : 1;
  order.sort((a, b) => sign * ((scores[a] as number) - (scores[b] as number)) || a - b);
  return order;
}
