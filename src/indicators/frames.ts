/**
 * Helpers shared by the indicators to turn per-item values into MetricFrame inputs: one ClusterSums
 * per group of a split (src/stats/groups.ts splitItems, missing-value groups not comparable).
 */
import type { ResultRow } from '../core/types.js';
import { emptySums, itemSums } from '../stats/cluster-sums.js';
import type { GroupSplit } from '../stats/groups.js';
import {
  buildMetricFrames,
  type ComparisonKind,
  type FrameGroupInput,
  type FrameOptions,
  type MetricFrameInput,
} from '../stats/metric-frame.js';

/**
 * The splits that carry a frame's rows: `splits`, or when there are none one empty "overall" split
 * of `n` items, since frames need at least one split to carry the overall value.
 */
export function frameCarriers(splits: GroupSplit[], n: number): GroupSplit[] {
  if (splits.length > 0) return splits;
  const overall: GroupSplit = {
    grouping: { name: 'overall', attributes: [] },
    groups: [],
    groupIndex: new Int32Array(n),
    members: [],
    comparable: [],
    notes: [],
  };
  return [overall];
}

/** A frame of per-item values over the groups of a split (and, when `withOverall`, all items). */
export function frameInput(
  metric: string,
  split: GroupSplit,
  clusterIndex: Int32Array,
  nItems: number,
  numerator: (i: number) => number,
  options: { denominator?: (i: number) => number; withOverall: boolean; withRest?: boolean },
): MetricFrameInput {
  const all = Array.from({ length: nItems }, (_, i) => i);
  const groups: FrameGroupInput[] = split.groups.map((group, g) => ({
    group,
    sums: itemSums(split.members[g] as number[], clusterIndex, numerator, options.denominator),
    comparable: split.comparable[g] as boolean,
    warnings: split.notes[g],
  }));
  return {
    metric,
    attributes: split.grouping.attributes,
    overall: options.withOverall ? itemSums(all, clusterIndex, numerator, options.denominator) : emptySums(),
    groups,
    withRest: options.withRest,
  };
}

/** A frame to build, and how its rows are emitted. */
export interface FrameSpec {
  input: MetricFrameInput;
  params: Record<string, string | number>;
  /** A main metric: its gaps and comparisons are reported (when there are groupings). */
  main: boolean;
  /** The metric's first split, which carries its overall value. */
  first: boolean;
}

/**
 * Builds the frames of `specs` in one clustered bootstrap and returns their rows: the group values,
 * the overall value from each metric's first split, and for main metrics, when `grouped`, the gaps
 * and `comparisons`.
 */
export function frameRows(
  specs: readonly FrameSpec[],
  nClusters: number,
  bootstrap: FrameOptions,
  base: { model: string; indicator: string; dataset?: string },
  grouped: boolean,
  comparisons: ComparisonKind | 'none',
): ResultRow[] {
  const frames = buildMetricFrames(
    nClusters,
    specs.map((x) => x.input),
    bootstrap,
  );
  return frames.flatMap((frame, f) => {
    const x = specs[f] as FrameSpec;
    return frame.toRows({
      ...base,
      params: x.params,
      overall: x.first,
      differences: x.main && grouped,
      comparisons: x.main && grouped ? comparisons : 'none',
    });
  });
}
