/**
 * The warnings of a results file, summarised: one entry per kind of warning (row-specific numbers
 * and group lists folded into the kind), with how many rows carry it, where (indicator and metrics)
 * and which groups. A real audit has thousands of warned rows; the report lists kinds, not rows.
 */
import type { ResultRow } from '../core/types.js';
import { formatCount } from './format.js';
import { baseMetric, isValueRow } from './rows.js';

/** A family of warning texts that differ only in row-specific details. */
interface WarningPattern {
  match: RegExp;
  /** The kind's text, from the first match. */
  kind: (m: RegExpMatchArray) => string;
  /** Row-specific detail kept for the summary (e.g. the resample count). */
  detail?: (m: RegExpMatchArray) => number;
  detailText?: (lo: number, hi: number) => string;
}

const PATTERNS: WarningPattern[] = [
  {
    match: /^too small to conclude: n=(\d+), clusters=(\d+) \((.*)\)$/,
    kind: (m) => `too small to conclude (${m[3]})`,
  },
  {
    match: /^includes groups too small to conclude: .*$/,
    kind: () => 'includes groups too small to conclude (gaps and tests over them are fragile)',
  },
  {
    match: /^undefined in (\d+) of (\d+) resamples\b.*$/,
    kind: (m) =>
      `undefined in some of the ${m[2]} bootstrap resamples (a group had no drawn item); the interval is over the others`,
    detail: (m) => Number(m[1]),
    detailText: (lo, hi) => (lo === hi ? `${lo} resamples` : `${lo} to ${hi} resamples`),
  },
  {
    match: /^groups with no prediction at this threshold leave the disparity undefined\b.*$/,
    kind: () => 'groups with no prediction at this threshold leave the disparity undefined (as in vissl)',
  },
  {
    match: /^small group: n=(\d+) < (\d+)$/,
    kind: (m) => `small group: n < ${m[2]}`,
  },
  {
    match: /^few clusters: (\d+) < (\d+)$/,
    kind: (m) => `few clusters: fewer than ${m[2]}`,
  },
];

export interface WarningSummary {
  /** The warning, with row-specific numbers folded out. */
  kind: string;
  rows: number;
  /** 'label-association: hit_rate, prediction_rate (+3 more); retrieval: precision_at_k'. */
  where: string;
  /** Groups of the value rows that carry it ('skintone=1-2 (n=12), …'), or other details. */
  detail: string;
}

const kindMemo = new Map<string, string>();

/** A warning's kind: its text with row-specific numbers and group lists folded out (memoised). */
export function warningKind(text: string): string {
  let k = kindMemo.get(text);
  if (k === undefined) {
    k = classify(text).kind;
    kindMemo.set(text, k);
  }
  return k;
}

/** The kinds of a row's warnings, shortened to their lead clause, once each, for a tooltip. */
export function warningKinds(warnings: readonly string[]): string {
  return [...new Set(warnings.map((w) => warningKind(w).replace(/\s*[(;:].*$/, '')))].join('; ');
}

function classify(text: string): { kind: string; detail?: number; pattern?: WarningPattern } {
  for (const p of PATTERNS) {
    const m = text.match(p.match);
    if (m) return { kind: p.kind(m), detail: p.detail?.(m), pattern: p };
  }
  return { kind: text };
}

function listWithMore(items: readonly string[], limit: number): string {
  const shown = items.slice(0, limit).join(', ');
  return items.length > limit ? `${shown} (+${items.length - limit} more)` : shown;
}

/**
 * Warning kinds of `rows`, most frequent first (ties: first appearance).
 * @param limits how many metrics per indicator and groups per kind are named.
 */
export function summarizeWarnings(
  rows: readonly ResultRow[],
  limits: { metrics?: number; groups?: number } = {},
): WarningSummary[] {
  interface Acc {
    kind: string;
    order: number;
    rows: number;
    places: Map<string, Map<string, number>>;
    groups: Map<string, number>;
    lo: number;
    hi: number;
    pattern?: WarningPattern;
  }
  const acc = new Map<string, Acc>();
  const memo = new Map<string, ReturnType<typeof classify>>();
  for (const r of rows) {
    const seenHere = new Set<string>();
    for (const w of r.warnings) {
      let c = memo.get(w);
      if (c === undefined) {
        c = classify(w);
        memo.set(w, c);
      }
      if (seenHere.has(c.kind)) continue;
      seenHere.add(c.kind);
      let a = acc.get(c.kind);
      if (a === undefined) {
        a = {
          kind: c.kind,
          order: acc.size,
          rows: 0,
          places: new Map(),
          groups: new Map(),
          lo: Number.POSITIVE_INFINITY,
          hi: Number.NEGATIVE_INFINITY,
          pattern: c.pattern,
        };
        acc.set(c.kind, a);
      }
      a.rows++;
      const metrics = a.places.get(r.indicator) ?? new Map<string, number>();
      const metric = baseMetric(r.metric);
      metrics.set(metric, (metrics.get(metric) ?? 0) + 1);
      a.places.set(r.indicator, metrics);
      if (isValueRow(r) && Object.keys(r.group).length > 0) {
        const g = Object.entries(r.group)
          .map(([k, v]) => `${k}=${v}`)
          .join(' × ');
        // The group's size: per-class rows count predictions, so the largest n is the group's.
        a.groups.set(g, Math.max(a.groups.get(g) ?? 0, r.n));
      }
      if (c.detail !== undefined) {
        a.lo = Math.min(a.lo, c.detail);
        a.hi = Math.max(a.hi, c.detail);
      }
    }
  }
  const metricLimit = limits.metrics ?? 4;
  const groupLimit = limits.groups ?? 8;
  return [...acc.values()]
    .sort((a, b) => b.rows - a.rows || a.order - b.order)
    .map((a) => {
      const where = [...a.places]
        .map(([indicator, metrics]) => {
          const names = [...metrics].sort((x, y) => y[1] - x[1]).map(([m]) => m);
          return `${indicator}: ${listWithMore(names, metricLimit)}`;
        })
        .join('; ');
      const details: string[] = [];
      if (a.pattern?.detailText && Number.isFinite(a.lo)) details.push(a.pattern.detailText(a.lo, a.hi));
      // Group sizes matter for small-sample warnings; for the others the list would mislead.
      if (a.groups.size > 0 && isSmallSample([a.kind])) {
        const groups = [...a.groups].map(([g, n]) => `${g} (n=${formatCount(n)})`);
        details.push(`groups: ${listWithMore(groups, groupLimit)}`);
      }
      return { kind: a.kind, rows: a.rows, where, detail: details.join('; ') };
    });
}

/** Whether warnings say the value rests on too few images or clusters (drawn as a triangle). */
export function isSmallSample(warnings: readonly string[]): boolean {
  return warnings.some((w) => /too small|small group|few clusters|fewer than \d+ clusters/i.test(w));
}
