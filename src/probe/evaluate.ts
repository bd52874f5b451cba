/**
 * Top-k accuracy of a head's scores against manifest labels, overall and per attribute group, with
 * clustered bootstrap intervals (src/stats: items of one cluster are resampled together).
 */
import type { GroupMetric, ManifestItem } from '../core/types.js';
import { clusterOf } from '../data/manifest.js';
import {
  buildMetricFrames,
  ClusterSumsBuilder,
  type FrameGroupInput,
  type MetricFrame,
} from '../stats/index.js';

/**
 * Whether the true class is among the k best scores, ordering classes by (−score, class index) as
 * protocols.md 9.10 asks. A NaN true score or an unknown class (label −1) is a miss.
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
    if (Number.isNaN(sy)) continue;
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
  const clusterIndex = new Map<string, number>();
  const clusters = items.map((item) => {
    const key = clusterOf(item);
    let idx = clusterIndex.get(key);
    if (idx === undefined) {
      idx = clusterIndex.size;
      clusterIndex.set(key, idx);
    }
    return idx;
  });
  const inputs = [];
  const meta: { k: number; attribute: string | null }[] = [];
  for (const k of ks) {
    const hits = topKHits(scores, n, c, labels, k);
    const overall = new ClusterSumsBuilder();
    for (let i = 0; i < n; i++) overall.add(clusters[i], hits[i]);
    const attributes = opts.groupBy ?? [];
    if (attributes.length === 0) {
      inputs.push({ metric: `top${k}-accuracy`, attributes: [], overall: overall.build(), groups: [] });
      meta.push({ k, attribute: null });
    }
    for (const attribute of attributes) {
      const builders = new Map<string, ClusterSumsBuilder>();
      items.forEach((item, i) => {
        const v = item.attrs[attribute];
        const key = v === undefined ? 'n/a' : String(v);
        let b = builders.get(key);
        if (b === undefined) {
          b = new ClusterSumsBuilder();
          builders.set(key, b);
        }
        b.add(clusters[i], hits[i]);
      });
      const groups: FrameGroupInput[] = [...builders.keys()].sort().map((key) => ({
        group: { [attribute]: key },
        sums: (builders.get(key) as ClusterSumsBuilder).build(),
        comparable: key !== 'n/a',
        ...(key === 'n/a' ? { warnings: [`items without attribute "${attribute}"`] } : {}),
      }));
      inputs.push({ metric: `top${k}-accuracy`, attributes: [attribute], overall: overall.build(), groups });
      meta.push({ k, attribute });
    }
  }
  const frames = buildMetricFrames(clusterIndex.size, inputs, {
    seed: opts.seed,
    resamples: opts.resamples,
    level: opts.level,
  });
  const report: AccuracyReport = { frames: [], overall: [] };
  frames.forEach((frame, i) => {
    report.frames.push({ ...meta[i], frame });
    if (!report.overall.some((m) => m.metric === frame.metric)) report.overall.push(frame.overall);
  });
  return report;
}
