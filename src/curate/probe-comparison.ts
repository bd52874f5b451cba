/**
 * results.json rows comparing a probe trained on a curated selection with probes trained on random
 * selections of the same size, all scored on one test set (indicator 'curation'):
 *
 * - `probe.accuracy` overall (group {}) and per group, params.selection 'curated' or 'random';
 * - `probe.accuracy.difference` (group {attr: '*'}, method 'betweenGroups'): the largest minus the
 *   smallest comparable group accuracy, the disparity indicator, for 'curated' and 'random';
 * - `probe.accuracy_gain` overall and per group, and `probe.accuracy_gap_change` per grouping:
 *   curated minus random (params.selection 'curated-minus-random').
 *
 * Intervals come from one clustered bootstrap of the test set (src/stats: test items of one cluster
 * are resampled together), the same resamples for every selection:
 * - curated: the percentile interval of its B replicates;
 * - random: the value is the mean over the D draws; the interval is the percentile interval of all
 *   D·B replicates pooled (a mixture over draws), so it covers both the test-sampling spread and the
 *   draw-to-draw spread of a random selection;
 * - curated minus random: paired on the resamples, pooled over draws (curated_b − random_{d,b} for
 *   every d and b), i.e. the difference to one random selection of this size, with both spreads.
 */
import type { AttrValue, Group, ManifestItem, ResultRow } from '../core/types.js';
import { type GroupSplit, itemSums, splitItems } from '../indicators/frames.js';
import { DEFAULT_MISSING_VALUES, type Grouping, indexClusters } from '../indicators/groups.js';
import { type ResampledStatistic, runClusteredBootstrap } from '../stats/bootstrap.js';
import { type ClusterSums, clusterCount, emptySums, ratioValue } from '../stats/cluster-sums.js';
import {
  EMPTY_GROUP_WARNING,
  type FrameOptions,
  groupLabel,
  TOO_FEW_GROUPS_WARNING,
} from '../stats/metric-frame.js';
import { percentileInterval } from '../stats/quantile.js';
import { DEFAULT_MINIMUM_GROUP_SIZE, smallGroupWarning } from '../stats/sample-size.js';
import { CURATION_INDICATOR } from './summary.js';

export const PROBE_ACCURACY = 'probe.accuracy';
export const PROBE_ACCURACY_GAP = `${PROBE_ACCURACY}.difference`;
export const PROBE_ACCURACY_GAIN = 'probe.accuracy_gain';
export const PROBE_ACCURACY_GAP_CHANGE = 'probe.accuracy_gap_change';

export type SelectionKind = 'curated' | 'random' | 'curated-minus-random';

/** How each kind's interval is formed (params.intervalMethod). */
export const INTERVAL_METHODS: Record<SelectionKind, string> = {
  curated: 'clustered bootstrap over the test clusters (percentile)',
  random:
    'mean over the random draws; percentile interval of the bootstrap replicates of all draws pooled (test sampling and draw-to-draw spread)',
  'curated-minus-random':
    'paired: curated minus each random draw on the same test resamples, pooled over draws (percentile)',
};

/** Which test items each probe classified correctly. */
export interface SelectionOutcomes {
  /** (n test items) 1 where the probe trained on the curated selection is right. */
  curated: Uint8Array;
  /** (draws) × (n test items), one per random selection. */
  random: Uint8Array[];
}

export interface ComparisonContext {
  model: string;
  /** The test dataset. */
  dataset: string;
  /** Shared by every row (strategy, budget, draws, head, ...). */
  params: Record<string, AttrValue>;
}

/** One value of the statistic: the overall accuracy or one group's. */
interface Cell {
  group: Group;
  /** Index of its grouping, -1 for the overall cell. */
  grouping: number;
  comparable: boolean;
  notes: string[];
  members: number[];
}

/** Accuracies of every selection on every cell: out[s·cells + c]. */
class SelectionAccuracies implements ResampledStatistic {
  readonly size: number;
  constructor(private readonly sums: ClusterSums[][]) {
    this.size = sums.length * (sums[0]?.length ?? 0);
  }
  evaluate(weights: Float64Array | undefined, out: Float64Array, offset: number): void {
    let k = offset;
    for (const perCell of this.sums) for (const s of perCell) out[k++] = ratioValue(s, weights);
  }
}

