/**
 * Many rates resampled at once. A rate "cell" is Σ numerator / Σ denominator over the clusters that
 * contribute to it (accuracy of one model on one dataset for one group). RateCells is the statistic
 * the robustness evaluation resamples with src/stats' stratified clustered bootstrap: clusters belong
 * to strata, datasets that share items (a clean set and its corrupted copies, whose clusters carry
 * the same names) sit in one stratum and are resampled jointly (paired), an independent shifted set
 * is its own stratum. Every metric is then a function of the cell rates, evaluated on the sample and
 * on each resample (a StatisticFrame), so intervals of differences, sums, fits and gaps come from the
 * same resamples.
 */
import type { ClusterSums, ResampledStatistic } from '../stats/index.js';

export interface ResampleOptions {
  seed: number;
  /** B (0 turns intervals off). */
  resamples: number;
  /** Interval level, e.g. 0.95. */
  level: number;
}

/** The rates of all cells: evaluate writes (cells) rates, NaN where no item of a cell was drawn. */
export class RateCells implements ResampledStatistic {
  private readonly sums: ClusterSums[] = [];
  private csr?: { count: Int32Array; cellOf: Int32Array; num: Float64Array; den: Float64Array };
  private accNum = new Float64Array(0);
  private accDen = new Float64Array(0);

  /** @param nClusters cluster indices of the cells are in [0, nClusters) */
  constructor(private readonly nClusters: number) {}

  get size(): number {
    return this.sums.length;
  }

  /** Adds a cell; returns its index. No cell can be added once the rates were evaluated. */
  add(sums: ClusterSums): number {
    if (this.csr !== undefined) throw new Error('RateCells.add: the cells were already evaluated');
    this.sums.push(sums);
    return this.sums.length - 1;
  }

  /** Contributions grouped by cluster (CSR), so a resample visits each drawn cluster once. */
  private layout(): NonNullable<RateCells['csr']> {
    if (this.csr !== undefined) return this.csr;
    const nClusters = this.nClusters;
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
    this.accNum = new Float64Array(this.sums.length);
    this.accDen = new Float64Array(this.sums.length);
    this.csr = { count, cellOf, num, den };
    return this.csr;
  }

  evaluate(weights: Float64Array | undefined, out: Float64Array, offset: number): void {
    const { count, cellOf, num, den } = this.layout();
    const { accNum, accDen } = this;
    accNum.fill(0);
    accDen.fill(0);
    for (let c = 0; c < this.nClusters; c++) {
      const w = weights === undefined ? 1 : (weights[c] as number);
      if (w === 0) continue;
      for (let e = count[c] as number; e < (count[c + 1] as number); e++) {
        const cell = cellOf[e] as number;
        accNum[cell] = (accNum[cell] as number) + w * (num[e] as number);
        accDen[cell] = (accDen[cell] as number) + w * (den[e] as number);
      }
    }
    for (let k = 0; k < accNum.length; k++) {
      const d = accDen[k] as number;
      out[offset + k] = d > 0 ? (accNum[k] as number) / d : Number.NaN;
    }
  }
}
