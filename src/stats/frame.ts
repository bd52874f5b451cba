/**
 * A statistic frame: any resampled statistic disaggregated over groups, shaped after fairlearn's
 * MetricFrame. Each group's value is a function of one row of the statistic (its values on the
 * sample, or on one resample), so the frame turns bootstrap replicates of anything (ratio-of-sums
 * rates, accuracy drops, mCE, effective robustness) into per-group values with percentile intervals,
 * gaps and ratios between groups (`difference`, `ratio`), and bootstrap tests between groups with
 * Holm-adjusted p-values (`comparisons`). Gaps and tests are computed within each resample, so their
 * intervals account for the joint variation of the groups.
 *
 * Frames over the same groups can be combined resample by resample (`combineFrames`): the pooled
 * estimate of several random draws (`pooled`), or a paired difference (`paired`).
 *
 * Groups marked `comparable: false` (missing values, values the metric cannot score) and groups with
 * no item are reported but left out of gaps, ratios and tests.
 */
import type { ComparisonKind, DifferenceMethod, Group, GroupMetric } from '../core/types.js';
import { type BootstrapReplicates, DEFAULT_LEVEL, replicateRow } from './bootstrap.js';
import { groupLabel } from './groups.js';
import { bootstrapPValue, holmAdjust } from './holm.js';
import { percentileInterval } from './quantile.js';
import { DEFAULT_MINIMUM_GROUP_SIZE, type MinimumGroupSize, smallGroupWarning } from './sample-size.js';

export const EMPTY_GROUP_WARNING = 'empty: no item contributes to this value, which is undefined';
export const TOO_FEW_GROUPS_WARNING = 'fewer than two comparable groups with items: gap undefined';

/** The note of a value undefined in k of B resamples (its interval is over the others). */
export function undefinedInResamplesWarning(k: number, b: number): string {
  return `undefined in ${k} of ${b} resamples (a group had no drawn item); interval over the other ${b - k}`;
}

/** A statistic on the sample and on each resample. */
export interface Replicated {
  /** Value on the original sample; NaN when undefined. */
  value: number;
  /** (B) values on the resamples; NaN where undefined in a resample. */
  replicates: Float64Array;
}

/** A value with its percentile interval and the notes the interval needs. */
export interface Estimate {
  value: number;
  /** [NaN, NaN] when the value is undefined or there are no resamples. */
  ci: [number, number];
  /** The undefined-in-resamples note, when some resamples left a defined value undefined. */
  warnings: string[];
}

/** The percentile interval of a replicated statistic at `level`, over the resamples where it is defined. */
export function estimate(r: Replicated, level: number): Estimate {
  const b = r.replicates.length;
  if (Number.isNaN(r.value) || b === 0) return { value: r.value, ci: [Number.NaN, Number.NaN], warnings: [] };
  let missing = 0;
  for (const x of r.replicates) if (Number.isNaN(x)) missing++;
  return {
    value: r.value,
    ci: percentileInterval(r.replicates, level),
    warnings: missing > 0 ? [undefinedInResamplesWarning(missing, b)] : [],
  };
}

/**
 * The pooled estimate over several draws (random selections, seeds): the value is the mean of the
 * draws' values (or `value` when given), the replicates are all draws' replicates together (D·B), so
 * an interval covers the resampling spread and the draw-to-draw spread.
 * @param draws (D ≥ 1) the same statistic for each draw
 */
export function pooled(draws: readonly Replicated[], value?: number): Replicated {
  if (draws.length === 0) throw new RangeError('pooled: at least one draw is needed');
  let sum = 0;
  for (const d of draws) sum += d.value;
  const replicates = new Float64Array(draws.reduce((t, d) => t + d.replicates.length, 0));
  let at = 0;
  for (const d of draws) {
    replicates.set(d.replicates, at);
    at += d.replicates.length;
  }
  return { value: value ?? sum / draws.length, replicates };
}

