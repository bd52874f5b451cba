/**
 * Comparing two results files (`fairscope compare A B`): rows are matched by (indicator, metric,
 * dataset, params, group) and by model when the files share models; the change is B − A, flagged
 * when the two 95% intervals do not overlap (a conservative test: non-overlap implies a difference
 * at about the 1% level for independent estimates; overlap does not prove equality).
 */
import { UsageError } from '../core/errors.js';
import { canonicalJson } from '../core/hash.js';
import type { ResultsFile } from '../core/results.js';
import type { AttrValue, Group, ResultRow } from '../core/types.js';
import { decimalsFor, formatInterval, formatNumber, groupAssignment, paramsLabel } from './format.js';
import { markdownTable } from './markdown.js';
import { modelOrder } from './rows.js';

/**
 * 'model': rows must have the same model id (before/after a change to one model).
 * 'dataset': model ids are ignored (two different models on the same data); each file must hold
 * exactly one model.
 */
export type MatchBy = 'model' | 'dataset';

export interface ComparedValue {
  model: string;
  value: number;
  ci: [number, number];
  n: number;
  warnings: string[];
}

export interface ComparisonRow {
  indicator: string;
  metric: string;
  dataset?: string;
  params: Record<string, AttrValue>;
  group: Group;
  a: ComparedValue;
  b: ComparedValue;
  /** b.value − a.value (NaN when either is undefined). */
  change: number;
  /** True when both intervals are defined and do not overlap. */
  flagged: boolean;
}

export interface Comparison {
  matchBy: MatchBy;
  modelsA: string[];
  modelsB: string[];
  rows: ComparisonRow[];
  /** Rows of A with no match in B, and the reverse. */
  onlyInA: number;
  onlyInB: number;
}

/** Outcomes of a test stored as parameters: they differ between runs, so they never identify a row. */
const RESULT_PARAMS = ['pValue', 'pHolm'];

function rowKey(r: ResultRow, matchBy: MatchBy): string {
  const params = Object.fromEntries(Object.entries(r.params).filter(([k]) => !RESULT_PARAMS.includes(k)));
  return canonicalJson([
    r.indicator,
    r.metric,
    r.dataset ?? '',
    params,
    r.group,
    matchBy === 'model' ? r.model : '',
  ]);
}

/** Chooses how to match: by model when the files share a model id, else by dataset (one model each). */
export function chooseMatch(a: ResultsFile, b: ResultsFile, requested: MatchBy | 'auto' = 'auto'): MatchBy {
  const ma = modelOrder(a);
  const mb = modelOrder(b);
  const shared = ma.filter((m) => mb.includes(m));
  const mode = requested === 'auto' ? (shared.length > 0 ? 'model' : 'dataset') : requested;
  if (mode === 'dataset' && (ma.length !== 1 || mb.length !== 1)) {
    throw new UsageError(
      `cannot match rows across models: A has models [${ma.join(', ')}] and B has [${mb.join(', ')}]; ` +
        `with no model in common each file must hold exactly one model (or pick two with --pair MODEL_A=MODEL_B)`,
    );
  }
  return mode;
}

const toValue = (r: ResultRow): ComparedValue => ({
  model: r.model,
  value: r.value,
  ci: r.ci,
  n: r.n,
  warnings: r.warnings,
});

/** Keeps one model's rows and entry (for `--pair`). */
function onlyModel(r: ResultsFile, model: string, side: string): ResultsFile {
  const models = modelOrder(r);
  if (!models.includes(model)) {
    throw new UsageError(`--pair: model "${model}" is not in ${side}; its models are ${models.join(', ')}`);
  }
  const entry = r.models[model];
  return {
    ...r,
    models: entry === undefined ? {} : { [model]: entry },
    rows: r.rows.filter((x) => x.model === model),
  };
}

/**
 * Matches the rows of two results files; rows come in A's order.
 * @param pair compare model pair[0] of A with model pair[1] of B (matched by dataset).
 */
