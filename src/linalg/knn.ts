/**
 * Exact k-nearest-neighbour search by inner product (cosine on L2-normalised rows), computed as
 * blocked matrix products with a top-k per block, both on onnxruntime, merged into a running top-k
 * per query. Ties go to the lower database index, so results equal a full stable ranking
 * `argsort(-S, kind='stable')[:k]`.
 */
import { availableParallelism } from 'node:os';
import { Gemm } from './gemm.js';
import { TopKRows } from './topk.js';

/** Neighbours of each query, best first. */
export interface KnnResult {
  k: number;
  /** (nQueries, k) database row indices; -1 where fewer than k exist. */
  indices: Int32Array;
  /** (nQueries, k) inner products. */
  scores: Float32Array;
}

export interface ExactKnnOptions {
  /** Queries per GEMM block (default 1024). */
  queryBlock?: number;
  /** Database rows per GEMM block (default 16384). */
  databaseBlock?: number;
  /** onnxruntime threads (default: all cores). */
  threads?: number;
  /** Called with the number of queries finished so far. */
  onProgress?: (done: number) => void;
}

/**
 * The k database rows with the largest inner product with each query.
 * @param queries (nQueries, dim) row-major
 * @param database (nDatabase, dim) row-major
 */
export async function exactKnn(
  queries: Float32Array,
  nQueries: number,
  database: Float32Array,
  nDatabase: number,
  dim: number,
  k: number,
  options: ExactKnnOptions = {},
): Promise<KnnResult> {
  if (queries.length !== nQueries * dim) throw new RangeError(`exactKnn: queries are not ${nQueries}x${dim}`);
  if (database.length !== nDatabase * dim)
    throw new RangeError(`exactKnn: database is not ${nDatabase}x${dim}`);
  const top = new TopKRows(nQueries, k);
  const qb = Math.max(1, Math.min(options.queryBlock ?? 1024, nQueries));
  const db = Math.max(1, Math.min(options.databaseBlock ?? 16384, nDatabase));
  const gemm = await Gemm.create({ threads: options.threads ?? availableParallelism() });
  try {
    const blocks: { q0: number; q1: number; d0: number; d1: number }[] = [];
    for (let q0 = 0; q0 < nQueries; q0 += qb) {
      for (let d0 = 0; d0 < nDatabase; d0 += db) {
        blocks.push({ q0, q1: Math.min(nQueries, q0 + qb), d0, d1: Math.min(nDatabase, d0 + db) });
      }
    }
    // Each block's product and its top-k run inside onnxruntime (on its own threads); only (m, k)
    // candidates come back, merged here while the next block runs.
    const launch = (i: number) => {
      const b = blocks[i];
      if (b === undefined) return undefined;
      return gemm.abTTopK(
        queries.subarray(b.q0 * dim, b.q1 * dim),
        b.q1 - b.q0,
        dim,
        database.subarray(b.d0 * dim, b.d1 * dim),
        b.d1 - b.d0,
        k,
      );
    };
    let pending = launch(0);
    for (let i = 0; i < blocks.length; i++) {
      const found = await (pending as ReturnType<typeof gemm.abTTopK>);
      pending = launch(i + 1);
      const b = blocks[i] as (typeof blocks)[number];
      top.pushCandidates(found.values, found.indices, b.q1 - b.q0, found.top, b.q0, b.d0);
      if (b.d1 === nDatabase) options.onProgress?.(b.q1);
    }
  } finally {
    await gemm.dispose();
  }
  top.finish();
  return { k, indices: top.indices, scores: top.values };
}

/**
 * The same search by a plain double loop in float64: the slow reference for tests.
 * @param queries (nQueries, dim) row-major
 * @param database (nDatabase, dim) row-major
 */
export function exactKnnReference(
  queries: Float32Array,
  nQueries: number,
  database: Float32Array,
  nDatabase: number,
  dim: number,
  k: number,
): KnnResult {
  const indices = new Int32Array(nQueries * k).fill(-1);
  const scores = new Float32Array(nQueries * k).fill(Number.NEGATIVE_INFINITY);
  for (let q = 0; q < nQueries; q++) {
    const s = Array.from({ length: nDatabase }, (_, j) => {
      let dot = 0;
      for (let t = 0; t < dim; t++)
        dot += (queries[q * dim + t] as number) * (database[j * dim + t] as number);
      return { j, dot };
    });
    s.sort((a, b) => b.dot - a.dot || a.j - b.j);
    s.slice(0, k).forEach((e, r) => {
      indices[q * k + r] = e.j;
      scores[q * k + r] = e.dot;
    });
  }
  return { k, indices, scores };
}
