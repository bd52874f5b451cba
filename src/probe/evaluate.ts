/**
 * Top-k accuracy of a head's scores against manifest labels, overall and per attribute group, with
 * clustered bootstrap intervals (src/stats: items of one cluster are resampled together). Groups are
 * src/stats' groups: items without the attribute form the group MISSING_ATTRIBUTE ('(missing)'),
 * reported with MISSING_GROUP_NOTE and left out of gaps and tests.
 */
import type { GroupMetric, ManifestItem } from '../core/types.js';
import {
  buildMetricFrames,
  type ClusterSums,
  DEFAULT_MISSING_VALUES,
  type FrameGroupInput,
  indexClusters,
  itemSums,
  type MetricFrame,
  type MetricFrameInput,
  type MinimumGroupSize,
  splitItems,
} from '../stats/index.js';

/**
 * Whether the true class is among the k best scores, ordering classes by (−score, class index) as
 * protocols.md 9.10 asks. A NaN or −Infinity true score (a class a kNN head gave no vote) or an
 * unknown class (label −1) is a miss.
 * @param scores (n, c) row-major
 * @param labels (n) true class, or −1 when the class is not in the head
 */
export function topKHits(
  scores: ArrayLike<number>,
  n: number,
  c: number,
  labels: Int32Array,
  k: number,
): Uint8Array {
  const hits = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y < 0) continue;
    const o = i * c;
    const sy = scores[o + y];
    // A class with score −Infinity (no kNN vote) is never among the predicted classes.
    if (Number.isNaN(sy) || sy === Number.NEGATIVE_INFINITY) continue;
    let ahead = 0;
    for (let j = 0; j < c && ahead < k; j++) {
      const s = scores[o + j];
      if (s > sy || (s === sy && j < y)) ahead++;
    }
    if (ahead < k) hits[i] = 1;
  }
  return hits;
}

export interface AccuracyOptions {
  /** k values of top-k accuracy (default [1, 5]; k ≥ the class count is skipped as trivial). */
  ks?: number[];
  /** Attributes to disaggregate by, each on its own. */
  groupBy?: string[];
  seed: number;
  resamples?: number;
  level?: number;
  /** Values reported but left out of gaps (default DEFAULT_MISSING_VALUES, as every evaluator). */
  missingValues?: readonly string[];
  minimumGroupSize?: MinimumGroupSize;
}

export interface AccuracyReport {
  /** One frame per (k, attribute), or per k when no attribute: overall, groups and gaps. */
  frames: { k: number; attribute: string | null; frame: MetricFrame }[];
  /** Overall top-k accuracies, one per k. */
  overall: GroupMetric[];
}

/**
 * @param scores (items.length, c) row-major, one row per item
 * @param labels (items.length) class index, −1 when the head does not know the class
 */
export function accuracyReport(
  scores: ArrayLike<number>,
  c: number,
  items: readonly ManifestItem[],
  labels: Int32Array,
  opts: AccuracyOptions,
): AccuracyReport {
  const n = items.length;
  const ks = (opts.ks ?? [1, 5]).filter((k) => k === 1 || k < c);
  const { clusterIndex, nClusters } = indexClusters(items);
  const hitSums = (members: Iterable<number>, hits: Uint8Array): ClusterSums =>
    itemSums(members, clusterIndex, (i) => hits[i] as number);
  const all = Array.from({ length: n }, (_, i) => i);
  const attributes = opts.groupBy ?? [];
  const missing = new Set<string>(opts.missingValues ?? DEFAULT_MISSING_VALUES);
  const splits = attributes.map((a) => splitItems(items, { name: a, attributes: [a] }, missing));
  const inputs: MetricFrameInput[] = [];
  const meta: { k: number; attribute: string | null }[] = [];
  for (const k of ks) {
    const hits = topKHits(scores, n, c, labels, k);
    const metric = `top${k}-accuracy`;
    if (attributes.length === 0) {
      inputs.push({ metric, attributes: [], overall: hitSums(all, hits), groups: [] });
      meta.push({ k, attribute: null });
    }
    splits.forEach((split, a) => {
      const groups: FrameGroupInput[] = split.groups.map((group, g) => ({
        group,
        sums: hitSums(split.members[g] as number[], hits),
        comparable: split.comparable[g] as boolean,
        warnings: split.notes[g],
      }));
      inputs.push({ metric, attributes: split.grouping.attributes, overall: hitSums(all, hits), groups });
      meta.push({ k, attribute: attributes[a] as string });
    });
  }
  const frames = buildMetricFrames(nClusters, inputs, {
    seed: opts.seed,
    resamples: opts.resamples,
    level: opts.level,
    ...(opts.minimumGroupSize === undefined ? {} : { minimumGroupSize: opts.minimumGroupSize }),
  });
  const report: AccuracyReport = { frames: [], overall: [] };
  frames.forEach((frame, i) => {
    report.frames.push({ ...meta[i], frame });
    if (!report.overall.some((m) => m.metric === frame.metric)) report.overall.push(frame.overall);
  });
  return report;
}
