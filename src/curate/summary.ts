/**
 * results.json rows of a curation run (indicator 'curation'):
 * - 'share' per group, params.stage 'before' (the whole input) and 'after' (the selection);
 * - 'coverage' (overall): mean distance of every input item to its nearest selected item, with the
 *   covering radius in params;
 * - 'duplicates_removed' (overall), when near-duplicates were removed.
 * Shares and counts are exact (no sampling), so intervals are [NaN, NaN].
 */
import type { AttrValue, ResultRow } from '../core/types.js';
import type { CurationReport } from './run.js';

export const CURATION_INDICATOR = 'curation';

export interface CurationContext {
  /** Model whose embeddings drove the selection. */
  model: string;
  dataset?: string;
}

const NO_CI: [number, number] = [Number.NaN, Number.NaN];

/** The rows of one curation run. */
export function curationSummary(report: CurationReport, context: CurationContext): ResultRow[] {
  const params: Record<string, AttrValue> = {
    strategy: report.strategy,
    budget: report.budget,
    seed: report.seed,
    metric: report.metric,
    ...(report.first === undefined ? {} : { first: report.first }),
    ...(report.dedupThreshold === undefined ? {} : { dedupThreshold: report.dedupThreshold }),
  };
  const base = {
    kind: 'value' as const,
    model: context.model,
    indicator: CURATION_INDICATOR,
    ...(context.dataset === undefined ? {} : { dataset: context.dataset }),
  };
  const rows: ResultRow[] = [];
  for (const share of report.shares) {
    const warnings =
      share.short !== undefined && share.short > 0
        ? [
            `quota of ${share.quota?.requested} not met: the group has ${share.countBefore} items (short by ${share.short})`,
          ]
        : [];
    rows.push({
      ...base,
      metric: 'share',
      group: share.group,
      value: share.shareBefore,
      ci: NO_CI,
      n: share.countBefore,
      clusters: share.clustersBefore,
      warnings: [],
      params: { ...params, stage: 'before' },
    });
    rows.push({
      ...base,
      metric: 'share',
      group: share.group,
      value: share.shareAfter,
      ci: NO_CI,
      n: share.countAfter,
      clusters: share.clustersAfter,
      warnings,
      params: { ...params, stage: 'after' },
    });
  }
  rows.push({
    ...base,
    metric: 'coverage',
    group: {},
    value: report.coverage,
    ci: NO_CI,
    n: report.items,
    clusters: report.itemClusters,
    warnings: report.warnings,
    params: { ...params, radius: report.radius, selected: report.selected },
  });
  if (report.duplicatesRemoved !== undefined) {
    rows.push({
      ...base,
      metric: 'duplicates_removed',
      group: {},
      value: report.duplicatesRemoved,
      ci: NO_CI,
      n: report.items,
      clusters: report.itemClusters,
      warnings: [],
      params: { ...params, duplicateClusters: report.duplicateClusters ?? 0 },
    });
  }
  return rows;
}
