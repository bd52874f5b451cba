/**
 * Indicator 3, same-attribute retrieval (protocols.md 5.2): queries (CC faces) retrieve their K
 * nearest database images (UTKFace) by cosine similarity; precision@K counts neighbours sharing the
 * query's attribute value:
 *   P@K(g) = Σ_{i∈g} correct_i(K) / (K · |g|),   correct_i(K) = #{j ∈ rank_i[:K] : a_db[j] = a_q[i]}
 * over the full ranking with ties broken by database index (9.9). Queries whose value does not occur
 * in the database (CC `other`, `n/a`) score 0, are counted in the overall value, and form their own
 * groups, left out of gaps. Any attribute both sides share can be used, not only gender. Intervals
 * resample query clusters (CC subjects); the database is fixed.
 */
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { type HnswOptions, hnswKnn, recallAtK } from '../linalg/hnsw.js';
import { exactKnn, type KnnResult } from '../linalg/knn.js';
import { l2NormalizeRows } from '../linalg/normalize.js';
import {
  attributeValue,
  DEFAULT_MISSING_VALUES,
  type Grouping,
  type GroupSplit,
  indexClusters,
  MISSING_ATTRIBUTE,
  splitItems,
} from '../stats/groups.js';
import { buildMetricFrames, type ComparisonKind, type FrameOptions } from '../stats/metric-frame.js';
import { frameInput } from './frames.js';
import type { IndicatorOutput } from './geographic.js';

export const RETRIEVAL_KS: readonly number[] = Object.freeze([1, 5, 10, 50]);
export const ABSENT_VALUE_NOTE =
  'value absent from the database: precision is 0 by construction; left out of gaps and tests';
/** Queries sampled for the recall of approximate search against exact search. */
export const DEFAULT_RECALL_SAMPLE = 1000;

