/**
 * Markdown rendering of the shared tables (summary.md, the model card, `compare`).
 */

import type { ResultRow } from '../core/types.js';
import { escapeMarkdownCell, formatCount, formatInterval, formatNumber, groupAssignment } from './format.js';
import type { Cell, GapEntry, MetricTable } from './tables.js';

/** A Markdown table; `align` holds 'l' or 'r' per column. */
export function markdownTable(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const line = (cells: string[]) => `| ${cells.map(escapeMarkdownCell).join(' | ')} |`;
  const rule = `|${header.map((_, i) => (align?.[i] === 'r' ? '---:' : '---')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** '0.821 [0.799, 0.843]', with ' ⚠' when the row carries warnings and ' n=…' when asked. */
export function markdownCell(cell: Cell | undefined, decimals: number, withN: boolean): string {
  if (cell === undefined) return '';
  const n = withN ? ` n=${cell.n}` : '';
  const warn = cell.warnings.length > 0 ? ' ⚠' : '';
  return `${formatNumber(cell.value, decimals)} ${formatInterval(cell.ci, decimals)}${n}${warn}`;
}

/** Heading text of a table: 'hit_rate · cc-v1-mini · gender · tau=0.1'. */
export function tableHeading(t: MetricTable): string {
  return [t.metric, t.dataset, t.attributeSet, t.params].filter((s) => s !== '').join(' · ');
}

/** A MetricTable in Markdown; a column's n goes in its header when shared, else in each cell. */
export function markdownMetricTable(t: MetricTable): string {
  const header = [
    ...t.rowHeaders,
    ...t.columns.map((c) => (c.n === undefined ? c.label : `${c.label} (n=${c.n})`)),
  ];
  const rows = t.rows.map((r) => [
    ...r.labels,
    ...r.cells.map((c, j) => markdownCell(c, t.decimals, t.columns[j].n === undefined)),
  ]);
  return markdownTable(header, rows, [
    ...t.rowHeaders.map(() => 'l' as const),
    ...t.columns.map(() => 'r' as const),
  ]);
}

export function markdownGapTable(gaps: GapEntry[], decimals: number): string {
  return markdownTable(
    ['model', 'metric', 'dataset', 'attribute', 'method', 'params', 'gap [95% CI]', 'n', 'CI excludes 0'],
    gaps.map((g) => [
      g.model,
      g.metric,
      g.dataset,
      g.attribute,
      g.method,
      g.params,
      `${formatNumber(g.value, decimals)} ${formatInterval(g.ci, decimals)}${g.warnings.length > 0 ? ' ⚠' : ''}`,
      formatCount(g.n),
      g.excludesZero ? 'yes' : 'no',
    ]),
    ['l', 'l', 'l', 'l', 'l', 'l', 'r', 'r', 'l'],
  );
}

/** Where a warning occurs, compactly: 'label-association/cc-v1-mini: age=70+'. */
export function warningPlaces(rows: readonly ResultRow[], limit = 6): string {
  const places = [
    ...new Set(rows.map((r) => `${r.indicator}/${r.dataset ?? '?'}: ${groupAssignment(r.group)}`)),
  ];
  const shown = places.slice(0, limit).join('; ');
  return places.length > limit ? `${shown}; … (${places.length - limit} more)` : shown;
}
