/**
 * Helpers shared by the indicators to turn per-item values into MetricFrame inputs: one ClusterSums
 * per group of a grouping, with missing-value groups marked as not comparable.
 */
import type { Group, ManifestItem } from '../core/types.js';
import { type ClusterSums, ClusterSumsBuilder, emptySums } from '../stats/cluster-sums.js';
import type { FrameGroupInput, MetricFrameInput } from '../stats/metric-frame.js';
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
