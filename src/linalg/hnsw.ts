/**
 * Approximate k-nearest-neighbour search with an HNSW graph (usearch), for databases too large for
 * exact search. Results are re-sorted by (score desc, index asc) for a deterministic order, and their
 * recall against exact search should always be measured and reported (recallAtK).
 *
 * Deterministic: the same neighbours on every run. usearch's graph depends on the order in which
 * vectors are inserted and on the random level drawn for each (per-thread generators with a fixed
 * seed); several insertion threads interleave by timing, so the graph, and nearly every approximate
 * neighbour list, changed from run to run (4,999 of 5,000 queries on 50,000 vectors). The graph is
 * therefore built by one thread, inserting rows in index order. Searching stays parallel, as each
 * query only reads the finished graph; usearch sizes its per-thread search buffers by the threads
 * of the last insertion, so a one-thread build is saved and loaded back once (a copy of the graph,
 * tens of milliseconds, counted in buildSeconds) before a parallel search. The price is the build's
 * parallelism: build time grows up to the number of cores.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { KnnResult } from './knn.js';

export interface HnswOptions {
  /** Graph degree M (default 16). */
  connectivity?: number;
  /** Candidate list size while building (default 128). */
  expansionAdd?: number;
  /** Candidate list size while searching (default 256: the first efSearch of 16..512 reaching recall@10 >= 0.99 in bench/retrieval.ts; raised to k when smaller). */
  expansionSearch?: number;
  /** Threads for searching (default 0: usearch's choice, all cores); any count gives the same results. */
  threads?: number;
  /**
   * Threads for building (default 1: the same graph, and results, on every run). More threads build
   * faster but a different graph each time: for benchmarks only.
   */
  buildThreads?: number;
}

export const HNSW_DEFAULTS = Object.freeze({ connectivity: 16, expansionAdd: 128, expansionSearch: 256 });

type UsearchIndex = import('usearch').Index;

/**
 * An inner-product HNSW index (usearch) that can be searched at several efSearch values. usearch
 * 2.26's JavaScript binding fixes efSearch (expansion_search) when the index is constructed and has
 * no setter, but `load` keeps the constructed value; so a search at another efSearch saves the graph
 * once to a temporary file and loads it into an index constructed with the new value (same graph,
 * reload time not counted in searchSeconds). Call dispose() to remove the file.
 */
export class HnswIndex {
  private savedPath: string | undefined;

  private constructor(
    private index: UsearchIndex,
    private expansionSearch: number,
    private readonly config: {
      dim: number;
      connectivity: number;
      expansionAdd: number;
      threads: number;
      buildThreads: number;
    },
    /** Seconds spent adding the database (and readying it for parallel search). */
    public buildSeconds: number,
  ) {}

  /**
   * @param database (nDatabase, dim) row-major, L2-normalised for cosine; row i gets key i
   */
  static async build(
    database: Float32Array,
    nDatabase: number,
    dim: number,
    options: HnswOptions = {},
  ): Promise<HnswIndex> {
    const config = {
      dim,
      connectivity: options.connectivity ?? HNSW_DEFAULTS.connectivity,
      expansionAdd: options.expansionAdd ?? HNSW_DEFAULTS.expansionAdd,
      threads: searchThreads(options.threads ?? 0),
      buildThreads: options.buildThreads ?? 1,
    };
    const expansionSearch = options.expansionSearch ?? HNSW_DEFAULTS.expansionSearch;
    const index = await newIndex(config, expansionSearch);
    const t0 = performance.now();
    const keys = new BigUint64Array(nDatabase);
    for (let i = 0; i < nDatabase; i++) keys[i] = BigInt(i);
    index.add(keys, database, config.buildThreads);
    const built = new HnswIndex(index, expansionSearch, config, 0);
    // Buffers for every search thread (see the module comment): the same graph, loaded back.
    if (config.buildThreads !== 0 && config.threads !== config.buildThreads)
      await built.reload(expansionSearch);
    built.buildSeconds = (performance.now() - t0) / 1000;
    return built;
  }

  /**
   * Top-k by inner product, sorted by (score desc, index asc).
   * @param queries (nQueries, dim) row-major
   * @param expansionSearch efSearch for this search (default: the build option; raised to k)
   * @returns indices/scores (nQueries, k), and the search time without any reload
   */
  async search(
    queries: Float32Array,
    nQueries: number,
    k: number,
    expansionSearch: number = this.expansionSearch,
  ): Promise<KnnResult & { searchSeconds: number }> {
    const ef = Math.max(k, expansionSearch);
    if (ef !== Math.max(k, this.expansionSearch)) await this.reload(ef);
    const { dim, threads } = this.config;
    const t0 = performance.now();
    const indices = new Int32Array(nQueries * k).fill(-1);
    const scores = new Float32Array(nQueries * k).fill(Number.NEGATIVE_INFINITY);
    const batch = 1024;
    for (let q0 = 0; q0 < nQueries; q0 += batch) {
      const q1 = Math.min(nQueries, q0 + batch);
      const rows = Array.from({ length: q1 - q0 }, (_, r) =>
        queries.subarray((q0 + r) * dim, (q0 + r + 1) * dim),
      );
      // usearch answers a one-row matrix with a single Matches object, several rows with BatchMatches.
      const res = this.index.search(rows, k, threads) as unknown as
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
    return { k, indices, scores, searchSeconds: (performance.now() - t0) / 1000 };
  }

  /** Removes the temporary copy of the graph, if a search at another efSearch made one. */
  dispose(): void {
    if (this.savedPath !== undefined) rmSync(dirname(this.savedPath), { recursive: true, force: true });
    this.savedPath = undefined;
  }

  private async reload(expansionSearch: number): Promise<void> {
    if (this.savedPath === undefined) {
      this.savedPath = join(mkdtempSync(join(tmpdir(), 'fairscope-hnsw-')), 'index.usearch');
      this.index.save(this.savedPath);
    }
    const index = await newIndex(this.config, expansionSearch);
    index.load(this.savedPath);
    this.index = index;
    this.expansionSearch = expansionSearch;
  }
}

/**
 * A search thread count usearch can serve: a loaded index has buffers for every hardware thread,
 * so a larger count is cut to that (0 means all of them).
 */
function searchThreads(threads: number): number {
  return threads >= cpus().length ? 0 : threads;
}

async function newIndex(
  config: { dim: number; connectivity: number; expansionAdd: number },
  expansionSearch: number,
): Promise<UsearchIndex> {
  const { Index, MetricKind, ScalarKind } = await import('usearch');
  return new Index({
    dimensions: config.dim,
    metric: MetricKind.IP,
    quantization: ScalarKind.F32,
    connectivity: config.connectivity,
    expansion_add: config.expansionAdd,
    expansion_search: expansionSearch,
    multi: false,
  });
}

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
  const index = await HnswIndex.build(database, nDatabase, dim, {
    ...options,
    expansionSearch: Math.max(k, options.expansionSearch ?? HNSW_DEFAULTS.expansionSearch),
  });
  try {
    const result = await index.search(queries, nQueries, k);
    return { ...result, buildSeconds: index.buildSeconds };
  } finally {
    index.dispose();
  }
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
