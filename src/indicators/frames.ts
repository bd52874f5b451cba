/**
 * Helpers shared by the indicators to turn per-item values into MetricFrame inputs: one ClusterSums
 * per group of a grouping, with missing-value groups marked as not comparable.
 */
import type { Group, ManifestItem, ResultRow } from '../core/types.js';
import { type ClusterSums, ClusterSumsBuilder, emptySums } from '../stats/cluster-sums.js';
import {
  buildMetricFrames,
  type ComparisonKind,
  type FrameGroupInput,
  type FrameOptions,
  type MetricFrameInput,
} from '../stats/metric-frame.js';
import { type Grouping, isMissingGroup, splitByGrouping } from './groups.js';

export const MISSING_GROUP_NOTE =
  'missing or undisclosed attribute value: reported, left out of gaps and tests';

/** A grouping applied to the items once: groups, each item's group, and the member lists. */
export interface GroupSplit {
  grouping: Grouping;
  groups: Group[];
  groupIndex: Int32Array;
  members: number[][];
  /** Whether each group is compared (false for missing values). */
  comparable: boolean[];
  notes: string[][];
}

export function splitItems(
  items: readonly ManifestItem[],
  grouping: Grouping,
  missingValues: ReadonlySet<string>,
): GroupSplit {
  const { groups, groupIndex } = splitByGrouping(items, grouping);
  const members: number[][] = groups.map(() => []);
  groupIndex.forEach((g, i) => {
    (members[g] as number[]).push(i);
  });
  const comparable = groups.map((g) => !isMissingGroup(g, missingValues));
  return {
    grouping,
    groups,
    groupIndex,
    members,
    comparable,
    notes: comparable.map((c) => (c ? [] : [MISSING_GROUP_NOTE])),
  };
}

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

/**
 * Ratio-of-sums over some items: Σ numerator(i) / Σ denominator(i), summed per cluster. Items whose
 * numerator is NaN do not take part (e.g. the top-1 confidence of an image with no prediction).
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