export function compareResults(
  a: ResultsFile,
  b: ResultsFile,
  requested: MatchBy | 'auto' = 'auto',
  pair?: [string, string],
): Comparison {
  if (pair !== undefined) {
    a = onlyModel(a, pair[0], 'A');
    b = onlyModel(b, pair[1], 'B');
    requested = 'dataset';
  }
  const matchBy = chooseMatch(a, b, requested);
  const index = new Map<string, ResultRow>();
  for (const r of b.rows) index.set(rowKey(r, matchBy), r);
  const rows: ComparisonRow[] = [];
  const matched = new Set<string>();
  for (const ra of a.rows) {
    const key = rowKey(ra, matchBy);
    const rb = index.get(key);
    if (rb === undefined) continue;
    matched.add(key);
    const [aLo, aHi] = ra.ci;
    const [bLo, bHi] = rb.ci;
    const defined = [aLo, aHi, bLo, bHi].every(Number.isFinite);
    rows.push({
      indicator: ra.indicator,
      metric: ra.metric,
      ...(ra.dataset === undefined ? {} : { dataset: ra.dataset }),
      params: ra.params,
      group: ra.group,
      a: toValue(ra),
      b: toValue(rb),
      change: rb.value - ra.value,
      flagged: defined && (bLo > aHi || bHi < aLo),
    });
  }
  return {
    matchBy,
    modelsA: modelOrder(a),
    modelsB: modelOrder(b),
    rows,
    onlyInA: a.rows.length - rows.length,
    onlyInB: b.rows.filter((r) => !matched.has(rowKey(r, matchBy))).length,
  };
}

/** One line: 'Matched 640 rows by model; 12 changed beyond their intervals; 0 only in A, 3 only in B.' */
export function comparisonSummary(c: Comparison): string {
  const flagged = c.rows.filter((r) => r.flagged).length;
  return `Matched ${c.rows.length} rows by ${c.matchBy}; ${flagged} changed beyond their 95% intervals (⚑); ${c.onlyInA} only in A, ${c.onlyInB} only in B.`;
}

/** Label of the compared model(s) for a row: 'swav-rn50' or 'swav-rn50 → supervised-rn50'. */
export function modelLabel(r: ComparisonRow): string {
  return r.a.model === r.b.model ? r.a.model : `${r.a.model} → ${r.b.model}`;
}

/** The comparison as a Markdown table (also what the terminal shows). */
export function renderComparisonMarkdown(c: Comparison, opts: { flaggedOnly?: boolean } = {}): string {
  const rows = opts.flaggedOnly ? c.rows.filter((r) => r.flagged) : c.rows;
  const d = decimalsFor(rows.flatMap((r) => [r.a.value, r.b.value]));
  const table = markdownTable(
    ['indicator', 'metric', 'dataset', 'params', 'group', 'model', 'A', 'B', 'B − A', ''],
    rows.map((r) => [
      r.indicator,
      r.metric,
      r.dataset ?? '',
      paramsLabel(r.params),
      groupAssignment(r.group),
      modelLabel(r),
      `${formatNumber(r.a.value, d)} ${formatInterval(r.a.ci, d)}`,
      `${formatNumber(r.b.value, d)} ${formatInterval(r.b.ci, d)}`,
      signed(r.change, d),
      r.flagged ? '⚑' : '',
    ]),
    ['l', 'l', 'l', 'l', 'l', 'l', 'r', 'r', 'r', 'l'],
  );
  return `${comparisonSummary(c)}\n\n${rows.length === 0 ? '(no rows to show)' : table}\n`;
}

export function signed(v: number, decimals: number): string {
  const s = formatNumber(v, decimals);
  return Number.isFinite(v) && v > 0 && Number(s) !== 0 ? `+${s}` : s;
}

/** JSON-ready comparison (NaN becomes null). */
export function comparisonJson(c: Comparison, a: string, b: string): unknown {
  return JSON.parse(
    JSON.stringify({ a: { path: a, models: c.modelsA }, b: { path: b, models: c.modelsB }, ...c }, (_k, v) =>
      typeof v === 'number' && !Number.isFinite(v) ? null : v,
    ),
  );
}
