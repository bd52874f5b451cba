/**
 * Markdown rendering of the shared tables (summary.md, the model card, `compare`), and the one place
 * where text from a dataset or results file (ids, labels, attribute values, names, notes) is
 * escaped for Markdown: table cells (markdownTable), headings (markdownHeading), code spans
 * (markdownCode) and lines of text (the `md` template: its literal text is Markdown, every value
 * put into it is data). Escaped text shows as written and can add no HTML, link, code span, table
 * cell or line to the document.
 */

import type { TestedComparison } from './comparisons.js';
import { formatCount, formatInterval, formatNumber, formatP, formatSigned } from './format.js';
import {
  type Cell,
  type GapEntry,
  gapParamsText,
  type MetricTable,
  type Stat,
  tableCaption,
} from './tables.js';
import { unitDecimals, unitText } from './units.js';
import type { WarningSummary } from './warnings.js';

/** Markdown source that is already safe (from markdownCode): put into `md` lines as it is. */
export class Markdown {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/**
 * Escapes data for inline Markdown: line breaks become spaces; backslashes and backticks are
 * backslash-escaped; `<` that could open a tag, comment or autolink and `&` that could start an
 * entity become entities; `](` cannot end a link's text. Other characters stay as they are (so
 * '<0.001' and '[0.1, 0.2]' read as written in the file too).
 */
export function escapeMarkdownText(s: string): string {
  return s
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/[\\`]/g, '\\$&')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(/\]\(/g, ']\\(');
}

/** escapeMarkdownText, and `|` escaped so that it cannot end a table cell. */
export function escapeMarkdownCell(s: string): string {
  return escapeMarkdownText(s).replace(/\|/g, '\\|');
}

/** A code span showing `s` as written: fenced by more backticks than any run inside it. */
export function markdownCode(s: string): Markdown {
  const text = s.replace(/\r\n|\r|\n/g, ' ');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return new Markdown(`${fence}${pad}${text}${pad}${fence}`);
}

/**
 * A line of Markdown: the template's literal text is Markdown, each value is data and is escaped
 * (escapeMarkdownText), except Markdown values (markdownCode), which are kept.
 */
export function md(
  strings: TemplateStringsArray,
  ...values: readonly (string | number | Markdown)[]
): string {
  let out = strings[0] as string;
  values.forEach((v, i) => {
    out += (v instanceof Markdown ? v.text : escapeMarkdownText(String(v))) + strings[i + 1];
  });
  return out;
}

/** A heading of `level` (1-6) whose text is data. */
export function markdownHeading(level: number, text: string): string {
  return `${'#'.repeat(level)} ${escapeMarkdownText(text)}`;
}

/** A Markdown table of data cells (escaped: escapeMarkdownCell); `align` holds 'l' or 'r' per column. */
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

/** Heading text of a table: 'hit rate (%) · cc-v1-mini · gender · tau=0.1'. */
export function tableHeading(t: MetricTable): string {
  return tableCaption(t);
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

function statText(x: Stat | undefined, decimals: number): string {
  if (x === undefined) return '';
  return `${formatNumber(x.value, decimals)} ${formatInterval(x.ci, decimals)}${x.warnings.length > 0 ? ' ⚠' : ''}`;
}

/**
 * Gap entries as a Markdown table: largest − smallest, smallest ÷ largest and the largest distance to
 * overall, each value [95% interval], in the unit of the differences (header).
 */
export function markdownGapTable(
  gaps: GapEntry[],
  opts: { showModel?: boolean; paramColumns?: readonly string[] } = {},
): string {
  const showModel = opts.showModel ?? true;
  const columns = opts.paramColumns ?? [];
  const paramsText = gaps.map((g) => gapParamsText(g, columns));
  const hasParams = paramsText.some((p) => p !== '');
  const units = new Set(gaps.map((g) => g.unit));
  const unit = units.size === 1 ? (gaps[0]?.unit ?? 'number') : 'number';
  const shared = unitDecimals(
    unit,
    gaps.flatMap((g) => [g.between?.value ?? 0, g.toOverall?.value ?? 0]),
  );
  const decimalsOf = (g: GapEntry) =>
    units.size === 1 ? shared : unitDecimals(g.unit, [g.between?.value ?? 0, g.toOverall?.value ?? 0]);
  const u = unitText(unit);
  const hasRatio = gaps.some((g) => g.ratio !== undefined);
  const hasOverall = gaps.some((g) => g.toOverall !== undefined);
  const metrics = new Set(gaps.map((g) => g.metric)).size > 1;
  const header = [
    ...(showModel ? ['model'] : []),
    ...(metrics ? ['metric'] : []),
    ...columns,
    'groups by',
    ...(hasParams ? ['params'] : []),
    `largest − smallest${u ? ` (${u})` : ''}`,
    ...(hasRatio ? ['smallest ÷ largest'] : []),
    ...(hasOverall ? [`largest distance to overall${u ? ` (${u})` : ''}`] : []),
    'n',
    'interval above 0',
  ];
  const rows = gaps.map((g, i) => [
    ...(showModel ? [g.model] : []),
    ...(metrics ? [g.metric] : []),
    ...columns.map((k) => String(g.rawParams[k] ?? '')),
    g.attribute,
    ...(hasParams ? [paramsText[i]] : []),
    statText(g.between, decimalsOf(g)),
    ...(hasRatio ? [statText(g.ratio, 2)] : []),
    ...(hasOverall ? [statText(g.toOverall, decimalsOf(g))] : []),
    formatCount((g.between ?? g.toOverall ?? g.ratio)?.n ?? 0),
    g.excludesZero ? 'yes' : 'no',
  ]);
  const align = header.map((h) => (/^(largest|smallest|n$)/.test(h) ? ('r' as const) : ('l' as const)));
  return markdownTable(header, rows, align);
}

/** Comparisons significant after Holm as a Markdown table. */
export function markdownComparisons(
  tests: readonly TestedComparison[],
  opts: { showModel?: boolean } = {},
): string {
  const showModel = opts.showModel ?? true;
  const units = new Set(tests.map((t) => unitText(t.unit)));
  const u = units.size === 1 ? [...units][0] : '';
  return markdownTable(
    [
      ...(showModel ? ['model'] : []),
      'params',
      'groups by',
      'comparison',
      `difference [95% CI]${u ? ` (${u})` : ''}`,
      'p',
      'p (Holm)',
    ],
    tests.map((t) => {
      const d = unitDecimals(t.unit, [t.value]);
      return [
        ...(showModel ? [t.model] : []),
        t.params,
        t.attribute,
        `${t.group} vs ${t.versus}`,
        `${formatSigned(t.value, d)} ${formatInterval(t.ci, d)}${t.warnings.length > 0 ? ' ⚠' : ''}`,
        formatP(t.pValue),
        formatP(t.pHolm),
      ];
    }),
    [...(showModel ? ['l' as const] : []), 'l', 'l', 'l', 'r', 'r', 'r'],
  );
}

/** The warnings summary as a Markdown table. */
export function markdownWarnings(warnings: readonly WarningSummary[]): string {
  return markdownTable(
    ['warning', 'rows', 'where', 'details'],
    warnings.map((w) => [w.kind, formatCount(w.rows), w.where, w.detail]),
    ['l', 'r', 'l', 'l'],
  );
}
