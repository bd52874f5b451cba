/**
 * What `fairscope import` reports about a new manifest: item, skipped and cluster counts, label
 * counts, and per attribute either the count of each value or, for numeric attributes, the range.
 */
import { clusterOf } from '../../core/items.js';
import type { ManifestItem } from '../../core/types.js';

export type AttrSummary =
  | { kind: 'categorical'; counts: Record<string, number>; missing: number }
  | { kind: 'numeric'; min: number; max: number; missing: number };

export interface ImportSummary {
  items: number;
  skipped: number;
  /** Distinct clusters (items without a cluster count as their own). */
  clusters: number;
  /** Items per label; an item with several labels counts once for each. */
  labels: Record<string, number>;
  /** Per attribute; `missing` counts items that lack it. */
  attrs: Record<string, AttrSummary>;
}

/** Sorts [value, count] pairs by count, descending, then by value. */
function byCount(a: [string, number], b: [string, number]): number {
  return b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);
}

function countsObject(counts: Map<string, number>): Record<string, number> {
  return Object.fromEntries([...counts].sort(byCount));
}

export function summarizeImport(items: readonly ManifestItem[], skipped: number): ImportSummary {
  const labels = new Map<string, number>();
  const values = new Map<string, (string | number)[]>();
  const clusters = new Set<string>();
  for (const it of items) {
    clusters.add(clusterOf(it));
    for (const l of it.labels) labels.set(l, (labels.get(l) ?? 0) + 1);
    for (const [k, v] of Object.entries(it.attrs)) {
      const list = values.get(k);
      if (list === undefined) values.set(k, [v]);
      else list.push(v);
    }
  }
  const attrs: Record<string, AttrSummary> = {};
  for (const name of [...values.keys()].sort()) {
    const vs = values.get(name) ?? [];
    const missing = items.length - vs.length;
    if (vs.every((v) => typeof v === 'number')) {
      const nums = vs as number[];
      attrs[name] = { kind: 'numeric', min: Math.min(...nums), max: Math.max(...nums), missing };
    } else {
      const counts = new Map<string, number>();
      for (const v of vs) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
      attrs[name] = { kind: 'categorical', counts: countsObject(counts), missing };
    }
  }
  return { items: items.length, skipped, clusters: clusters.size, labels: countsObject(labels), attrs };
}

/** Human-readable lines of a summary; long value lists are cut to `maxValues`. */
export function formatImportSummary(s: ImportSummary, maxValues = 12): string[] {
  const list = (counts: Record<string, number>) => {
    const entries = Object.entries(counts);
    const shown = entries.slice(0, maxValues).map(([v, n]) => `${v} ${n}`);
    if (entries.length > maxValues) shown.push(`… ${entries.length - maxValues} more`);
    return shown.join(', ');
  };
  const lines = [`items: ${s.items}`, `skipped: ${s.skipped}`, `clusters: ${s.clusters}`];
  const nLabels = Object.keys(s.labels).length;
  if (nLabels > 0) lines.push(`labels (${nLabels} distinct): ${list(s.labels)}`);
  for (const [name, a] of Object.entries(s.attrs)) {
    const missing = a.missing > 0 ? ` (missing on ${a.missing})` : '';
    lines.push(
      a.kind === 'numeric'
        ? `${name}: numeric ${a.min}..${a.max}${missing}`
        : `${name}: ${list(a.counts)}${missing}`,
    );
  }
  return lines;
}