/** a − b on the sample and within each resample (both on the same resamples). */
export function paired(a: Replicated, b: Replicated): Replicated {
  if (a.replicates.length !== b.replicates.length) {
    throw new RangeError(`paired: ${a.replicates.length} vs ${b.replicates.length} replicates`);
  }
  return {
    value: a.value - b.value,
    replicates: a.replicates.map((x, k) => x - (b.replicates[k] as number)),
  };
}

/** What a frame knows of one group besides its values. */
export interface FrameGroup {
  /** {} for the overall population. */
  group: Group;
  /** Items behind the value. */
  n: number;
  /** Independent clusters behind the value. */
  clusters: number;
  /**
   * Distinct cluster indices of the group. When every group of a gap or test gives them, its
   * cluster count is the size of their union; otherwise the sum of the groups' counts.
   */
  clusterIds?: ArrayLike<number>;
  /** Whether the group takes part in gaps, ratios and tests (with n > 0). */
  comparable: boolean;
  /** Notes carried into the group's row (why it is not comparable, ...). */
  warnings?: readonly string[];
  /** Whether the group is flagged when too small (default true). */
  sizeChecked?: boolean;
}

/** One group of a frame over a resampled statistic. */
export interface StatisticGroup extends FrameGroup {
  /** The group's value from one (size) row of the statistic; NaN when undefined. */
  value: (values: Float64Array) => number;
  /** The value of all other comparable groups together (needed for 'vsRest' comparisons). */
  rest?: (values: Float64Array) => number;
}

/** A metric over groups of one attribute (or intersection), as a frame is built from it. */
export interface FrameLayout<G extends FrameGroup = FrameGroup> {
  metric: string;
  /** Attributes the groups are defined on (one, or several for an intersection). */
  attributes: readonly string[];
  /** The overall population; absent, the frame has no overall value and no 'toOverall' summaries. */
  overall?: G;
  groups: readonly G[];
  /** Notes carried into every gap, ratio and test row. */
  warnings?: readonly string[];
}

export type StatisticFrameInput = FrameLayout<StatisticGroup>;

export interface StatisticFrameOptions {
  /** Interval level (default 0.95). */
  level?: number;
  minimumGroupSize?: MinimumGroupSize;
}

/** Which summary over groups: a difference or a ratio, by one of fairlearn's two methods. */
export type SummaryKind = 'difference' | 'ratio';

/** The replicated statistics behind a frame's rows; group index -1 is the overall population. */
export interface FrameSource {
  group(i: number): Replicated;
  /** Group i minus group b, or minus the rest of the comparable groups. */
  comparison(a: number, b: number | 'rest'): Replicated;
  /** Called only when the frame has enough comparable groups. */
  summary(kind: SummaryKind, method: DifferenceMethod): Replicated;
}

/** A difference between two groups (or a group and the rest) with its bootstrap test. */
export interface Comparison extends GroupMetric {
  /** The other side: a group, or 'rest' (all other comparable groups together). */
  versus: Group | 'rest';
  /** Two-sided bootstrap p-value of "no difference" (holm.ts bootstrapPValue). */
  pValue: number;
  /** Holm-adjusted over all comparisons of the same kind in this frame. */
  pAdjusted: number;
}

/** Indices of the groups gaps, ratios and tests are over: comparable, with items. */
export function comparableGroups(groups: readonly FrameGroup[]): number[] {
  return groups.map((g, i) => (g.comparable && g.n > 0 ? i : -1)).filter((i) => i >= 0);
}

function extremes(values: ArrayLike<number>): { lo: number; hi: number } {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    lo = Math.min(lo, values[i] as number);
    hi = Math.max(hi, values[i] as number);
  }
  return { lo, hi };
}

/**
 * A summary of comparable group values: 'betweenGroups' max − min (ratio min / max); 'toOverall'
 * the largest |group − overall| (ratio: the smallest of group/overall and overall/group). Same
 * definitions as fairlearn. NaN when any value is NaN.
 * @param values (k ≥ 1) the comparable groups' values
 */
