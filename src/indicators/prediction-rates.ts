/**
 * Per-class prediction rates and their signed disparity between groups (protocols.md 3.2, vissl
 * get_per_attribute_predictions_freq):
 *   rate_g(c) = 100 · n_g(c) / Σ_c' n_g(c')       n_g(c): times class c is in the thresholded top-5
 *                                                 of the images of group g
 *   diff_g(c) = rate_g(c) − (G · mean_g' rate_g'(c) − rate_g(c)) / (G − 1)
 *             = rate_g(c) − mean of the other groups' rates
 * G counts every group of the attribute, n/a and unknown included. A group with no prediction at all
 * (possible at high τ) has no rate (vissl: 0/0 = NaN), so the mean over the G groups, and with it
 * every disparity of the split, is undefined, as in vissl's code; the rows say which group did it.
 */
import type { GroupMetric } from '../core/types.js';
import {
  type BootstrapOptions,
  type BootstrapReplicates,
  DEFAULT_LEVEL,
  type ResampledStatistic,
  replicateColumn,
  runClusteredBootstrap,
} from '../stats/bootstrap.js';
import { type ClusterSums, clusterCount, itemSums, weightedTotals } from '../stats/cluster-sums.js';
import type { GroupSplit } from '../stats/groups.js';
import { percentileInterval } from '../stats/quantile.js';
import { type MinimumGroupSize, smallGroupWarning } from '../stats/sample-size.js';

/**
 * Rates of K classes over G groups and overall, with disparities; values per class k laid out as
 * [overall, rate_1..rate_G, diff_1..diff_G].
 */
class PredictionRateStatistic implements ResampledStatistic {
  readonly size: number;
  private readonly rates: Float64Array;

  constructor(
    /** (G) predictions per group: numerator = number of predictions of each item. */
    private readonly totals: ClusterSums[],
    private readonly overallTotal: ClusterSums,
    /** (K, G) numerator = 100 · occurrences of the class. */
    private readonly counts: ClusterSums[][],
    private readonly overallCounts: ClusterSums[],
  ) {
    this.size = counts.length * (1 + 2 * totals.length);
    this.rates = new Float64Array(totals.length);
  }

  evaluate(weights: Float64Array | undefined, out: Float64Array, offset: number): void {
    const G = this.totals.length;
    const totals = this.totals.map((t) => weightedTotals(t, weights).numerator);
    const overallTotal = weightedTotals(this.overallTotal, weights).numerator;
    this.counts.forEach((perGroup, k) => {
      const base = offset + k * (1 + 2 * G);
      const overallCount = weightedTotals(this.overallCounts[k] as ClusterSums, weights).numerator;
      out[base] = overallTotal > 0 ? overallCount / overallTotal : Number.NaN;
      let defined = 0;
      let sum = 0;
      for (let g = 0; g < G; g++) {
        const t = totals[g] as number;
        const r = t > 0 ? weightedTotals(perGroup[g] as ClusterSums, weights).numerator / t : Number.NaN;
        this.rates[g] = r;
        out[base + 1 + g] = r;
        if (!Number.isNaN(r)) {
          defined++;
          sum += r;
        }
      }
      for (let g = 0; g < G; g++) {
        const r = this.rates[g] as number;
        out[base + 1 + G + g] = G >= 2 && defined === G ? r - (sum - r) / (G - 1) : Number.NaN;
      }
    });
  }
}

export interface PredictionRates {
  /** Groups in G: every group of the split. */
  groupsInG: number;
  /** Per requested class: overall rate, rate per group, disparity per group. */
  classes: { classIndex: number; overall: GroupMetric; byGroup: GroupMetric[]; disparity: GroupMetric[] }[];
}

/**
 * Prediction rates and disparities of some classes over the groups of one split, with clustered
 * bootstrap intervals.
 * @param predicted (n items) class indices in each item's thresholded top-5
 */
export function predictionRates(
  split: GroupSplit,
  predicted: readonly (readonly number[])[],
  classIndices: readonly number[],
  clusterIndex: Int32Array,
  nClusters: number,
  options: BootstrapOptions & { minimumGroupSize?: MinimumGroupSize },
): PredictionRates {
  const n = predicted.length;
  const all = Array.from({ length: n }, (_, i) => i);
  const nPred = (i: number) => (predicted[i] as readonly number[]).length;
  const totals = split.members.map((m) => itemSums(m, clusterIndex, nPred));
  const overallTotal = itemSums(all, clusterIndex, nPred);
  // Items predicting each class, so that class sums stay sparse.
  const itemsOf = new Map<number, number[]>(classIndices.map((c) => [c, []]));
  predicted.forEach((classes, i) => {
    for (const c of classes) itemsOf.get(c)?.push(i);
  });
  const countSums = (c: number, within: (i: number) => boolean) =>
    itemSums((itemsOf.get(c) as number[]).filter(within), clusterIndex, () => 100);
  const counts = classIndices.map((c) =>
    split.groups.map((_, g) => countSums(c, (i) => split.groupIndex[i] === g)),
  );
  const overallCounts = classIndices.map((c) => countSums(c, () => true));
  const statistic = new PredictionRateStatistic(totals, overallTotal, counts, overallCounts);
  const [boot] = runClusteredBootstrap(nClusters, [statistic], options) as [BootstrapReplicates];
  const level = options.level ?? DEFAULT_LEVEL;
  const G = split.groups.length;
  const groupSize = split.members.map((m) => ({
    n: m.length,
    clusters: clusterCount(itemSums(m, clusterIndex, () => 1)),
  }));
  const noPredictions = split.groups.filter(
    (_, g) =>
      (totals[g] as ClusterSums).items === 0 || weightedTotals(totals[g] as ClusterSums).numerator === 0,
  );
  const metricAt = (
    metric: string,
    column: number,
    group: GroupMetric['group'],
    size: { n: number; clusters: number },
    notes: string[],
  ): GroupMetric => {
    const value = boot.point[column] as number;
    const warnings = [...notes];
    const small = smallGroupWarning(size.n, size.clusters, options.minimumGroupSize);
    if (small !== undefined && size.n > 0) warnings.push(small);
    const ci: [number, number] =
      Number.isNaN(value) || boot.resamples === 0
        ? [Number.NaN, Number.NaN]
        : percentileInterval(replicateColumn(boot, column), level);
    return { metric, group, value, ci, n: size.n, clusters: size.clusters, warnings };
  };
  const excludedNote =
    noPredictions.length > 0
      ? [
          `groups with no prediction at this threshold leave the disparity undefined (their rate is 0/0, as in vissl): ${noPredictions.map((g) => Object.values(g).join('|')).join(', ')}`,
        ]
      : [];
  return {
    groupsInG: G,
    classes: classIndices.map((classIndex, k) => {
      const base = k * (1 + 2 * G);
      return {
        classIndex,
        overall: metricAt('prediction_rate', base, {}, { n, clusters: nClusters }, []),
        byGroup: split.groups.map((group, g) =>
          metricAt(
            'prediction_rate',
            base + 1 + g,
            group,
            groupSize[g] as { n: number; clusters: number },
            [],
          ),
        ),
        disparity: split.groups.map((group, g) =>
          metricAt(
            'prediction_rate_disparity',
            base + 1 + G + g,
            group,
            groupSize[g] as { n: number; clusters: number },
            excludedNote,
          ),
        ),
      };
    }),
  };
}
