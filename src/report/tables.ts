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
import { attributeSetLabel, groupLabel, paramsLabel } from './format.js';
import { baseMetric, distinct, gapAttribute, groupBy, isOverall, isValueRow, rowKind } from './rows.js';
import { metricTitle } from './texts.js';
import { rowUnit, type Unit, unitDecimals, withUnit } from './units.js';

/** Parameters that become row labels (beside the model) instead of splitting tables. */
export const ROW_PARAMS: Record<string, readonly string[]> = {
  'label-association': ['association'],
  retrieval: ['k'],
  robustness: ['severity'],
  curation: ['method', 'selection'],
  probe: ['head'],
};

/**
 * Parameters that describe a row rather than select it (label association's `definition` of the
 * aggregated Harmful type, the disparity's `groupsInG`, how a curation comparison's interval was
 * formed): they never split tables.
 */
export const DESCRIPTIVE_PARAMS = ['definition', 'groupsInG', 'intervalMethod'];

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
  /** Unit of every value in the table (see units.ts). */
  unit: Unit;
  decimals: number;
}

/** A condition column's label: the shift's name, or 'DATASET (in-distribution)' for shift 'none'. */
function conditionLabel(r: ResultRow, cond: string): string {
  const v = String(r.params[cond]);
  return cond === 'shift' && v === 'none' ? `${r.dataset ?? 'none'} (in-distribution)` : v;
}

function conditionOf(row: ResultRow): string | undefined {
  if (!isOverall(row)) return undefined;
  for (const p of CONDITION_PARAMS) if (p in row.params) return p;
  return undefined;
}

/**
 * Builds the comparison tables of one indicator's value rows.
 * @param rows rows of a single indicator; gap, ratio and comparison rows are ignored (see gapEntries).
 * @param modelOrder order of the table rows' models.
 * @param opts.omitParams parameters left out of the tables' parameter text (stated elsewhere, e.g.
 *   the ones every row of the indicator shares).
 * @param opts.rowParams parameters that label rows beside the model (default ROW_PARAMS).
 */
