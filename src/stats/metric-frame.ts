/**
 * A disaggregated ratio-of-sums metric with uncertainty, shaped after fairlearn's MetricFrame:
 * `overall`, `byGroup`, `difference({method})` and `ratio({method})`, plus bootstrap tests between
 * groups with Holm-adjusted p-values. The metric of each group is a ratio of per-cluster sums
 * (cluster-sums.ts); the frame is a StatisticFrame (frame.ts) over the clustered bootstrap of those
 * ratios, so the interval of a gap is the interval of max − min within each resample, not a
 * combination of separate intervals.
 *
 * Groups marked `comparable: false` (n/a, unknown, values the metric cannot score), empty groups and
 * groups whose value is undefined are reported in `byGroup` but left out of gaps, ratios and tests.
 * Empty groups have value NaN and say so.
 */
import type { AttrValue, ComparisonKind, GroupMetric, ResultRow } from '../core/types.js';
import {
  type BootstrapOptions,
  type BootstrapReplicates,
  type ResampledStatistic,
  runClusteredBootstrap,
} from './bootstrap.js';
import { type ClusterSums, clusterCount, weightedTotals } from './cluster-sums.js';
import { type Comparison, type StatisticFrame, type StatisticGroup, statisticFrame } from './frame.js';
import { comparisonRow, differenceRow, ratioRow, valueRow } from './rows.js';
import type { MinimumGroupSize } from './sample-size.js';

export type { ComparisonKind, DifferenceMethod } from '../core/types.js';
export { type Comparison, EMPTY_GROUP_WARNING, TOO_FEW_GROUPS_WARNING } from './frame.js';
export { groupLabel } from './groups.js';

/** One group of a frame: its attribute values and its per-cluster sums. */
export interface FrameGroupInput {
  group: StatisticGroup['group'];
  sums: ClusterSums;
  /** Whether the group takes part in gaps, ratios and tests. */
  comparable: boolean;
  /** Notes carried into the group's row (why it is not comparable, ...). */
  warnings?: string[];
}

export interface MetricFrameInput {
  metric: string;
  /** Attributes the groups are defined on (one, or several for an intersection). */
  attributes: string[];
  overall: ClusterSums;
  groups: FrameGroupInput[];
  /** Also resample each group's complement (needed for comparisons of kind 'vsRest'). */
  withRest?: boolean;
}

export interface FrameOptions extends BootstrapOptions {
  minimumGroupSize?: MinimumGroupSize;
}

/** What toRows emits besides the groups. */
export interface RowOptions {
  model: string;
  indicator: string;
  params: Record<string, AttrValue>;
  dataset?: string;
  overall?: boolean;
  differences?: boolean;
  comparisons?: ComparisonKind | 'none';
}

/** The statistic a frame resamples: [overall, group values..., complements of groups...]. */
class FrameStatistic implements ResampledStatistic {
  readonly size: number;
  private readonly nums: Float64Array;
  private readonly dens: Float64Array;

  constructor(private readonly input: MetricFrameInput) {
    const g = input.groups.length;
    this.size = 1 + g + (input.withRest ? g : 0);
    this.nums = new Float64Array(g);
    this.dens = new Float64Array(g);
  }

  evaluate(weights: Float64Array | undefined, out: Float64Array, offset: number): void {
    const { groups, overall, withRest } = this.input;
    const o = weightedTotals(overall, weights);
    out[offset] = o.denominator > 0 ? o.numerator / o.denominator : Number.NaN;
    let comparableNum = 0;
    let comparableDen = 0;
    groups.forEach((grp, i) => {
      const t = weightedTotals(grp.sums, weights);
      this.nums[i] = t.numerator;
      this.dens[i] = t.denominator;
      out[offset + 1 + i] = t.denominator > 0 ? t.numerator / t.denominator : Number.NaN;
      if (grp.comparable) {
        comparableNum += t.numerator;
        comparableDen += t.denominator;
      }
    });
    if (!withRest) return;
    groups.forEach((grp, i) => {
      const num = comparableNum - (grp.comparable ? (this.nums[i] as number) : 0);
      const den = comparableDen - (grp.comparable ? (this.dens[i] as number) : 0);
      out[offset + 1 + groups.length + i] = den > 0 ? num / den : Number.NaN;
    });
  }
}