function cellsOf(n: number, splits: readonly GroupSplit[]): Cell[] {
  const cells: Cell[] = [
    {
      group: {},
      grouping: -1,
      comparable: true,
      notes: [],
      members: Array.from({ length: n }, (_, i) => i),
    },
  ];
  splits.forEach((split, k) => {
    split.groups.forEach((group, g) => {
      cells.push({
        group,
        grouping: k,
        comparable: split.comparable[g] as boolean,
        notes: split.notes[g] as string[],
        members: split.members[g] as number[],
      });
    });
  });
  return cells;
}

/**
 * The comparison rows.
 * @param items (n) the test items, in the order of the outcome vectors
 * @param groupings groups to break accuracies down by (one attribute, or an intersection)
 * @param options bootstrap seed, resamples, level and the small-group thresholds
 */
export function probeComparisonRows(
  items: readonly ManifestItem[],
  outcomes: SelectionOutcomes,
  groupings: readonly Grouping[],
  context: ComparisonContext,
  options: FrameOptions,
  missingValues: ReadonlySet<string> = new Set(DEFAULT_MISSING_VALUES),
): ResultRow[] {
  const n = items.length;
  const draws = outcomes.random.length;
  if (draws === 0) throw new RangeError('probeComparisonRows: at least one random draw is needed');
  for (const o of [outcomes.curated, ...outcomes.random]) {
    if (o.length !== n) throw new RangeError(`probeComparisonRows: ${o.length} outcomes for ${n} items`);
  }
  const level = options.level ?? 0.95;
  const minimum = options.minimumGroupSize ?? DEFAULT_MINIMUM_GROUP_SIZE;
  const { clusterIndex, nClusters } = indexClusters(items);
  const splits = groupings.map((g) => splitItems(items, g, missingValues));
  const cells = cellsOf(n, splits);
  const selections = [outcomes.curated, ...outcomes.random];
  const sums = selections.map((hits) =>
    cells.map((cell) =>
      cell.members.length === 0
        ? emptySums()
        : itemSums(cell.members, clusterIndex, (i) => hits[i] as number),
    ),
  );
  const [boot] = runClusteredBootstrap(nClusters, [new SelectionAccuracies(sums)], options);
  if (boot === undefined) throw new Error('probeComparisonRows: no bootstrap result');
  const nCells = cells.length;
  const B = boot.resamples;
  const point = (s: number, c: number) => boot.point[s * nCells + c] as number;
  const replicate = (b: number, s: number, c: number) =>
    boot.replicates[b * boot.size + s * nCells + c] as number;

  /** A statistic f(row, s) of one selection, on the sample (b = -1) or on resample b. */
  type Stat = (b: number, s: number) => number;
  const estimate = (kind: SelectionKind, f: Stat) => {
    const randomMean = () => {
      let sum = 0;
      for (let d = 1; d <= draws; d++) sum += f(-1, d);
      return sum / draws;
    };
    const value = kind === 'curated' ? f(-1, 0) : kind === 'random' ? randomMean() : f(-1, 0) - randomMean();
    const reps: number[] = [];
    for (let b = 0; b < B; b++) {
      if (kind === 'curated') reps.push(f(b, 0));
      else for (let d = 1; d <= draws; d++) reps.push(kind === 'random' ? f(b, d) : f(b, 0) - f(b, d));
    }
    const undefinedCount = reps.filter(Number.isNaN).length;
    const ci: [number, number] =
      Number.isNaN(value) || B === 0 || undefinedCount === reps.length
        ? [Number.NaN, Number.NaN]
        : percentileInterval(reps, level);
    const warnings =
      undefinedCount > 0 && !Number.isNaN(value)
        ? [
            `undefined in ${undefinedCount} of ${reps.length} resamples (a group had no drawn item); interval over the others`,
          ]
        : [];
    return { value, ci, warnings };
  };
  const cellValue =
    (c: number): Stat =>
    (b, s) =>
      b < 0 ? point(s, c) : replicate(b, s, c);

  const rows: ResultRow[] = [];
  const push = (
    metric: string,
    kind: SelectionKind,
    group: Group,
    est: { value: number; ci: [number, number]; warnings: string[] },
    size: { n: number; clusters: number },
    warnings: string[],
    extra: Record<string, AttrValue> = {},
  ) => {
    const common = {
      model: context.model,
      indicator: CURATION_INDICATOR,
      dataset: context.dataset,
      metric,
      group,
      value: est.value,
      ci: est.ci,
      n: size.n,
      clusters: size.clusters,
      warnings: [...warnings, ...est.warnings],
      params: { ...context.params, ...extra, selection: kind, intervalMethod: INTERVAL_METHODS[kind] },
    };
    rows.push(
      extra.method === 'betweenGroups'
        ? { kind: 'difference', ...common, params: { ...common.params, method: 'betweenGroups' } }
        : { kind: 'value', ...common },
    );
  };

  const cellWarnings = cells.map((cell, c) => {
    const s = sums[0]?.[c] as ClusterSums;
    const w = [...cell.notes];
    if (s.items === 0) w.push(EMPTY_GROUP_WARNING);
    else {
      const small = smallGroupWarning(s.items, clusterCount(s), minimum);
      if (small !== undefined) w.push(small);
    }
    return w;
  });
  const cellSize = (c: number) => {
    const s = sums[0]?.[c] as ClusterSums;
    return { n: s.items, clusters: clusterCount(s) };
  };

  // Accuracies: curated, then random, each overall then per group.
  for (const kind of ['curated', 'random'] as const) {
    cells.forEach((cell, c) => {
      push(
        PROBE_ACCURACY,
        kind,
        cell.group,
        estimate(kind, cellValue(c)),
        cellSize(c),
        cellWarnings[c] ?? [],
      );
    });
  }

  // Largest group gap per grouping, over the comparable groups with items.
  const gaps = splits.map((split, k) => {
    const idx = cells
      .map((cell, c) => (cell.grouping === k && cell.comparable && cell.members.length > 0 ? c : -1))
      .filter((c) => c >= 0);
    const group: Group = Object.fromEntries(split.grouping.attributes.map((a) => [a, '*']));
    const seen = new Set<number>();
    for (const c of idx) for (const i of cells[c]?.members ?? []) seen.add(clusterIndex[i] as number);
    const size = { n: idx.reduce((t, c) => t + (cells[c]?.members.length ?? 0), 0), clusters: seen.size };
    const warnings: string[] = [];
    if (idx.length < 2) warnings.push(TOO_FEW_GROUPS_WARNING);
    const small = idx.filter((c) => (cellWarnings[c] ?? []).some((w) => w.startsWith('too small')));
    if (small.length > 0) {
      warnings.push(
        `includes groups too small to conclude: ${small.map((c) => groupLabel(cells[c]?.group ?? {})).join('; ')}`,
      );
    }
    const gap: Stat = (b, s) => {
      if (idx.length < 2) return Number.NaN;
      let lo = Number.POSITIVE_INFINITY;
      let hi = Number.NEGATIVE_INFINITY;
      for (const c of idx) {
        const v = cellValue(c)(b, s);
        if (Number.isNaN(v)) return Number.NaN;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return hi - lo;
    };
    return { group, size, warnings, gap };
  });
  for (const kind of ['curated', 'random'] as const) {
    for (const g of gaps) {
      push(PROBE_ACCURACY_GAP, kind, g.group, estimate(kind, g.gap), g.size, g.warnings, {
        method: 'betweenGroups',
      });
    }
  }

  // Curated minus random.
  cells.forEach((cell, c) => {
    push(
      PROBE_ACCURACY_GAIN,
      'curated-minus-random',
      cell.group,
      estimate('curated-minus-random', cellValue(c)),
      cellSize(c),
      cellWarnings[c] ?? [],
    );
  });
  for (const g of gaps) {
    push(
      PROBE_ACCURACY_GAP_CHANGE,
      'curated-minus-random',
      g.group,
      estimate('curated-minus-random', g.gap),
      g.size,
      g.warnings,
      { method: 'betweenGroups' },
    );
  }
  return rows;
}