export function summarize(
  kind: SummaryKind,
  method: DifferenceMethod,
  values: ArrayLike<number>,
  overall: number,
): number {
  for (let i = 0; i < values.length; i++) if (Number.isNaN(values[i])) return Number.NaN;
  if (method === 'betweenGroups') {
    const { lo, hi } = extremes(values);
    return kind === 'difference' ? hi - lo : lo / hi;
  }
  let out = kind === 'difference' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (kind === 'difference') out = Math.max(out, Math.abs(x - overall));
    else {
      const q = x / overall;
      const r = q > 1 ? 1 / q : q;
      if (Number.isNaN(r)) return Number.NaN;
      out = Math.min(out, r);
    }
  }
  return out;
}

const rowViews = new WeakMap<BootstrapReplicates, Float64Array[]>();

/** Views of the rows of a replicate matrix, made once per matrix. */
function rowsOf(boot: BootstrapReplicates): Float64Array[] {
  let rows = rowViews.get(boot);
  if (rows === undefined) {
    rows = Array.from({ length: boot.resamples }, (_, b) => replicateRow(boot, b));
    rowViews.set(boot, rows);
  }
  return rows;
}

/** The replicated values of a function of the statistic's rows. */
export function replicated(boot: BootstrapReplicates, f: (values: Float64Array) => number): Replicated {
  const rows = rowsOf(boot);
  const replicates = new Float64Array(rows.length);
  for (let b = 0; b < rows.length; b++) replicates[b] = f(rows[b] as Float64Array);
  return { value: f(boot.point), replicates };
}

/** The source of a frame built on bootstrap replicates: every value is computed once, when asked. */
class ReplicateSource implements FrameSource {
  private readonly cache = new Map<number, Replicated>();
  private readonly members: number[];

  constructor(
    private readonly input: StatisticFrameInput,
    private readonly boot: BootstrapReplicates,
  ) {
    this.members = comparableGroups(input.groups);
  }

  group(i: number): Replicated {
    let r = this.cache.get(i);
    if (r === undefined) {
      const g = i < 0 ? this.input.overall : this.input.groups[i];
      if (g === undefined) throw new RangeError(`frame "${this.input.metric}": no group ${i}`);
      r = replicated(this.boot, g.value);
      this.cache.set(i, r);
    }
    return r;
  }

  comparison(a: number, b: number | 'rest'): Replicated {
    if (b !== 'rest') return paired(this.group(a), this.group(b));
    const rest = (this.input.groups[a] as StatisticGroup).rest;
    if (rest === undefined) {
      throw new Error(`comparisons: frame "${this.input.metric}" was built without rest values (withRest)`);
    }
    return paired(this.group(a), replicated(this.boot, rest));
  }

  summary(kind: SummaryKind, method: DifferenceMethod): Replicated {
    const columns = this.members.map((i) => this.group(i));
    const overall = method === 'toOverall' ? this.group(-1) : undefined;
    const values = new Float64Array(columns.length);
    const at = (b: number) => {
      for (let k = 0; k < columns.length; k++) {
        const c = columns[k] as Replicated;
        values[k] = b < 0 ? c.value : (c.replicates[b] as number);
      }
      const o =
        overall === undefined ? Number.NaN : b < 0 ? overall.value : (overall.replicates[b] as number);
      return summarize(kind, method, values, o);
    };
    const replicates = new Float64Array(this.boot.resamples);
    for (let b = 0; b < replicates.length; b++) replicates[b] = at(b);
    return { value: at(-1), replicates };
  }
}

/** The source of a combined frame: each statistic is `combine` of the frames' statistics. */
class CombinedSource implements FrameSource {
  constructor(
    private readonly frames: readonly StatisticFrame[],
    private readonly combine: (draws: Replicated[]) => Replicated,
  ) {}

