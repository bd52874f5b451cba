/**
 * The clustered (block) bootstrap: each resample draws as many clusters as there are, uniformly with
 * replacement, and recomputes every statistic on the items of the drawn clusters. Clusters are the
 * units of correlation (CC subjects, Dollar Street households), so intervals are not too narrow when
 * items of one cluster are alike (protocols.md 4.2: "confidence intervals are computed over
 * households"). All statistics of a run see the same resamples, so gaps, ratios and differences
 * computed from them are joint, not independent.
 *
 * With strata, a resample draws within each stratum as many clusters as it has (a stratified
 * clustered bootstrap): datasets resampled jointly share a stratum, independent datasets do not.
 */
import { Rng } from '../core/rng.js';

/** Paper-standard defaults: 1000 resamples, 95% percentile intervals. */
export const DEFAULT_RESAMPLES = 1000;
export const DEFAULT_LEVEL = 0.95;

export interface BootstrapOptions {
  /** Seed of the resampling stream; equal seeds give equal intervals. */
  seed: number;
  /** Number of resamples B (default 1000; 0 turns intervals off). */
  resamples?: number;
  /** Interval level (default 0.95). */
  level?: number;
}

/** Options of one bootstrap run. */
export interface ClusteredBootstrapOptions extends BootstrapOptions {
  /**
   * (nClusters) stratum of each cluster. Absent: one stratum of all clusters. Present: every
   * resample draws, for each stratum in ascending stratum order, as many clusters as the stratum
   * has, uniformly with replacement from its members (in ascending cluster order).
   */
  stratumOf?: Int32Array;
}

/** A vector-valued statistic of cluster weights; the bootstrap evaluates it once per resample. */
export interface ResampledStatistic {
  /** Number of values the statistic writes. */
  readonly size: number;
  /**
   * Writes the statistic's `size` values into out[offset ...].
   * @param weights (nClusters) multiplicity of each cluster in the resample; undefined for the
   *   original sample (every cluster once)
   */
  evaluate(weights: Float64Array | undefined, out: Float64Array, offset: number): void;
}

/** Point values and bootstrap replicates of one statistic. */
export interface BootstrapReplicates {
  /** (size) values on the original sample. */
  point: Float64Array;
  /** (resamples, size) row-major values on each resample; NaN where undefined in a resample. */
  replicates: Float64Array;
  resamples: number;
  size: number;
}

/**
 * Draws one resample: `nClusters` clusters uniformly with replacement.
 * @param out (nClusters) receives the number of times each cluster was drawn
 */
export function drawClusterCounts(rng: Rng, nClusters: number, out: Float64Array): void {
  out.fill(0);
  for (let j = 0; j < nClusters; j++) out[rng.int(nClusters)] += 1;
}

/**
 * The members of each stratum: strata in ascending order, each its clusters in ascending order.
 * @param stratumOf (nClusters) stratum of each cluster
 */
export function strataMembers(stratumOf: Int32Array): Int32Array[] {
  const strata = new Map<number, number[]>();
  stratumOf.forEach((s, c) => {
    const list = strata.get(s);
    if (list === undefined) strata.set(s, [c]);
    else list.push(c);
  });
  return [...strata.keys()].sort((a, b) => a - b).map((s) => Int32Array.from(strata.get(s) as number[]));
}

/**
 * Draws one stratified resample: for each stratum in turn, as many of its members as it has,
 * uniformly with replacement.
 * @param strata members of each stratum, in drawing order (strataMembers)
 * @param out (nClusters) receives the number of times each cluster was drawn
 */
export function drawStratifiedCounts(rng: Rng, strata: readonly Int32Array[], out: Float64Array): void {
  out.fill(0);
  for (const members of strata) {
    const m = members.length;
    for (let j = 0; j < m; j++) {
      const c = members[rng.int(m)] as number;
      out[c] = (out[c] as number) + 1;
    }
  }
}

/**
 * Evaluates statistics on the original sample and on B clustered resamples drawn from `seed`
 * (stratified when options.stratumOf is given).
 * @param nClusters number of clusters; cluster indices in the statistics are in [0, nClusters)
 */
export function runClusteredBootstrap(
  nClusters: number,
  statistics: readonly ResampledStatistic[],
  options: ClusteredBootstrapOptions,
): BootstrapReplicates[] {
  const resamples = nClusters > 0 ? (options.resamples ?? DEFAULT_RESAMPLES) : 0;
  if (!Number.isInteger(resamples) || resamples < 0) {
    throw new RangeError(`runClusteredBootstrap: resamples must be a non-negative integer, got ${resamples}`);
  }
  const { stratumOf } = options;
  if (stratumOf !== undefined && stratumOf.length !== nClusters) {
    throw new RangeError(
      `runClusteredBootstrap: stratumOf has ${stratumOf.length} entries for ${nClusters} clusters`,
    );
  }
  const strata = stratumOf === undefined ? undefined : strataMembers(stratumOf);
  const results = statistics.map((s): BootstrapReplicates => {
    const point = new Float64Array(s.size);
    s.evaluate(undefined, point, 0);
    return { point, replicates: new Float64Array(resamples * s.size), resamples, size: s.size };
  });
  const rng = new Rng(options.seed);
  const weights = new Float64Array(nClusters);
  for (let b = 0; b < resamples; b++) {
    if (strata === undefined) drawClusterCounts(rng, nClusters, weights);
    else drawStratifiedCounts(rng, strata, weights);
    statistics.forEach((s, i) => {
      s.evaluate(weights, (results[i] as BootstrapReplicates).replicates, b * s.size);
    });
  }
  return results;
}

/** Row b of a (resamples, size) replicate matrix (a view, not a copy). */
export function replicateRow(r: BootstrapReplicates, b: number): Float64Array {
  return r.replicates.subarray(b * r.size, (b + 1) * r.size);
}

/** Column j of a (resamples, size) replicate matrix. */
export function replicateColumn(r: BootstrapReplicates, j: number): Float64Array {
  const out = new Float64Array(r.resamples);
  for (let b = 0; b < r.resamples; b++) out[b] = r.replicates[b * r.size + j] as number;
  return out;
}
