/**
 * A disaggregated metric with uncertainty, shaped after fairlearn's MetricFrame: `overall`,
 * `byGroup`, `difference({method})` and `ratio({method})`, plus bootstrap tests between groups with
 * Holm-adjusted p-values. Every accessor returns GroupMetric values with a percentile interval
 * computed from the same clustered resamples (see bootstrap.ts), so the interval of a gap is the
 * interval of max - min within each resample, not a combination of separate intervals.
 *
 * Groups marked `comparable: false` (n/a, unknown, values the metric cannot score) are reported in
 * `byGroup` but left out of gaps, ratios and tests. Empty groups have value NaN and say so.
 */
import type {
  AttrValue,
  ComparisonKind,
  DifferenceMethod,
  Group,
  GroupMetric,
  ResultRow,
} from '../core/types.js';
import {
  type BootstrapOptions,
  type BootstrapReplicates,
  DEFAULT_LEVEL,
  type ResampledStatistic,
  replicateColumn,
  runClusteredBootstrap,
} from './bootstrap.js';
import { type ClusterSums, clusterCount, weightedTotals } from './cluster-sums.js';
import { bootstrapPValue, holmAdjust } from './holm.js';
import { percentileInterval } from './quantile.js';
import { DEFAULT_MINIMUM_GROUP_SIZE, type MinimumGroupSize, smallGroupWarning } from './sample-size.js';

/** One group of a frame: its attribute values and its per-cluster sums. */
export interface FrameGroupInput {
  group: Group;
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

/** 'betweenGroups': max - min over groups (ratio: min / max); 'toOverall': largest |group - overall|
 * (ratio: smallest of group/overall and overall/group). Same definitions as fairlearn. */
export type { ComparisonKind, DifferenceMethod } from '../core/types.js';

/** A difference between two groups (or a group and the rest) with its bootstrap test. */
export interface Comparison extends GroupMetric {
  /** The other side: a group, or 'rest' (all other comparable groups together). */
  versus: Group | 'rest';
  /** Two-sided bootstrap p-value of "no difference" (holm.ts bootstrapPValue). */
  pValue: number;
  /** Holm-adjusted over all comparisons of the same kind in this frame. */
  pAdjusted: number;
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

function countNaN(xs: Float64Array): number {
  let k = 0;
  for (const x of xs) if (Number.isNaN(x)) k++;
  return k;
}

/** Canonical text of a group: "gender=female,skintone=darker"; "overall" for {}. */
export function groupLabel(group: Group): string {
  const keys = Object.keys(group);
  return keys.length === 0 ? 'overall' : keys.map((k) => `${k}=${String(group[k])}`).join(',');
}

function undefinedInResamplesWarning(k: number, b: number): string {
  return `undefined in ${k} of ${b} resamples (a group had no drawn item); interval over the other ${b - k}`;
}

export const EMPTY_GROUP_WARNING = 'empty: no item contributes to this value, which is undefined';
export const TOO_FEW_GROUPS_WARNING = 'fewer than two comparable groups with items: gap undefined';

/** A metric disaggregated over the groups of one attribute (or intersection). */
export class MetricFrame {
  readonly metric: string;
  readonly attributes: string[];
  readonly overall: GroupMetric;
  readonly byGroup: GroupMetric[];
  private readonly level: number;
  private readonly resamples: number;
  private readonly comparableIdx: number[];

  constructor(
    private readonly input: MetricFrameInput,
    private readonly boot: BootstrapReplicates,
    options: { level?: number; minimumGroupSize?: MinimumGroupSize } = {},
  ) {
    this.metric = input.metric;
    this.attributes = input.attributes;
    this.level = options.level ?? DEFAULT_LEVEL;
    this.resamples = boot.resamples;
    const minimum = options.minimumGroupSize ?? DEFAULT_MINIMUM_GROUP_SIZE;
    this.overall = this.groupMetric({}, input.overall, 0, [], minimum);
    this.byGroup = input.groups.map((g, i) =>
      this.groupMetric(g.group, g.sums, 1 + i, g.warnings ?? [], minimum),
    );
    this.comparableIdx = input.groups
      .map((g, i) => (g.comparable && g.sums.items > 0 && !Number.isNaN(this.byGroup[i]?.value) ? i : -1))
      .filter((i) => i >= 0);
  }

