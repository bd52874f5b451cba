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
 * are resampled together), the same resamples for every selection, each selection's accuracies a
 * StatisticFrame per grouping:
 * - curated: the percentile interval of its B replicates;
 * - random: the pooled estimate over the D draws (src/stats `pooled`): the value is the mean over the
 *   draws; the interval is the percentile interval of all D·B replicates pooled (a mixture over
 *   draws), so it covers both the test-sampling spread and the draw-to-draw spread;
 * - curated minus random: paired on the resamples, pooled over draws (curated_b − random_{d,b} for
 *   every d and b), i.e. the difference to one random selection of this size, with both spreads.
 */
import type { AttrValue, ManifestItem, ResultRow } from '../core/types.js';
import { type ResampledStatistic, runClusteredBootstrap } from '../stats/bootstrap.js';
import { type ClusterSums, clusterCount, emptySums, itemSums, ratioValue } from '../stats/cluster-sums.js';
import {
  combineFrames,
  paired,
  pooled,
  type Replicated,
  type StatisticFrame,
  type StatisticGroup,
  statisticFrame,
} from '../stats/frame.js';
import {
  DEFAULT_MISSING_VALUES,
  type Grouping,
  type GroupSplit,
  indexClusters,
  splitItems,
} from '../stats/groups.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { differenceRow, valueRow } from '../stats/rows.js';
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

/** Accuracies of every selection on every cell (overall, then each split's groups): out[s·cells + c]. */
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

/** Item indices of each cell: all items, then each split's groups in order. */
function cellMembers(n: number, splits: readonly GroupSplit[]): number[][] {
  return [Array.from({ length: n }, (_, i) => i), ...splits.flatMap((split) => split.members)];
}

/** The curated minus each random draw, paired on the resamples and pooled over draws. */
function curatedMinusRandom([curated, ...draws]: Replicated[]): Replicated {
  const c = curated as Replicated;
  return pooled(
    draws.map((d) => paired(c, d)),
    c.value - pooled(draws).value,
  );
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
  const { clusterIndex, nClusters } = indexClusters(items);
  const splits = groupings.map((g) => splitItems(items, g, missingValues));
  const members = cellMembers(n, splits);
  const selections = [outcomes.curated, ...outcomes.random];
  const sums = selections.map((hits) =>
    members.map((m) => (m.length === 0 ? emptySums() : itemSums(m, clusterIndex, (i) => hits[i] as number))),
  );
  const [boot] = runClusteredBootstrap(nClusters, [new SelectionAccuracies(sums)], options);
  if (boot === undefined) throw new Error('probeComparisonRows: no bootstrap result');
  const nCells = members.length;
  const frameOptions = { level: options.level, minimumGroupSize: options.minimumGroupSize };

  /** Cell c of selection s as a frame group (sizes from the curated sums: every selection has the same items). */
  const cell = (
    s: number,
    c: number,
    group: StatisticGroup['group'],
    comparable: boolean,
    notes: string[],
  ) => {
    const cs = sums[0]?.[c] as ClusterSums;
    return {
      group,
      value: (v: Float64Array) => v[s * nCells + c] as number,
      n: cs.items,
      clusters: clusterCount(cs),
      clusterIds: cs.cluster,
      comparable,
      warnings: notes,
    };
  };
  /** Per selection, one frame per split (one with no groups when there are none), sharing the overall cell. */
  const framesOf = (s: number): StatisticFrame[] => {
    const overall = cell(s, 0, {}, true, []);
    if (splits.length === 0) {
      return [
        statisticFrame({ metric: PROBE_ACCURACY, attributes: [], overall, groups: [] }, boot, frameOptions),
      ];
    }
    let c = 1;
    return splits.map((split) =>
      statisticFrame(
        {
          metric: PROBE_ACCURACY,
          attributes: split.grouping.attributes,
          overall,
          groups: split.groups.map((group, g) =>
            cell(s, c++, group, split.comparable[g] as boolean, split.notes[g] as string[]),
          ),
        },
        boot,
        frameOptions,
      ),
    );
  };
  const perSelection = selections.map((_, s) => framesOf(s));
  const curated = perSelection[0] as StatisticFrame[];
  const byKind: Record<SelectionKind, StatisticFrame[]> = {
    curated,
    random: curated.map((_, k) =>
      combineFrames(
        perSelection.slice(1).map((frames) => frames[k] as StatisticFrame),
        (d) => pooled(d),
        frameOptions,
      ),
    ),
    'curated-minus-random': curated.map((_, k) =>
      combineFrames(
        perSelection.map((frames) => frames[k] as StatisticFrame),
        curatedMinusRandom,
        frameOptions,
      ),
    ),
  };

  const rows: ResultRow[] = [];
  const rowContext = { model: context.model, indicator: CURATION_INDICATOR, dataset: context.dataset };
  const paramsOf = (kind: SelectionKind) => ({
    ...context.params,
    selection: kind,
    intervalMethod: INTERVAL_METHODS[kind],
  });
  /** Overall then every group's value, as `metric`. */
  const values = (kind: SelectionKind, metric: string) => {
    const frames = byKind[kind];
    const all = [
      (frames[0] as StatisticFrame).overall,
      ...(splits.length > 0 ? frames.flatMap((f) => f.byGroup) : []),
    ];
    for (const m of all) rows.push(valueRow({ ...m, metric }, rowContext, paramsOf(kind)));
  };
  /** The largest group gap of every grouping, as `metric`. */
  const gaps = (kind: SelectionKind, metric: string) => {
    if (splits.length === 0) return;
    for (const f of byKind[kind]) {
      rows.push(differenceRow({ ...f.difference(), metric }, rowContext, paramsOf(kind), 'betweenGroups'));
    }
  };
  values('curated', PROBE_ACCURACY);
  values('random', PROBE_ACCURACY);
  gaps('curated', PROBE_ACCURACY_GAP);
  gaps('random', PROBE_ACCURACY_GAP);
  values('curated-minus-random', PROBE_ACCURACY_GAIN);
  gaps('curated-minus-random', PROBE_ACCURACY_GAP_CHANGE);
  return rows;
}
