/**
 * One curation run: optional near-duplicate removal, then selection, then the report (group shares
 * before and after, coverage, duplicates removed) that the CLI prints and curationSummary turns
 * into results.json rows.
 */
import { clusterOf } from '../core/items.js';
import type { Group, ManifestItem } from '../core/types.js';
import { DEDUP_THRESHOLD, type DedupOptions, type DedupResult, findDuplicates } from './dedup.js';
import { groupCounts, type ItemGroups, itemGroups } from './groups.js';
import type { DistanceMetric, PointMatrix } from './points.js';
import type { Shortfall } from './quotas.js';
import { type Selection, type SelectOptions, selectItems } from './select.js';

export interface CurationOptions extends Omit<SelectOptions, 'exclude'> {
  /** Remove near-duplicates before selecting (keeping each cluster's representative). */
  dedup?: DedupOptions;
  /** Attributes whose shares are reported when not balancing (crossed when several). */
  reportAttributes?: string[];
}

/** One group's share of the whole set and of the selection. */
export interface ShareRow {
  key: string;
  group: Group;
  countBefore: number;
  countAfter: number;
  shareBefore: number;
  shareAfter: number;
  clustersBefore: number;
  clustersAfter: number;
  /** Bounds on the group's count, when balancing. */
  quota?: { lower: number; upper: number; requested: number };
  /** Items the group lacked for its quota (0 when none). */
  short?: number;
}

/** What a run did, JSON-ready. */
export interface CurationReport {
  strategy: SelectOptions['strategy'];
  budget: number;
  seed: number;
  metric: DistanceMetric;
  first?: string;
  /** Items in the input. */
  items: number;
  /** Distinct clusters (units of resampling) among the input items. */
  itemClusters: number;
  selected: number;
  /** Mean distance of every input item to its nearest selected item. */
  coverage: number;
  /** Largest such distance. */
  radius: number;
  duplicatesRemoved?: number;
  duplicateClusters?: number;
  dedupThreshold?: number;
  /** Attributes of the share rows (crossed when several). */
  attributes: string[];
  shares: ShareRow[];
  shortfalls: Shortfall[];
  warnings: string[];
  stats: Record<string, number | string>;
  seconds: number;
}

export interface CurationRun {
  selection: Selection;
  dedup?: DedupResult;
  report: CurationReport;
}

/**
 * Runs a curation.
 * @param points (n, dim), row i = items[i]
 */
export async function runCuration(
  points: PointMatrix,
  items: readonly ManifestItem[],
  options: CurationOptions,
): Promise<CurationRun> {
  const t0 = performance.now();
  const dedup = options.dedup === undefined ? undefined : await findDuplicates(points, options.dedup);
  const selection = await selectItems(points, items, {
    ...options,
    ...(dedup === undefined ? {} : { exclude: dedup.removed }),
  });
  const attributes = options.balance?.attributes ?? options.reportAttributes ?? [];
  const groups: ItemGroups | undefined =
    selection.groups ?? (attributes.length > 0 ? itemGroups(items, attributes) : undefined);
  const shares = groups === undefined ? [] : shareRows(groups, items, selection);
  const report: CurationReport = {
    strategy: options.strategy,
    budget: options.budget,
    seed: options.seed ?? 0,
    metric: points.metric,
    ...(options.strategy === 'kcenter' || options.strategy === 'balanced'
      ? { first: options.first ?? 'random' }
      : {}),
    items: points.n,
    itemClusters: new Set(items.map(clusterOf)).size,
    selected: selection.order.length,
    coverage: selection.coverage,
    radius: selection.radius,
    ...(dedup === undefined
      ? {}
      : {
          duplicatesRemoved: dedup.removedCount,
          duplicateClusters: dedup.clusters.length,
          dedupThreshold: options.dedup?.threshold ?? DEDUP_THRESHOLD,
        }),
    attributes,
    shares,
    shortfalls: selection.bounds?.shortfalls ?? [],
    warnings: selection.warnings,
    stats: { ...selection.stats, ...(dedup === undefined ? {} : { dedupSearch: dedup.method }) },
    seconds: (performance.now() - t0) / 1000,
  };
  return { selection, ...(dedup === undefined ? {} : { dedup }), report };
}

function shareRows(groups: ItemGroups, items: readonly ManifestItem[], selection: Selection): ShareRow[] {
  const all = Array.from({ length: items.length }, (_, i) => i);
  const before = groupCounts(groups, items, all);
  const after = groupCounts(groups, items, selection.order);
  const nAfter = selection.order.length;
  const short = new Map((selection.bounds?.shortfalls ?? []).map((s) => [s.group, s.short]));
  return groups.keys.map((key, g): ShareRow => {
    const row: ShareRow = {
      key,
      group: groups.groups[g] as Group,
      countBefore: before.counts[g] as number,
      countAfter: after.counts[g] as number,
      shareBefore: (before.counts[g] as number) / items.length,
      shareAfter: nAfter === 0 ? Number.NaN : (after.counts[g] as number) / nAfter,
      clustersBefore: before.clusters[g] as number,
      clustersAfter: after.clusters[g] as number,
    };
    const b = selection.bounds;
    if (b !== undefined) {
      row.quota = {
        lower: b.lower[g] as number,
        upper: b.upper[g] as number,
        requested: b.requested[g] as number,
      };
      row.short = short.get(key) ?? 0;
    }
    return row;
  });
}
