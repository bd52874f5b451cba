/**
 * Inner-product nearest neighbours for curation: exact blocked GEMM search (src/linalg/knn) while it
 * is affordable, an HNSW index (src/linalg/hnsw, usearch) beyond that. 'auto' picks exact when the
 * search costs at most EXACT_FLOP_LIMIT multiply-adds (about 20 s on two cores), so small and
 * medium sets get exact answers and a million-item set does not take hours.
 */
import { UsageError } from '../core/errors.js';
import { hnswKnn } from '../linalg/hnsw.js';
import { exactKnn, type KnnResult } from '../linalg/knn.js';

export type SearchMethod = 'auto' | 'exact' | 'hnsw';
export const SEARCH_METHODS: readonly SearchMethod[] = Object.freeze(['auto', 'exact', 'hnsw']);

/** Largest nQueries x nDatabase x dim searched exactly by 'auto'. */
export const EXACT_FLOP_LIMIT = 1e12;

export interface SearchOptions {
  search?: SearchMethod;
  /** HNSW candidate list size while searching (default HNSW_DEFAULTS.expansionSearch, 256). */
  efSearch?: number;
  threads?: number;
  onProgress?: (done: number) => void;
}

/** Parses --search. */
export function parseSearchMethod(value: string | undefined): SearchMethod {
  if (value === undefined) return 'auto';
  if (!SEARCH_METHODS.includes(value as SearchMethod)) {
    throw new UsageError(`--search must be one of ${SEARCH_METHODS.join(', ')}, got "${value}"`);
  }
  return value as SearchMethod;
}

/** The method 'auto' resolves to for these sizes. */
export function resolveSearch(
  method: SearchMethod,
  nQueries: number,
  nDatabase: number,
  dim: number,
): 'exact' | 'hnsw' {
  if (method !== 'auto') return method;
  return nQueries * nDatabase * dim <= EXACT_FLOP_LIMIT ? 'exact' : 'hnsw';
}

/**
 * The k database rows with the largest inner product with each query, best first, ties to the
 * lower database index.
 * @param queries (nQueries, dim); @param database (nDatabase, dim); L2-normalised rows for cosine
 */
export async function innerProductKnn(
  queries: Float32Array,
  nQueries: number,
  database: Float32Array,
  nDatabase: number,
  dim: number,
  k: number,
  options: SearchOptions = {},
): Promise<KnnResult & { method: 'exact' | 'hnsw' }> {
  const kk = Math.max(1, Math.min(k, nDatabase));
  const method = resolveSearch(options.search ?? 'auto', nQueries, nDatabase, dim);
  if (method === 'exact') {
    const res = await exactKnn(queries, nQueries, database, nDatabase, dim, kk, {
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    });
    return { ...res, method };
  }
  const res = await hnswKnn(queries, nQueries, database, nDatabase, dim, kk, {
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.efSearch === undefined ? {} : { expansionSearch: options.efSearch }),
  });
  options.onProgress?.(nQueries);
  return { k: res.k, indices: res.indices, scores: res.scores, method };
}
