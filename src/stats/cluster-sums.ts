/**
 * Ratio-of-sums statistics over clusters. Every metric of the three indicators is a ratio
 * Σ_c w_c·num_c / Σ_c w_c·den_c over the clusters c that contribute to a group, where w_c is how many
 * times a bootstrap resample drew cluster c (1 for the point estimate):
 * - a mean over items (hit rate, P@K): num_c = Σ of the cluster's item values, den_c = its item count;
 * - a mean of per-cluster means (Dollar Street households): num_c = the cluster's mean, den_c = 1.
 * Keeping the per-cluster sums makes a resample cost O(contributing clusters), not O(items).
 */

/** Per-cluster numerator and denominator sums of one statistic; each cluster appears once. */
export interface ClusterSums {
  /** (m) cluster index of each contribution, ascending. */
  cluster: Int32Array;
  /** (m) numerator sum of each contributing cluster. */
  numerator: Float64Array;
  /** (m) denominator sum of each contributing cluster. */
  denominator: Float64Array;
  /** Items behind the statistic (images, queries). */
  items: number;
}

/** Accumulates item contributions into ClusterSums. */
export class ClusterSumsBuilder {
  private readonly numerators = new Map<number, number>();
  private readonly denominators = new Map<number, number>();
  private itemCount = 0;

  /**
   * Adds one item (or a pre-aggregated cluster value when `items` is given).
   * @param cluster index of the item's cluster in [0, nClusters)
   */
  add(cluster: number, numerator: number, denominator = 1, items = 1): this {
    this.numerators.set(cluster, (this.numerators.get(cluster) ?? 0) + numerator);
    this.denominators.set(cluster, (this.denominators.get(cluster) ?? 0) + denominator);
    this.itemCount += items;
    return this;
  }

  get items(): number {
    return this.itemCount;
  }

  build(): ClusterSums {
    const keys = [...this.numerators.keys()].sort((a, b) => a - b);
    return {
      cluster: Int32Array.from(keys),
      numerator: Float64Array.from(keys, (k) => this.numerators.get(k) as number),
      denominator: Float64Array.from(keys, (k) => this.denominators.get(k) as number),
      items: this.itemCount,
    };
  }
}

/**
 * Ratio-of-sums over some items: Σ numerator(i) / Σ denominator(i), summed per cluster. Items whose
 * numerator is NaN do not take part (e.g. the top-1 confidence of an image with no prediction).
 * @param clusterIndex (n items) cluster of each item
 */
export function itemSums(
  indices: Iterable<number>,
  clusterIndex: Int32Array,
  numerator: (i: number) => number,
  denominator: (i: number) => number = () => 1,
): ClusterSums {
  const b = new ClusterSumsBuilder();
  for (const i of indices) {
    const num = numerator(i);
    if (Number.isNaN(num)) continue;
    b.add(clusterIndex[i] as number, num, denominator(i));
  }
  return b.items === 0 ? emptySums() : b.build();
}

/** ClusterSums with no contribution (an empty group). */
export function emptySums(): ClusterSums {
  return {
    cluster: new Int32Array(0),
    numerator: new Float64Array(0),
    denominator: new Float64Array(0),
    items: 0,
  };
}

/** Sums of several statistics over the same clusters (the union of groups). */
export function mergeSums(parts: readonly ClusterSums[]): ClusterSums {
  const builder = new ClusterSumsBuilder();
  let items = 0;
  for (const p of parts) {
    for (let i = 0; i < p.cluster.length; i++) {
      builder.add(p.cluster[i] as number, p.numerator[i] as number, p.denominator[i] as number, 0);
    }
    items += p.items;
  }
  const merged = builder.build();
  merged.items = items;
  return merged;
}

/** Clusters with a positive denominator: the independent units behind the value. */
export function clusterCount(sums: ClusterSums): number {
  let n = 0;
  for (let i = 0; i < sums.denominator.length; i++) if ((sums.denominator[i] as number) > 0) n++;
  return n;
}

/**
 * Weighted numerator and denominator totals.
 * @param weights (nClusters) resample multiplicities, or undefined for all ones
 */
export function weightedTotals(
  sums: ClusterSums,
  weights?: Float64Array,
): { numerator: number; denominator: number } {
  let num = 0;
  let den = 0;
  const { cluster, numerator, denominator } = sums;
  if (weights === undefined) {
    for (let i = 0; i < cluster.length; i++) {
      num += numerator[i] as number;
      den += denominator[i] as number;
    }
  } else {
    for (let i = 0; i < cluster.length; i++) {
      const w = weights[cluster[i] as number] as number;
      if (w === 0) continue;
      num += w * (numerator[i] as number);
      den += w * (denominator[i] as number);
    }
  }
  return { numerator: num, denominator: den };
}

/** The ratio of weighted sums; NaN when the denominator is 0 (no item of the group drawn). */
export function ratioValue(sums: ClusterSums, weights?: Float64Array): number {
  const t = weightedTotals(sums, weights);
  return t.denominator > 0 ? t.numerator / t.denominator : Number.NaN;
}