  group(i: number): Replicated {
    return this.combine(this.frames.map((f) => f.source.group(i)));
  }

  comparison(a: number, b: number | 'rest'): Replicated {
    return this.combine(this.frames.map((f) => f.source.comparison(a, b)));
  }

  summary(kind: SummaryKind, method: DifferenceMethod): Replicated {
    return this.combine(this.frames.map((f) => f.source.summary(kind, method)));
  }
}

/** A metric disaggregated over groups, with intervals, gaps, ratios and tests. */
export class StatisticFrame {
  readonly metric: string;
  readonly attributes: string[];
  private readonly level: number;
  private readonly minimum: MinimumGroupSize;
  private readonly members: number[];
  private overallMetric?: GroupMetric;
  private groupMetrics?: GroupMetric[];

  /**
   * @param layout the groups and notes (value functions, if any, are not used here)
   * @param source where the replicated values come from
   */
  constructor(
    readonly layout: FrameLayout,
    readonly source: FrameSource,
    options: StatisticFrameOptions = {},
  ) {
    this.metric = layout.metric;
    this.attributes = [...layout.attributes];
    this.level = options.level ?? DEFAULT_LEVEL;
    this.minimum = options.minimumGroupSize ?? DEFAULT_MINIMUM_GROUP_SIZE;
    this.members = comparableGroups(layout.groups);
  }

  /** The overall value (group {}). */
  get overall(): GroupMetric {
    if (this.overallMetric === undefined) {
      const g = this.layout.overall;
      if (g === undefined) throw new Error(`frame "${this.metric}" has no overall value`);
      this.overallMetric = this.groupMetric(g, -1);
    }
    return this.overallMetric;
  }

  /** Every group's value, in layout order. */
  get byGroup(): GroupMetric[] {
    this.groupMetrics ??= this.layout.groups.map((g, i) => this.groupMetric(g, i));
    return this.groupMetrics;
  }

  private isSmall(g: FrameGroup): boolean {
    return g.sizeChecked !== false && smallGroupWarning(g.n, g.clusters, this.minimum) !== undefined;
  }

  private groupMetric(g: FrameGroup, i: number): GroupMetric {
    const warnings = [...(g.warnings ?? [])];
    if (g.n === 0) warnings.push(EMPTY_GROUP_WARNING);
    else if (g.sizeChecked !== false) {
      const small = smallGroupWarning(g.n, g.clusters, this.minimum);
      if (small !== undefined) warnings.push(small);
    }
    const e = estimate(this.source.group(i), this.level);
    warnings.push(...e.warnings);
    return {
      metric: this.metric,
      group: g.group,
      value: e.value,
      ci: e.ci,
      n: g.n,
      clusters: g.clusters,
      warnings,
    };
  }

  /** Items and clusters of some groups together (see FrameGroup.clusterIds). */
  private sizeOf(indices: readonly number[]): { n: number; clusters: number } {
    const groups = indices.map((i) => this.layout.groups[i] as FrameGroup);
    const n = groups.reduce((t, g) => t + g.n, 0);
    if (!groups.every((g) => g.clusterIds !== undefined)) {
      return { n, clusters: groups.reduce((t, g) => t + g.clusters, 0) };
    }
    const seen = new Set<number>();
    for (const g of groups) for (const c of Array.from(g.clusterIds as ArrayLike<number>)) seen.add(c);
    return { n, clusters: seen.size };
  }

