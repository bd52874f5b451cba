/**
 * Model-comparison tables in the paper's layout: models (and a row parameter such as the association
 * type or K) as rows, groups as columns, each cell a value with its interval. One table per
 * (dataset, metric, remaining parameters, attribute set); the overall value, when present, is the first
 * column of every attribute set's table so each table reads on its own. Shared by the HTML report, the
 * Markdown summary and the model card, so all three show the same numbers.
 *
 * Robustness rows measured on the whole population put their condition (shift, corruption) in the
 * columns instead, as in the SEER OOD table (models × benchmarks).
 */
import { canonicalJson } from '../core/hash.js';
import type { AttrValue, ResultRow } from '../core/types.js';
import { attributeSetLabel, decimalsFor, groupLabel, paramsLabel } from './format.js';
import { distinct, groupBy, isGapRow, isOverall } from './rows.js';

/** Parameters that become row labels (beside the model) instead of splitting tables. */
export const ROW_PARAMS: Record<string, readonly string[]> = {
  'label-association': ['association'],
  retrieval: ['k'],
  robustness: ['severity'],
  curation: ['method'],
  probe: ['head'],
};

/** Parameters that name a condition; on whole-population rows they become the columns. */
export const CONDITION_PARAMS = ['shift', 'corruption'] as const;

export interface Cell {
  value: number;
  ci: [number, number];
  n: number;
  clusters: number;
  warnings: string[];
}

export interface MetricTable {
  /** Stable identity (for anchors and tests). */
  key: string;
  indicator: string;
  metric: string;
  dataset: string;
  attributeSet: string;
  /** The table's fixed parameters as text ('tau=0.1'); '' when none. */
  params: string;
  /** Headers of the label columns: ['model', 'association']. */
  rowHeaders: string[];
  /** Column labels with the n shared by all of the column's cells, when it is shared. */
  columns: { label: string; n?: number }[];
  rows: { labels: string[]; cells: (Cell | undefined)[] }[];
  decimals: number;
}

function conditionOf(row: ResultRow): string | undefined {
  if (!isOverall(row)) return undefined;
  for (const p of CONDITION_PARAMS) if (p in row.params) return p;
  return undefined;
}

/**
 * Builds the comparison tables of one indicator's non-gap rows.
 * @param rows rows of a single indicator; gap rows are ignored (see gapTable).
 * @param modelOrder order of the table rows' models.
 */
export function buildTables(rows: readonly ResultRow[], modelOrder: readonly string[]): MetricTable[] {
  const metricRows = rows.filter((r) => !isGapRow(r));
  if (metricRows.length === 0) return [];
  const indicator = metricRows[0].indicator;
  const rowParams = ROW_PARAMS[indicator] ?? [];

  // Split into table families: same metric and fixed params (dataset too, unless columns are conditions).
  const families = groupBy(metricRows, (r) => {
    const cond = conditionOf(r);
    const fixed = Object.fromEntries(
      Object.entries(r.params).filter(([k]) => !rowParams.includes(k) && k !== cond),
    );
    return canonicalJson([r.metric, cond === undefined ? (r.dataset ?? '') : `condition:${cond}`, fixed]);
  });

  const tables: MetricTable[] = [];
  for (const [familyKey, family] of families) {
    const cond = conditionOf(family[0]);
    const overall = family.filter(isOverall);
    const sets = distinct(
      family.filter((r) => !isOverall(r)),
      (r) => attributeSetLabel(r.group),
    );
    const parts: [string, ResultRow[]][] =
      cond !== undefined || sets.length === 0
        ? [['overall', family]]
        : sets.map((s) => [s, [...overall, ...family.filter((r) => attributeSetLabel(r.group) === s)]]);
    for (const [attributeSet, part] of parts) {
      tables.push(pivot(`${familyKey}|${attributeSet}`, attributeSet, part, rowParams, cond, modelOrder));
    }
  }
  return tables;
}

