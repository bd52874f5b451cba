/**
 * The clustered (block) bootstrap: each resample draws as many clusters as there are, uniformly with
 * replacement, and recomputes every statistic on the items of the drawn clusters. Clusters are the
 * units of correlation (CC subjects, Dollar Street households), so intervals are not too narrow when
 * items of one cluster are alike (protocols.md 4.2: "confidence intervals are computed over
 * households"). All statistics of a run see the same resamples, so gaps, ratios and differences
 * computed from them are joint, not independent.
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
 * Evaluates statistics on the original sample and on B clustered resamples drawn from `seed`.
 * @param nClusters number of clusters; cluster indices in the statistics are in [0, nClusters)
 */
export function runClusteredBootstrap(
  nClusters: number,
  statistics: readonly ResampledStatistic[],
  options: BootstrapOptions,
): BootstrapReplicates[] {
  const resamples = nClusters > 0 ? (options.resamples ?? DEFAULT_RESAMPLES) : 0;
  if (!Number.isInteger(resamples) || resamples < 0) {
    throw new RangeError(`runClusteredBootstrap: resamples must be a non-negative integer, got ${resamples}`);
  }
  const results = statistics.map((s): BootstrapReplicates => {
    const point = new Float64Array(s.size);
    s.evaluate(undefined, point, 0);
    return { point, replicates: new Float64Array(resamples * s.size), resamples, size: s.size };
  });
  const rng = new Rng(options.seed);
  const weights = new Float64Array(nClusters);
  for (let b = 0; b < resamples; b++) {
    drawClusterCounts(rng, nClusters, weights);
    statistics.forEach((s, i) => {
      s.evaluate(weights, (results[i] as BootstrapReplicates).replicates, b * s.size);
    });
  }
  return results;
}

/** Column j of a (resamples, size) replicate matrix. */
export function replicateColumn(r: BootstrapReplicates, j: number): Float64Array {
  const out = new Float64Array(r.resamples);
  for (let b = 0; b < r.resamples; b++) out[b] = r.replicates[b * r.size + j] as number;
  return out;
}