  /** A difference or ratio over the comparable groups, with its interval and notes. */
  private summary(kind: SummaryKind, method: DifferenceMethod): GroupMetric {
    if (method === 'toOverall' && this.layout.overall === undefined) {
      throw new Error(`frame "${this.metric}" has no overall value: no 'toOverall' ${kind}`);
    }
    const metric = `${this.metric}.${kind}`;
    const group: Group = Object.fromEntries(this.attributes.map((a) => [a, '*']));
    const size = this.sizeOf(this.members);
    const warnings = [...(this.layout.warnings ?? [])];
    if (this.members.length < (method === 'betweenGroups' ? 2 : 1)) {
      warnings.push(TOO_FEW_GROUPS_WARNING);
      return { metric, group, value: Number.NaN, ci: [Number.NaN, Number.NaN], ...size, warnings };
    }
    const e = estimate(this.source.summary(kind, method), this.level);
    warnings.push(...e.warnings);
    const small = this.members.map((i) => this.layout.groups[i] as FrameGroup).filter((g) => this.isSmall(g));
    if (small.length > 0) {
      warnings.push(
        `includes groups too small to conclude: ${small.map((g) => groupLabel(g.group)).join('; ')}`,
      );
    }
    return { metric, group, value: e.value, ci: e.ci, ...size, warnings };
  }

  /** The gap between groups (max − min) or the largest distance to the overall value. */
  difference(options: { method?: DifferenceMethod } = {}): GroupMetric {
    return this.summary('difference', options.method ?? 'betweenGroups');
  }

  /** min / max over groups, or the smallest of group/overall and overall/group (fairlearn's ratio). */
  ratio(options: { method?: DifferenceMethod } = {}): GroupMetric {
    return this.summary('ratio', options.method ?? 'betweenGroups');
  }

  /**
   * Bootstrap tests of group differences: 'pairwise' (every pair of comparable groups, a − b in
   * group order) or 'vsRest' (each group minus all other comparable groups pooled). p-values are
   * Holm-adjusted over the comparisons returned.
   */
  comparisons(kind: ComparisonKind): Comparison[] {
    const pairs: { a: number; b: number | 'rest' }[] = [];
    if (kind === 'pairwise') {
      this.members.forEach((a, i) => {
        for (const b of this.members.slice(i + 1)) pairs.push({ a, b });
      });
    } else if (this.members.length >= 2) {
      for (const a of this.members) pairs.push({ a, b: 'rest' });
    }
    const out = pairs.map(({ a, b }): Comparison => {
      const diff = this.source.comparison(a, b);
      const e = estimate(diff, this.level);
      const groups = this.layout.groups;
      return {
        metric: `${this.metric}.comparison`,
        group: (groups[a] as FrameGroup).group,
        versus: b === 'rest' ? 'rest' : (groups[b] as FrameGroup).group,
        value: e.value,
        ci: e.ci,
        ...this.sizeOf(b === 'rest' ? this.members : [a, b]),
        warnings: [...(this.layout.warnings ?? []), ...e.warnings],
        pValue: diff.replicates.length > 0 ? bootstrapPValue(diff.replicates) : Number.NaN,
        pAdjusted: Number.NaN,
      };
    });
    const adjusted = holmAdjust(out.map((c) => c.pValue));
    out.forEach((c, i) => {
      c.pAdjusted = adjusted[i] as number;
    });
    return out;
  }
}

/** A frame over bootstrap replicates of any statistic: each group's value is its function of a row. */
export function statisticFrame(
  input: StatisticFrameInput,
  boot: BootstrapReplicates,
  options: StatisticFrameOptions = {},
): StatisticFrame {
  return new StatisticFrame(input, new ReplicateSource(input, boot), options);
}

/**
 * Frames over the same groups (the same layout, other values) combined statistic by statistic:
 * every group value, gap, ratio and test of the result is `combine` of the frames' own. The result
 * carries the first frame's layout (sizes, notes, comparability).
 */
export function combineFrames(
  frames: readonly StatisticFrame[],
  combine: (draws: Replicated[]) => Replicated,
  options: StatisticFrameOptions = {},
): StatisticFrame {
  const first = frames[0];
  if (first === undefined) throw new RangeError('combineFrames: at least one frame is needed');
  return new StatisticFrame(first.layout, new CombinedSource(frames, combine), options);
}