function pivot(
  key: string,
  attributeSet: string,
  rows: ResultRow[],
  rowParams: readonly string[],
  cond: string | undefined,
  modelOrder: readonly string[],
): MetricTable {
  const first = rows[0];
  const columnOf = (r: ResultRow) => (cond !== undefined ? String(r.params[cond]) : groupLabel(r.group));
  const presentRowParams = rowParams.filter((p) => rows.some((r) => p in r.params));
  const rowLabelsOf = (r: ResultRow) => [r.model, ...presentRowParams.map((p) => paramText(r.params[p]))];
  const columnLabels = distinct(rows, columnOf);
  const rowKeys = distinct(rows, (r) => JSON.stringify(rowLabelsOf(r)));
  const modelRank = (m: string) => {
    const i = modelOrder.indexOf(m);
    return i < 0 ? modelOrder.length : i;
  };
  // Models in the given order; within a model, row parameters in first-appearance order.
  const orderedRowKeys = rowKeys
    .map((k, i) => ({ k, i, labels: JSON.parse(k) as string[] }))
    .sort((a, b) => modelRank(a.labels[0]) - modelRank(b.labels[0]) || a.i - b.i);
  const index = new Map<string, ResultRow>();
  for (const r of rows) index.set(`${JSON.stringify(rowLabelsOf(r))}|${columnOf(r)}`, r);

  const tableRows = orderedRowKeys.map(({ k, labels }) => ({
    labels,
    cells: columnLabels.map((c) => {
      const r = index.get(`${k}|${c}`);
      return r === undefined
        ? undefined
        : { value: r.value, ci: r.ci, n: r.n, clusters: r.clusters, warnings: r.warnings };
    }),
  }));
  const columns = columnLabels.map((label, j) => {
    const ns = new Set(tableRows.map((row) => row.cells[j]?.n).filter((n) => n !== undefined));
    return ns.size === 1 ? { label, n: [...ns][0] } : { label };
  });
  const fixedParams = paramsLabel(first.params, [...presentRowParams, ...(cond ? [cond] : [])]);
  const datasets = distinct(rows, (r) => r.dataset ?? '').filter((d) => d !== '');
  return {
    key,
    indicator: first.indicator,
    metric: first.metric,
    dataset: datasets.join(', '),
    attributeSet,
    params: fixedParams,
    rowHeaders: ['model', ...presentRowParams],
    columns,
    rows: tableRows,
    decimals: decimalsFor(rows.flatMap((r) => [r.value, ...r.ci])),
  };
}

function paramText(v: AttrValue | undefined): string {
  return v === undefined ? '' : String(v);
}

/** A gap row prepared for display; `excludesZero` says whether its interval lies on one side of 0. */
export interface GapEntry {
  model: string;
  metric: string;
  dataset: string;
  attribute: string;
  method: string;
  /** Other parameters ('tau=0.1, association=harmful'). */
  params: string;
  value: number;
  ci: [number, number];
  n: number;
  warnings: string[];
  excludesZero: boolean;
}

/** Gap rows of one indicator, in model order then row order. */
export function gapEntries(rows: readonly ResultRow[], modelOrder: readonly string[]): GapEntry[] {
  const gaps = rows.filter(isGapRow);
  const rank = (m: string) => (modelOrder.indexOf(m) < 0 ? modelOrder.length : modelOrder.indexOf(m));
  return gaps
    .map((r, i) => ({ r, i }))
    .sort((a, b) => rank(a.r.model) - rank(b.r.model) || a.i - b.i)
    .map(({ r }) => ({
      model: r.model,
      metric: r.metric,
      dataset: r.dataset ?? '',
      attribute: paramText(r.params.attribute),
      method: paramText(r.params.method),
      params: paramsLabel(r.params, ['attribute', 'method']),
      value: r.value,
      ci: r.ci,
      n: r.n,
      warnings: r.warnings,
      excludesZero: r.ci[0] > 0 || r.ci[1] < 0,
    }));
}