export function buildTables(
  rows: readonly ResultRow[],
  modelOrder: readonly string[],
  opts: { omitParams?: readonly string[]; rowParams?: readonly string[] } = {},
): MetricTable[] {
  const metricRows = rows.filter(isValueRow);
  if (metricRows.length === 0) return [];
  const indicator = metricRows[0].indicator;
  const rowParams = opts.rowParams ?? ROW_PARAMS[indicator] ?? [];
  const omitParams = opts.omitParams ?? [];

  // Split into table families: same metric and fixed params (dataset too, unless columns are conditions).
  const families = groupBy(metricRows, (r) => {
    const cond = conditionOf(r);
    const fixed = Object.fromEntries(
      Object.entries(r.params).filter(
        ([k]) => !rowParams.includes(k) && k !== cond && !DESCRIPTIVE_PARAMS.includes(k),
      ),
    );
    return canonicalJson([
      r.metric,
      cond === undefined ? (r.dataset ?? '') : `condition:${cond}`,
      fixed,
      rowUnit(r),
    ]);
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
      tables.push(
        pivot(`${familyKey}|${attributeSet}`, attributeSet, part, rowParams, cond, modelOrder, omitParams),
      );
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
  omitParams: readonly string[],
): MetricTable {
  const first = rows[0];
  const columnOf = (r: ResultRow) => (cond !== undefined ? conditionLabel(r, cond) : groupLabel(r.group));
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
  const fixedParams = paramsLabel(first.params, [
    ...presentRowParams,
    ...(cond ? [cond] : []),
    'unit',
    ...DESCRIPTIVE_PARAMS,
    ...omitParams,
  ]);
  const datasets = distinct(rows, (r) => r.dataset ?? '').filter((d) => d !== '');
  const unit = rowUnit(first);
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
    unit,
    decimals: unitDecimals(
      unit,
      rows.flatMap((r) => [r.value, ...r.ci]),
    ),
  };
}

function paramText(v: AttrValue | undefined): string {
  return v === undefined ? '' : String(v);
}

/** A value with its interval and support, for gap summaries. */
export interface Stat {
  value: number;
  ci: [number, number];
  n: number;
  warnings: string[];
}

/**
 * The gaps of one metric between the groups of one attribute (set), for one model and parameter
 * setting: the difference rows (largest − smallest, largest distance to overall) and ratio rows
 * (smallest ÷ largest, smallest group/overall ratio) merged into one entry.
 */
export interface GapEntry {
  model: string;
  /** The metric the gap is about ('hit_rate'). */
  metric: string;
  dataset: string;
  attribute: string;
  /** Other parameters ('tau=0.1, association=Harmful'); method, unit and attribute left out. */
  params: string;
  /** The rows' parameters, for selecting entries (first row's, without method). */
  rawParams: ResultRow['params'];
  /** Keys of rawParams that `params` shows. */
  shownParams: string[];
  /** Unit of the differences (percentage points for percent metrics). */
  unit: Unit;
  /** Largest − smallest group value. */
  between?: Stat;
  /** Smallest ÷ largest group value. */
  ratio?: Stat;
  /** Largest |group − overall|. */
  toOverall?: Stat;
  /** Smallest group/overall (or overall/group) ratio. */
  toOverallRatio?: Stat;
  /** Whether the largest − smallest interval lies above 0 (or, without it, the to-overall one). */
  excludesZero: boolean;
}

const stat = (r: ResultRow): Stat => ({ value: r.value, ci: r.ci, n: r.n, warnings: r.warnings });

/** 'betweenGroups' (also 'between_groups' or absent) or 'toOverall'. */
function isToOverall(r: ResultRow): boolean {
  const m = String(r.params.method ?? '').toLowerCase();
  return m === 'tooverall' || m === 'to_overall';
}

/** Gap and ratio rows of one indicator merged per (model, metric, attribute, params), in model order then row order. */
export function gapEntries(
  rows: readonly ResultRow[],
  modelOrder: readonly string[],
  omitParams: readonly string[] = [],
): GapEntry[] {
  const rank = (m: string) => (modelOrder.indexOf(m) < 0 ? modelOrder.length : modelOrder.indexOf(m));
  const entries = new Map<string, GapEntry & { order: number }>();
  rows.forEach((r, i) => {
    const kind = rowKind(r);
    if (kind !== 'gap' && kind !== 'ratio') return;
    const metric = baseMetric(r.metric);
    const attribute = gapAttribute(r);
    const others = Object.fromEntries(
      Object.entries(r.params).filter(
        ([k]) => k !== 'method' && !(k === 'attribute' && r.metric.endsWith('_gap')),
      ),
    );
    const key = canonicalJson([r.model, metric, r.dataset ?? '', attribute, others]);
    let e = entries.get(key);
    if (e === undefined) {
      e = {
        model: r.model,
        metric,
        dataset: r.dataset ?? '',
        attribute,
        params: paramsLabel(others, ['unit', ...DESCRIPTIVE_PARAMS, ...omitParams]),
        rawParams: others,
        shownParams: Object.keys(others).filter(
          (k) => k !== 'unit' && !DESCRIPTIVE_PARAMS.includes(k) && !omitParams.includes(k),
        ),
        unit: rowUnit({ kind: 'difference', metric, params: r.params }),
        excludesZero: false,
        order: i,
      };
      entries.set(key, e);
    }
    const toOverall = isToOverall(r);
    if (kind === 'gap') {
      if (toOverall) e.toOverall = stat(r);
      else e.between = stat(r);
    } else if (toOverall) e.toOverallRatio = stat(r);
    else e.ratio = stat(r);
  });
  return [...entries.values()]
    .sort((a, b) => rank(a.model) - rank(b.model) || a.order - b.order)
    .map(({ order: _order, ...e }) => {
      const main = e.between ?? e.toOverall;
      return { ...e, excludesZero: main !== undefined && (main.ci[0] > 0 || main.ci[1] < 0) };
    });
}

/** Whether the gap is undefined (fewer than two comparable groups). */
export function gapUndefined(g: GapEntry): boolean {
  const main = g.between ?? g.toOverall;
  return main === undefined || Number.isNaN(main.value);
}

/** The entry's parameters as text without `columns` (shown in their own columns). */
export function gapParamsText(g: GapEntry, columns: readonly string[]): string {
  return g.shownParams
    .filter((k) => !columns.includes(k))
    .map((k) => `${k}=${g.rawParams[k]}`)
    .join(', ');
}

/** Caption of a table: 'hit rate (%) · people-openmoji · skintone · tau=0.1'. */
export function tableCaption(t: MetricTable): string {
  return [withUnit(metricTitle(t.metric), t.unit), t.dataset, t.attributeSet, t.params]
    .filter((s) => s !== '')
    .join(' · ');
}