  private groupMetric(
    group: Group,
    sums: ClusterSums,
    column: number,
    notes: string[],
    minimum: MinimumGroupSize,
  ): GroupMetric {
    const value = this.boot.point[column] as number;
    const clusters = clusterCount(sums);
    const warnings = [...notes];
    if (sums.items === 0) warnings.push(EMPTY_GROUP_WARNING);
    else {
      const small = smallGroupWarning(sums.items, clusters, minimum);
      if (small !== undefined) warnings.push(small);
    }
    let ci: [number, number] = [Number.NaN, Number.NaN];
    if (!Number.isNaN(value) && this.resamples > 0) {
      const column_ = replicateColumn(this.boot, column);
      const missing = countNaN(column_);
      if (missing > 0) warnings.push(undefinedInResamplesWarning(missing, this.resamples));
      ci = percentileInterval(column_, this.level);
    }
    return { metric: this.metric, group, value, ci, n: sums.items, clusters, warnings };
  }

  private column(j: number): Float64Array {
    return replicateColumn(this.boot, j);
  }

  /** Items and distinct clusters of the comparable groups together. */
  private comparableSize(): { n: number; clusters: number } {
    return this.sizeOf(this.comparableIdx);
  }

  /** Items and distinct clusters of some groups together. */
  private sizeOf(indices: readonly number[]): { n: number; clusters: number } {
    const seen = new Set<number>();
    let n = 0;
    for (const i of indices) {
      const s = (this.input.groups[i] as FrameGroupInput).sums;
      n += s.items;
      s.cluster.forEach((c, k) => {
        if ((s.denominator[k] as number) > 0) seen.add(c);
      });
    }
    return { n, clusters: seen.size };
  }

  /** Summary over groups: applies `combine` to the comparable group values and the overall value,
   * on the sample and in every resample. */
  private summary(
    metric: string,
    combine: (values: number[], overall: number) => number,
    method: DifferenceMethod,
  ): GroupMetric {
    const group: Group = Object.fromEntries(this.attributes.map((a) => [a, '*']));
    const size = this.comparableSize();
    const warnings: string[] = [];
    if (this.comparableIdx.length < (method === 'betweenGroups' ? 2 : 1)) {
      warnings.push(TOO_FEW_GROUPS_WARNING);
      return { metric, group, value: Number.NaN, ci: [Number.NaN, Number.NaN], ...size, warnings };
    }
    const pick = (row: Float64Array | number[], base: number) =>
      this.comparableIdx.map((i) => row[base + 1 + i] as number);
    const value = combine(pick(this.boot.point, 0), this.boot.point[0] as number);
    const reps = new Float64Array(this.resamples);
    for (let b = 0; b < this.resamples; b++) {
      const base = b * this.boot.size;
      const values = pick(this.boot.replicates, base);
      reps[b] = values.some(Number.isNaN)
        ? Number.NaN
        : combine(values, this.boot.replicates[base] as number);
    }
    const missing = countNaN(reps);
    if (missing > 0) warnings.push(undefinedInResamplesWarning(missing, this.resamples));
    const small = this.comparableIdx
      .map((i) => this.byGroup[i] as GroupMetric)
      .filter((g) => g.warnings.some((w) => w.startsWith('too small')));
    if (small.length > 0) {
      warnings.push(
        `includes groups too small to conclude: ${small.map((g) => groupLabel(g.group)).join('; ')}`,
      );
    }
    const ci: [number, number] =
      Number.isNaN(value) || this.resamples === 0
        ? [Number.NaN, Number.NaN]
        : percentileInterval(reps, this.level);
    return { metric, group, value, ci, ...size, warnings };
  }

  /** The gap between groups (max - min) or the largest distance to the overall value. */
  difference(options: { method?: DifferenceMethod } = {}): GroupMetric {
    const method = options.method ?? 'betweenGroups';
    return method === 'betweenGroups'
      ? this.summary(`${this.metric}.difference`, (v) => Math.max(...v) - Math.min(...v), method)
      : this.summary(
          `${this.metric}.difference`,
          (v, o) => Math.max(...v.map((x) => Math.abs(x - o))),
          method,
        );
  }

