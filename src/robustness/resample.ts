/**
 * A stratified clustered bootstrap of many rates at once. A rate "cell" is Σ numerator / Σ
 * denominator over the clusters that contribute to it (accuracy of one model on one dataset for
 * one group). Clusters belong to strata: a resample draws, in every stratum, as many clusters as it
 * has, uniformly with replacement. Datasets that share items (a clean set and its corrupted copies,
 * whose clusters carry the same names) sit in one stratum and are resampled jointly (paired); an
 * independent shifted set is its own stratum. Every metric is then a function of the cell rates,
 * evaluated on the sample and on each resample, so intervals of differences, sums, fits and gaps
 * come from the same resamples.
 */
import { Rng } from '../core/rng.js';
import type { ClusterSums } from '../stats/index.js';
import { percentileInterval } from '../stats/index.js';

export interface ResampleOptions {
  seed: number;
  /** B (0 turns intervals off). */
  resamples: number;
  /** Interval level, e.g. 0.95. */
  level: number;
}

/** Rates of all cells on the sample and on every resample. */
export interface RateReplicates {
  cells: number;
  resamples: number;
  /** (cells) rates on the sample; NaN where a cell has no item. */
  point: Float64Array;
  /** (resamples, cells) row-major; NaN where no item of the cell was drawn. */
  replicates: Float64Array;
}

export class RateCells {
  private readonly sums: ClusterSums[] = [];

  /**
   * @param stratumOf (nClusters) stratum index of each cluster
   */
  constructor(private readonly stratumOf: Int32Array) {}

  get size(): number {
    return this.sums.length;
  }

  /** Adds a cell; returns its index. Cluster indices in `sums` must be < stratumOf.length. */
  add(sums: ClusterSums): number {
    this.sums.push(sums);
    return this.sums.length - 1;
  }

  /** Evaluates every cell on the sample and on `resamples` stratified cluster resamples. */
  run(options: Pick<ResampleOptions, 'seed' | 'resamples'>): RateReplicates {
    const nClusters = this.stratumOf.length;
    const cells = this.sums.length;
    // Contributions grouped by cluster (CSR), so a resample visits each drawn cluster once.
    const count = new Int32Array(nClusters + 1);
    for (const s of this.sums) for (const c of s.cluster) count[c + 1] = (count[c + 1] as number) + 1;
    for (let c = 0; c < nClusters; c++) count[c + 1] = (count[c + 1] as number) + (count[c] as number);
    const total = count[nClusters] as number;
    const cellOf = new Int32Array(total);
    const num = new Float64Array(total);
    const den = new Float64Array(total);
    const fill = count.slice(0, nClusters);
    this.sums.forEach((s, cell) => {
      for (let i = 0; i < s.cluster.length; i++) {
        const c = s.cluster[i] as number;
        const at = fill[c] as number;
        fill[c] = at + 1;
        cellOf[at] = cell;
        num[at] = s.numerator[i] as number;
        den[at] = s.denominator[i] as number;
      }
    });
    const accNum = new Float64Array(cells);
    const accDen = new Float64Array(cells);
    const evaluate = (weights: Float64Array | undefined, out: Float64Array, offset: number) => {
      accNum.fill(0);
      accDen.fill(0);
      for (let c = 0; c < nClusters; c++) {
        const w = weights === undefined ? 1 : (weights[c] as number);
        if (w === 0) continue;
        for (let e = count[c] as number; e < (count[c + 1] as number); e++) {
          const cell = cellOf[e] as number;
          accNum[cell] = (accNum[cell] as number) + w * (num[e] as number);
          accDen[cell] = (accDen[cell] as number) + w * (den[e] as number);
        }
      }
      for (let k = 0; k < cells; k++) {
        const d = accDen[k] as number;
        out[offset + k] = d > 0 ? (accNum[k] as number) / d : Number.NaN;
      }
    };
    const point = new Float64Array(cells);
    evaluate(undefined, point, 0);
    const resamples = nClusters > 0 ? options.resamples : 0;
    if (!Number.isInteger(resamples) || resamples < 0) {
      throw new RangeError(`RateCells.run: resamples must be a non-negative integer, got ${resamples}`);
    }
    const replicates = new Float64Array(resamples * cells);
    const strata = new Map<number, number[]>();
    this.stratumOf.forEach((s, c) => {
      const list = strata.get(s);
      if (list === undefined) strata.set(s, [c]);
      else list.push(c);
    });
    const order = [...strata.keys()]
      .sort((a, b) => a - b)
      .map((s) => Int32Array.from(strata.get(s) as number[]));
    const rng = new Rng(options.seed);
    const weights = new Float64Array(nClusters);
    for (let b = 0; b < resamples; b++) {
      weights.fill(0);
      for (const members of order) {
        const m = members.length;
        for (let j = 0; j < m; j++) {
          const c = members[rng.int(m)] as number;
          weights[c] = (weights[c] as number) + 1;
        }
      }
      evaluate(weights, replicates, b * cells);
    }
    return { cells, resamples, point, replicates };
  }
}

/** A value with its percentile interval and how many resamples left it undefined. */
export interface Estimate {
  value: number;
  ci: [number, number];
  undefinedResamples: number;
}

/**
 * Evaluates functions of the cell rates on the sample and on every resample.
 * @param fns each maps a (cells) rate vector to a number (NaN when undefined)
 */
export function estimateAll(
  rates: RateReplicates,
  fns: readonly ((r: Float64Array) => number)[],
  level: number,
): Estimate[] {
  const b = rates.resamples;
  const values = fns.map(() => new Float64Array(b));
  for (let i = 0; i < b; i++) {
    const view = rates.replicates.subarray(i * rates.cells, (i + 1) * rates.cells);
    for (let f = 0; f < fns.length; f++)
      (values[f] as Float64Array)[i] = (fns[f] as (r: Float64Array) => number)(view);
  }
  return fns.map((fn, f) => {
    const value = fn(rates.point);
    const v = values[f] as Float64Array;
    let undefinedResamples = 0;
    for (const x of v) if (Number.isNaN(x)) undefinedResamples++;
    const ci: [number, number] =
      Number.isNaN(value) || b === 0 || undefinedResamples === b
        ? [Number.NaN, Number.NaN]
        : percentileInterval(v, level);
    return { value, ci, undefinedResamples };
  });
}
