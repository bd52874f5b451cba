/**
 * Near-duplicate clusters. Two items are linked when their embeddings' cosine similarity is at least
 * the threshold (found among each item's k nearest neighbours: exact search or HNSW, see search.ts)
 * or, when pHashes are given, when their hashes are within a Hamming distance. Clusters are the
 * connected components of these links (union-find), so a chain a~b~c forms one cluster even when a
 * and c are not close themselves. Each cluster keeps one representative: its lowest index (manifest
 * order, the default) or its most central member (largest mean cosine similarity to the other
 * members, ties to the lower index). Every other member counts as a removed duplicate.
 */
import { l2NormalizeRows } from '../linalg/normalize.js';
import { nearHashPairs } from './hash-pairs.js';
import type { ImageHashes } from './phash.js';
import type { PointMatrix } from './points.js';
import { innerProductKnn, type SearchMethod } from './search.js';
import { UnionFind } from './union-find.js';

export const DEDUP_THRESHOLD = 0.95;
export const DEDUP_NEIGHBOURS = 10;
/** Default Hamming distance for pHash copies: JPEG quality 60 and 2x downscaled copies of small images stayed within 6 bits in the tests, distinct images 16+ apart. */
export const PHASH_DISTANCE = 6;

export type Representative = 'first' | 'central';
export const REPRESENTATIVES: readonly Representative[] = Object.freeze(['first', 'central']);

export interface DedupOptions {
  /** Cosine similarity at or above which two embeddings are duplicates (default 0.95). */
  threshold?: number;
  /** Neighbours examined per item (default 10); a cluster larger than k + 1 still forms by chaining. */
  k?: number;
  search?: SearchMethod;
  /** HNSW candidate list size while searching (default 256; lower is faster, see bench/notes/curate.md). */
  efSearch?: number;
  /** pHashes of the items, and the largest Hamming distance that links two (default 6). */
  phash?: { hashes: ImageHashes; maxDistance?: number };
  representative?: Representative;
  threads?: number;
  onProgress?: (done: number) => void;
}

export type LinkKind = 'embedding' | 'phash';

export interface DuplicateCluster {
  representative: number;
  /** Member indices, ascending (the representative included). */
  members: number[];
  /** Which kinds of link joined the cluster. */
  via: LinkKind[];
  /** Lowest similarity of an embedding link inside the cluster (NaN when none). */
  minSimilarity: number;
}

export interface DedupResult {
  clusters: DuplicateCluster[];
  /** (n) 1 where an item is a duplicate dropped in favour of its cluster's representative. */
  removed: Uint8Array;
  removedCount: number;
  /** Links found: embedding pairs (i < j, similarity) and pHash pairs (i < j, distance). */
  embeddingLinks: [number, number, number][];
  phashLinks: [number, number, number][];
  method: 'exact' | 'hnsw';
}

/**
 * Finds near-duplicate clusters among the points (compared by cosine similarity whatever the
 * matrix's metric: euclidean points are normalised into a copy).
 */
export async function findDuplicates(points: PointMatrix, options: DedupOptions = {}): Promise<DedupResult> {
  const { n, dim } = points;
  const threshold = options.threshold ?? DEDUP_THRESHOLD;
  const data = points.metric === 'cosine' ? points.data : l2NormalizeRows(points.data, n, dim).data;
  const k = Math.min(n, (options.k ?? DEDUP_NEIGHBOURS) + 1); // + 1: an item finds itself
  const knn = await innerProductKnn(data, n, data, n, dim, k, {
    ...(options.search === undefined ? {} : { search: options.search }),
    ...(options.efSearch === undefined ? {} : { efSearch: options.efSearch }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  const uf = new UnionFind(n);
  const embeddingLinks: [number, number, number][] = [];
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    for (let r = 0; r < knn.k; r++) {
      const j = knn.indices[i * knn.k + r] as number;
      const s = knn.scores[i * knn.k + r] as number;
      if (j < 0 || s < threshold) break; // best first: nothing closer follows
      if (j === i) continue;
      const a = Math.min(i, j);
      const b = Math.max(i, j);
      const key = `${a}:${b}`;
      if (seen.has(key)) continue;
      seen.add(key);
      embeddingLinks.push([a, b, s]);
      uf.union(a, b);
    }
  }
  embeddingLinks.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const phashLinks: [number, number, number][] = [];
  if (options.phash !== undefined) {
    for (const pair of nearHashPairs(options.phash.hashes, options.phash.maxDistance ?? PHASH_DISTANCE)) {
      phashLinks.push(pair);
      uf.union(pair[0], pair[1]);
    }
  }
  const components = uf.components(2);
  const clusterOf = new Int32Array(n).fill(-1);
  components.forEach((members, c) => {
    for (const m of members) clusterOf[m] = c;
  });
  const via = components.map(() => new Set<LinkKind>());
  const minSimilarity = components.map(() => Number.NaN);
  for (const [a, , s] of embeddingLinks) {
    const c = clusterOf[a] as number;
    (via[c] as Set<LinkKind>).add('embedding');
    if (!(s >= (minSimilarity[c] as number))) minSimilarity[c] = s;
  }
  for (const [a] of phashLinks) (via[clusterOf[a] as number] as Set<LinkKind>).add('phash');
  const removed = new Uint8Array(n);
  const clusters = components.map((members, c): DuplicateCluster => {
    const representative =
      options.representative === 'central' ? centralMember(data, dim, members) : (members[0] as number);
    for (const m of members) if (m !== representative) removed[m] = 1;
    return {
      representative,
      members,
      via: (['embedding', 'phash'] as const).filter((v) => (via[c] as Set<LinkKind>).has(v)),
      minSimilarity: minSimilarity[c] as number,
    };
  });
  const removedCount = clusters.reduce((a, c) => a + c.members.length - 1, 0);
  return { clusters, removed, removedCount, embeddingLinks, phashLinks, method: knn.method };
}

/** One line of CLUSTERS.jsonl. */
export interface ClusterRecord {
  cluster: number;
  representative: string;
  size: number;
  members: string[];
  via: LinkKind[];
  /** null when the cluster was formed by pHash links only. */
  minSimilarity: number | null;
}

/** The clusters with item ids in place of indices. */
export function clusterRecords(result: DedupResult, ids: readonly string[]): ClusterRecord[] {
  return result.clusters.map((c, k) => ({
    cluster: k,
    representative: ids[c.representative] as string,
    size: c.members.length,
    members: c.members.map((m) => ids[m] as string),
    via: c.via,
    minSimilarity: Number.isNaN(c.minSimilarity) ? null : c.minSimilarity,
  }));
}

/**
 * The member with the largest mean cosine similarity to the other members. For unit rows that mean
 * is (x·S - 1) / (m - 1) with S the sum of the members, so ranking by x·S is the same: O(m d).
 * @param data (n, dim) unit rows
 */
export function centralMember(data: Float32Array, dim: number, members: readonly number[]): number {
  const sum = new Float64Array(dim);
  for (const m of members)
    for (let t = 0; t < dim; t++) sum[t] = (sum[t] as number) + (data[m * dim + t] as number);
  let best = members[0] as number;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (const m of members) {
    let s = 0;
    for (let t = 0; t < dim; t++) s += (data[m * dim + t] as number) * (sum[t] as number);
    if (s > bestScore) {
      bestScore = s;
      best = m;
    }
  }
  return best;
}