export interface RetrievalOptions {
  model: string;
  dataset?: string;
  /** The attribute compared between a query and its neighbours. */
  attribute: string;
  ks?: readonly number[];
  /** Query groupings; the compared attribute is added first when absent. */
  groupings: readonly Grouping[];
  missingValues?: readonly string[];
  comparisons?: ComparisonKind | 'none';
  bootstrap: FrameOptions;
  /** 'exact' (blocked GEMM, default) or 'hnsw' (usearch) with its recall against exact reported. */
  search?: 'exact' | 'hnsw';
  hnsw?: HnswOptions;
  recallSample?: number;
  threads?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * Computes Indicator 3.
 * @param queryEmbeddings (queries.length, dim) row-major, finite
 * @param databaseEmbeddings (database.length, dim) row-major, finite
 */
export async function retrieval(
  queries: readonly ManifestItem[],
  queryEmbeddings: Float32Array,
  database: readonly ManifestItem[],
  databaseEmbeddings: Float32Array,
  dim: number,
  options: RetrievalOptions,
): Promise<IndicatorOutput & { tiedQueries: number }> {
  const ks = [...(options.ks ?? RETRIEVAL_KS)];
  const kMax = Math.max(...ks);
  const nq = queries.length;
  const nd = database.length;
  if (ks.some((k) => !Number.isInteger(k) || k <= 0))
    throw new UsageError(`--k: values must be positive integers, got ${ks.join(',')}`);
  if (kMax > nd) throw new UsageError(`--k: K=${kMax} exceeds the database size (${nd} items)`);
  const notes: string[] = [];
  const q = l2NormalizeRows(queryEmbeddings, nq, dim);
  const d = l2NormalizeRows(databaseEmbeddings, nd, dim);
  if (q.zeroRows.length > 0)
    notes.push(`${q.zeroRows.length} query embedding(s) are zero vectors (similarity 0 to all)`);
  if (d.zeroRows.length > 0)
    notes.push(`${d.zeroRows.length} database embedding(s) are zero vectors (similarity 0 to all)`);

  const search = options.search ?? 'exact';
  let neighbours: KnnResult;
  // Exact search fetches one neighbour more than K where it can, to see ties across a K boundary.
  const kFetch = search === 'exact' ? Math.min(nd, kMax + 1) : kMax;
  if (search === 'exact') {
    neighbours = await exactKnn(q.data, nq, d.data, nd, dim, kFetch, {
      threads: options.threads,
      onProgress: (done) => options.onProgress?.(done, nq),
    });
  } else {
    neighbours = await hnswKnn(q.data, nq, d.data, nd, dim, kMax, {
      threads: options.threads,
      ...options.hnsw,
    });
    options.onProgress?.(nq, nq);
  }

  const attr = options.attribute;
  const dbValues = database.map((it) => attributeValue(it, attr));
  const dbValueSet = new Set(dbValues.filter((v) => v !== MISSING_ATTRIBUTE));
  const missingInDb = dbValues.length - dbValues.filter((v) => v !== MISSING_ATTRIBUTE).length;
  if (missingInDb > 0)
    notes.push(`${missingInDb} database item(s) lack "${attr}" and never count as a match`);
  const qValues = queries.map((it) => attributeValue(it, attr));
  const absent = qValues.filter((v) => !dbValueSet.has(v));
  if (absent.length > 0) {
    const counts = new Map<string, number>();
    for (const v of absent) counts.set(v, (counts.get(v) ?? 0) + 1);
    notes.push(
      `${absent.length} query(ies) have a "${attr}" value absent from the database and score 0: ${[...counts]
        .map(([v, c]) => `${v} (${c})`)
        .join(', ')}`,
    );
  }
  // correct[kIndex][i]
  const correct = ks.map(() => new Float64Array(nq));
  const sortedKs = ks.map((k, idx) => ({ k, idx })).sort((a, b) => a.k - b.k);
  for (let i = 0; i < nq; i++) {
    const v = qValues[i] as string;
    if (!dbValueSet.has(v)) continue;
    let running = 0;
    let next = 0;
    for (let r = 0; r < kMax; r++) {
      const j = neighbours.indices[i * neighbours.k + r] as number;
      if (j >= 0 && dbValues[j] === v) running++;
      while (next < sortedKs.length && (sortedKs[next] as { k: number }).k === r + 1) {
        (correct[(sortedKs[next] as { idx: number }).idx] as Float64Array)[i] = running;
        next++;
      }
    }
  }

  const tiedQueries = countBoundaryTies(neighbours, nq, ks);

  const missing = new Set(options.missingValues ?? DEFAULT_MISSING_VALUES);
  const groupings = options.groupings.some((g) => g.attributes.length === 1 && g.attributes[0] === attr)
    ? options.groupings
    : [{ name: attr, attributes: [attr] }, ...options.groupings];
  const splits = groupings.map((g) => {
    const split = splitItems(queries, g, missing);
    split.groups.forEach((group, k) => {
      const members = split.members[k] as number[];
      if (group[attr] !== undefined && !dbValueSet.has(String(group[attr]))) {
        split.comparable[k] = false;
        split.notes[k] = [ABSENT_VALUE_NOTE];
        return;
      }
      const scoreless = members.filter((i) => !dbValueSet.has(qValues[i] as string)).length;
      if (scoreless > 0) {
        split.notes[k] = [
          ...(split.notes[k] as string[]),
          `includes ${scoreless} query(ies) whose ${attr} is absent from the database (they score 0)`,
        ];
      }
    });
    return split;
  });
  const { clusterIndex, nClusters } = indexClusters(queries);
  const comparisons = options.comparisons ?? 'pairwise';
  const inputs = ks.flatMap((k, idx) =>
    splits.map((split: GroupSplit, s) => ({
      input: frameInput(
        'precision_at_k',
        split,
        clusterIndex,
        nq,
        (i) => ((correct[idx] as Float64Array)[i] as number) / k,
        {
          withOverall: true,
          withRest: comparisons === 'vsRest',
        },
      ),
      params: { k, attribute: attr, search, unit: 'fraction' },
      first: s === 0,
    })),
  );
  const frames = buildMetricFrames(
    nClusters,
    inputs.map((x) => x.input),
    options.bootstrap,
  );
  const base = {
    model: options.model,
    indicator: 'retrieval',
    ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
  };
  const rows: ResultRow[] = frames.flatMap((frame, f) => {
    const x = inputs[f] as (typeof inputs)[number];
    return frame.toRows({ ...base, params: x.params, overall: x.first, differences: true, comparisons });
  });

  if (search === 'hnsw') {
    const sample = Math.min(nq, options.recallSample ?? DEFAULT_RECALL_SAMPLE);
    const picked = new Rng(options.bootstrap.seed)
      .shuffle(Array.from({ length: nq }, (_, i) => i))
      .slice(0, sample)
      .sort((a, b) => a - b);
    const sub = new Float32Array(sample * dim);
    picked.forEach((qi, r) => {
      sub.set(q.data.subarray(qi * dim, (qi + 1) * dim), r * dim);
    });
    const exact = await exactKnn(sub, sample, d.data, nd, dim, kMax, { threads: options.threads });
    for (const k of ks) {
      rows.push({
        kind: 'value',
        ...base,
        metric: 'search_recall_at_k',
        params: { k, search, sample, unit: 'fraction' },
        group: {},
        value: recallAtK(neighbours, exact, k, picked),
        ci: [Number.NaN, Number.NaN],
        n: sample,
        clusters: sample,
        warnings: ['recall of the approximate search against exact search on a random sample of queries'],
      });
    }
  }
  return { rows, notes, tiedQueries };
}

/**
 * Queries whose similarity ranking ties across some K boundary (the K-th and (K+1)-th neighbours
 * equally similar): for them P@K depends on how ties are ordered (here by database index; numpy's
 * argsort order in the reference code is arbitrary). Needs K+1 neighbours; a K equal to the
 * neighbours fetched is not checked.
 */
export function countBoundaryTies(neighbours: KnnResult, nQueries: number, ks: readonly number[]): number {
  const stride = neighbours.k;
  let tied = 0;
  for (let i = 0; i < nQueries; i++) {
    const base = i * stride;
    if (
      ks.some(
        (k) =>
          k < stride &&
          (neighbours.indices[base + k] as number) >= 0 &&
          neighbours.scores[base + k - 1] === neighbours.scores[base + k],
      )
    ) {
      tied++;
    }
  }
  return tied;
}
