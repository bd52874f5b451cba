/**
 * Approximate k-nearest-neighbour search with an HNSW graph (usearch), for databases too large for
 * exact search. Results are re-sorted by (score desc, index asc) for a deterministic order, and their
 * recall against exact search should always be measured and reported (recallAtK).
 */
import type { KnnResult } from './knn.js';

export interface HnswOptions {
  /** Graph degree M (default 16). */
  connectivity?: number;
  /** Candidate list size while building (default 128). */
  expansionAdd?: number;
  /** Candidate list size while searching (default 64; raised to k when smaller). */
  expansionSearch?: number;
  /** Threads for building and searching (default 0: usearch's choice). */
  threads?: number;
}

export const HNSW_DEFAULTS = Object.freeze({ connectivity: 16, expansionAdd: 128, expansionSearch: 64 });

/**
 * Builds an inner-product HNSW index over the database and searches every query.
 * @param queries (nQueries, dim) row-major, L2-normalised for cosine
 * @param database (nDatabase, dim) row-major, L2-normalised for cosine
 */
export async function hnswKnn(
  queries: Float32Array,
  nQueries: number,
  database: Float32Array,
  nDatabase: number,
  dim: number,
  k: number,
  options: HnswOptions = {},
): Promise<KnnResult & { buildSeconds: number; searchSeconds: number }> {
  const { Index, MetricKind, ScalarKind } = await import('usearch');
  const threads = options.threads ?? 0;
  const index = new Index({
    dimensions: dim,
    metric: MetricKind.IP,
    quantization: ScalarKind.F32,
    connectivity: options.connectivity ?? HNSW_DEFAULTS.connectivity,
    expansion_add: options.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
    expansion_search: Math.max(k, options.expansionSearch ?? HNSW_DEFAULTS.expansionSearch),
    multi: false,
  });
  const t0 = performance.now();
  const keys = new BigUint64Array(nDatabase);
  for (let i = 0; i < nDatabase; i++) keys[i] = BigInt(i);
  index.add(keys, database, threads);
  const t1 = performance.now();
  const indices = new Int32Array(nQueries * k).fill(-1);
  const scores = new Float32Array(nQueries * k).fill(Number.NEGATIVE_INFINITY);
  const batch = 1024;
  for (let q0 = 0; q0 < nQueries; q0 += batch) {
    const q1 = Math.min(nQueries, q0 + batch);
    const rows = Array.from({ length: q1 - q0 }, (_, r) =>
      queries.subarray((q0 + r) * dim, (q0 + r + 1) * dim),
    );
    // usearch answers a one-row matrix with a single Matches object, several rows with BatchMatches.
    const res = index.search(rows, k, threads) as unknown as
      | { keys: BigUint64Array; distances: Float32Array }
      | { get(i: number): { keys: BigUint64Array; distances: Float32Array }; counts: BigUint64Array };
    for (let r = 0; r < q1 - q0; r++) {
      const m = 'counts' in res ? res.get(r) : res;
      // IP distance is 1 - dot.
      const hits = Array.from(m.keys, (key, i) => ({ j: Number(key), s: 1 - (m.distances[i] as number) }));
      hits.sort((a, b) => b.s - a.s || a.j - b.j);
      hits.slice(0, k).forEach((h, i) => {
        indices[(q0 + r) * k + i] = h.j;
        scores[(q0 + r) * k + i] = h.s;
      });
    }
  }
  const t2 = performance.now();
  return { k, indices, scores, buildSeconds: (t1 - t0) / 1000, searchSeconds: (t2 - t1) / 1000 };
}

/**
 * Recall@k of approximate neighbours against exact ones: the mean over rows of
 * |approx[:k] ∩ exact[:k]| / k.
 * @param rows for each row of `exact`, the row of `approx` holding the same query (default: the
 *   same row), so that exact search can be run on a sample of the queries
 */
export function recallAtK(approx: KnnResult, exact: KnnResult, k: number, rows?: readonly number[]): number {
  if (k > approx.k || k > exact.k) throw new RangeError(`recallAtK: k=${k} exceeds the neighbours computed`);
  const n = exact.indices.length / exact.k;
  const which = rows ?? Array.from({ length: n }, (_, i) => i);
  if (which.length === 0) return Number.NaN;
  let total = 0;
  for (const [e, q] of which.entries()) {
    const truth = new Set(exact.indices.subarray(e * exact.k, e * exact.k + k));
    let hit = 0;
    for (const j of approx.indices.subarray(q * approx.k, q * approx.k + k)) if (truth.has(j)) hit++;
    total += hit / k;
  }
  return total / which.length;
}