/** Items, clusters and the clusters' indices behind some sums. */
function sizeOf(sums: ClusterSums): { n: number; clusters: number; clusterIds: Int32Array } {
  return {
    n: sums.items,
    clusters: clusterCount(sums),
    clusterIds: sums.cluster.filter((_, k) => (sums.denominator[k] as number) > 0),
  };
}

/** A metric disaggregated over the groups of one attribute (or intersection). */
export class MetricFrame {
  private readonly frame: StatisticFrame;

  constructor(
    input: MetricFrameInput,
    boot: BootstrapReplicates,
    options: { level?: number; minimumGroupSize?: MinimumGroupSize } = {},
  ) {
    const g = input.groups.length;
    this.frame = statisticFrame(
      {
        metric: input.metric,
        attributes: input.attributes,
        overall: { group: {}, value: (v) => v[0] as number, comparable: true, ...sizeOf(input.overall) },
        groups: input.groups.map((grp, i) => ({
          group: grp.group,
          value: (v) => v[1 + i] as number,
          ...(input.withRest ? { rest: (v: Float64Array) => v[1 + g + i] as number } : {}),
          ...sizeOf(grp.sums),
          // an empty group, or one whose value is undefined, is not compared
          comparable: grp.comparable && !Number.isNaN(boot.point[1 + i]),
          warnings: grp.warnings ?? [],
        })),
      },
      boot,
      options,
    );
  }

  get metric(): string {
    return this.frame.metric;
  }

  get attributes(): string[] {
    return this.frame.attributes;
  }

  get overall(): GroupMetric {
    return this.frame.overall;
  }

  get byGroup(): GroupMetric[] {
    return this.frame.byGroup;
  }

  /** See StatisticFrame.difference. */
  difference(options: Parameters<StatisticFrame['difference']>[0] = {}): GroupMetric {
    return this.frame.difference(options);
  }

  /** See StatisticFrame.ratio. */
  ratio(options: Parameters<StatisticFrame['ratio']>[0] = {}): GroupMetric {
    return this.frame.ratio(options);
  }

  /** See StatisticFrame.comparisons ('vsRest' needs a frame built withRest). */
  comparisons(kind: ComparisonKind): Comparison[] {
    return this.frame.comparisons(kind);
  }

  /** Tidy result rows: groups, and optionally overall, gaps, ratios and tests. */
  toRows(options: RowOptions): ResultRow[] {
    const context = { model: options.model, indicator: options.indicator, dataset: options.dataset };
    const rows: ResultRow[] = [];
    if (options.overall) rows.push(valueRow(this.overall, context, options.params));
    for (const g of this.byGroup) rows.push(valueRow(g, context, options.params));
    if (options.differences) {
      for (const method of ['betweenGroups', 'toOverall'] as const) {
        rows.push(differenceRow(this.difference({ method }), context, options.params, method));
        rows.push(ratioRow(this.ratio({ method }), context, options.params, method));
      }
    }
    const kind = options.comparisons ?? 'none';
    if (kind !== 'none') {
      for (const c of this.comparisons(kind)) rows.push(comparisonRow(c, context, options.params, kind));
    }
    return rows;
  }
}

/**
 * Builds frames that share one clustered bootstrap: every frame sees the same resamples.
 * @param nClusters clusters are numbered 0..nClusters-1 in every frame's sums
 */
export function buildMetricFrames(
  nClusters: number,
  inputs: readonly MetricFrameInput[],
  options: FrameOptions,
): MetricFrame[] {
  const boots = runClusteredBootstrap(
    nClusters,
    inputs.map((input) => new FrameStatistic(input)),
    options,
  );
  return inputs.map(
    (input, i) =>
      new MetricFrame(input, boots[i] as BootstrapReplicates, {
        level: options.level,
        minimumGroupSize: options.minimumGroupSize,
      }),
  );
}