  /** min / max over groups, or the smallest of group/overall and overall/group (fairlearn's ratio). */
  ratio(options: { method?: DifferenceMethod } = {}): GroupMetric {
    const method = options.method ?? 'betweenGroups';
    if (method === 'betweenGroups') {
      return this.summary(`${this.metric}.ratio`, (v) => Math.min(...v) / Math.max(...v), method);
    }
    return this.summary(
      `${this.metric}.ratio`,
      (v, o) => {
        const r = v.map((x) => {
          const q = x / o;
          return q > 1 ? 1 / q : q;
        });
        return r.some(Number.isNaN) ? Number.NaN : Math.min(...r);
      },
      method,
    );
  }

  /**
   * Bootstrap tests of group differences: 'pairwise' (every pair of comparable groups, a - b in
   * group order) or 'vsRest' (each group minus all other comparable groups pooled). p-values are
   * Holm-adjusted over the comparisons returned.
   */
  comparisons(kind: ComparisonKind): Comparison[] {
    const g = this.input.groups.length;
    if (kind === 'vsRest' && !this.input.withRest) {
      throw new Error(`MetricFrame.comparisons: frame "${this.metric}" was built without withRest`);
    }
    const pairs: { a: number; b: number | 'rest' }[] = [];
    if (kind === 'pairwise') {
      this.comparableIdx.forEach((a, i) => {
        for (const b of this.comparableIdx.slice(i + 1)) pairs.push({ a, b });
      });
    } else if (this.comparableIdx.length >= 2) {
      for (const a of this.comparableIdx) pairs.push({ a, b: 'rest' });
    }
    const out = pairs.map(({ a, b }): Comparison => {
      const colA = this.column(1 + a);
      const colB = this.column(b === 'rest' ? 1 + g + a : 1 + b);
      const diff = colA.map((x, k) => x - (colB[k] as number));
      const pointA = this.boot.point[1 + a] as number;
      const pointB = this.boot.point[b === 'rest' ? 1 + g + a : 1 + b] as number;
      const value = pointA - pointB;
      const ga = this.input.groups[a] as FrameGroupInput;
      const size = this.sizeOf(b === 'rest' ? this.comparableIdx : [a, b]);
      const warnings: string[] = [];
      const missing = countNaN(diff);
      if (missing > 0) warnings.push(undefinedInResamplesWarning(missing, this.resamples));
      return {
        metric: `${this.metric}.comparison`,
        group: ga.group,
        versus: b === 'rest' ? 'rest' : (this.input.groups[b] as FrameGroupInput).group,
        value,
        ci: this.resamples > 0 ? percentileInterval(diff, this.level) : [Number.NaN, Number.NaN],
        ...size,
        warnings,
        pValue: this.resamples > 0 ? bootstrapPValue(diff) : Number.NaN,
        pAdjusted: Number.NaN,
      };
    });
    const adjusted = holmAdjust(out.map((c) => c.pValue));
    out.forEach((c, i) => {
      c.pAdjusted = adjusted[i] as number;
    });
    return out;
  }

  /** Tidy result rows: groups, and optionally overall, gaps, ratios and tests. */
  toRows(options: RowOptions): ResultRow[] {
    const common = {
      model: options.model,
      indicator: options.indicator,
      ...(options.dataset === undefined ? {} : { dataset: options.dataset }),
    };
    const base = (m: GroupMetric): ResultRow => ({
      kind: 'value',
      ...common,
      params: { ...options.params },
      ...m,
    });
    const rows: ResultRow[] = [];
    if (options.overall) rows.push(base(this.overall));
    for (const g of this.byGroup) rows.push(base(g));
    if (options.differences) {
      for (const method of ['betweenGroups', 'toOverall'] as const) {
        rows.push({
          kind: 'difference',
          ...common,
          params: { ...options.params, method },
          ...this.difference({ method }),
        });
        rows.push({
          kind: 'ratio',
          ...common,
          params: { ...options.params, method },
          ...this.ratio({ method }),
        });
      }
    }
    const kind = options.comparisons ?? 'none';
    if (kind !== 'none') {
      for (const c of this.comparisons(kind)) {
        const { versus, pValue, pAdjusted, ...metric } = c;
        rows.push({
          kind: 'comparison',
          ...common,
          params: {
            ...options.params,
            test: kind,
            versus: versus === 'rest' ? 'rest' : groupLabel(versus),
            pValue,
            pHolm: pAdjusted,
          },
          ...metric,
        });
      }
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
