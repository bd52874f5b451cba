/**
 * results.json: the machine-readable output of every evaluator and of `fairscope audit`. The report
 * is rebuilt from this file alone. Bump RESULTS_SCHEMA_VERSION on any incompatible change.
 */
import { canonicalJson } from './hash.js';
import type { FailedItem, ResultRow, RowKind } from './types.js';

/**
 * 2: every row carries `kind` (value | difference | ratio | comparison). Files of version 1 are read
 * by upgradeResultsData, which derives each row's kind from its metric name.
 */
export const RESULTS_SCHEMA_VERSION = 2;

/** The metric-name suffixes that version 1 used to say what a row holds. */
const V1_KIND_SUFFIXES: [string, RowKind][] = [
  ['.comparison', 'comparison'],
  ['.difference', 'difference'],
  ['.ratio', 'ratio'],
  ['_gap', 'difference'],
];

/** The kind of a version-1 row, read from its metric name ('hit_rate.difference' -> 'difference'). */
export function rowKindOfMetric(metric: string): RowKind {
  for (const [suffix, kind] of V1_KIND_SUFFIXES) if (metric.endsWith(suffix)) return kind;
  return 'value';
}

/** A row as version 1 wrote it (no `kind`). */
export type V1Row = Omit<ResultRow, 'kind'> & { kind?: undefined };

/** A version-1 row with its kind derived from its metric name. */
export function upgradeRow(row: V1Row): ResultRow {
  return { ...row, kind: rowKindOfMetric(row.metric) } as ResultRow;
}

/**
 * Parsed results.json data of an older schema version brought to the current one (a copy); data of
 * the current version, or anything that is not a results object, is returned as it is.
 */
export function upgradeResultsData(data: unknown): unknown {
  if (typeof data !== 'object' || data === null) return data;
  const r = data as { schemaVersion?: unknown; rows?: unknown };
  if (r.schemaVersion !== 1 || !Array.isArray(r.rows)) return data;
  const rows = r.rows.map((row: unknown) => {
    if (typeof row !== 'object' || row === null) return row;
    const x = row as {
      metric?: unknown;
      kind?: unknown;
      dataset?: unknown;
      params?: { corruption?: unknown };
    };
    const upgraded: Record<string, unknown> =
      x.kind === undefined && typeof x.metric === 'string'
        ? { kind: rowKindOfMetric(x.metric), ...x }
        : { ...x };
    // Version 1 named a corrupted copy's rows '<dataset>~<corruption>-<severity>'; the corruption
    // and severity are in the parameters, so the row's dataset is the clean set.
    const tilde = typeof x.dataset === 'string' ? x.dataset.indexOf('~') : -1;
    if (tilde > 0 && x.params?.corruption !== undefined)
      upgraded.dataset = (x.dataset as string).slice(0, tilde);
    return upgraded;
  });
  return { ...r, schemaVersion: RESULTS_SCHEMA_VERSION, rows };
}

export type { FailedItem } from './types.js';

export interface ResultsFile {
  schemaVersion: number;
  tool: { name: 'fairscope'; version: string };
  createdAt: string;
  /** Models evaluated, with how they were run and adapted (zero-shot logits or a linear probe...). */
  models: Record<string, Record<string, unknown>>;
  /** Datasets used, with sizes and sources/credits. */
  datasets: Record<string, Record<string, unknown>>;
  /** Where this run departs from the reference protocol, in plain words. */
  deviations: string[];
  failures: FailedItem[];
  rows: ResultRow[];
  /** Free-form extra sections (curation summaries, probe accuracies...). */
  extra: Record<string, unknown>;
}

export function emptyResults(): ResultsFile {
  return {
    schemaVersion: RESULTS_SCHEMA_VERSION,
    tool: { name: 'fairscope', version: '0.1.0' },
    createdAt: new Date().toISOString(),
    models: {},
    datasets: {},
    deviations: [],
    failures: [],
    rows: [],
    extra: {},
  };
}

/** results.json text: indented JSON, non-finite numbers as null (JSON has no NaN). */
export function resultsJson(results: ResultsFile): string {
  const text = JSON.stringify(
    results,
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
  return `${text}\n`;
}

/**
 * The cell a row fills: model, indicator, metric, dataset, params and group. Two rows with the same
 * key would make every table and comparison ambiguous, and a re-run replaces the rows whose keys it
 * recomputes.
 */
export function rowCellKey(
  r: Pick<ResultRow, 'model' | 'indicator' | 'metric' | 'dataset' | 'params' | 'group'>,
): string {
  return canonicalJson([r.model, r.indicator, r.metric, r.dataset ?? null, r.params, r.group]);
}

/** What one run of a stage adds to a results file. */
export interface ResultsUpdate {
  rows: readonly ResultRow[];
  models?: Record<string, Record<string, unknown>>;
  datasets?: Record<string, Record<string, unknown>>;
  deviations?: readonly string[];
  failures?: readonly FailedItem[];
  /** Extra sections by name: objects are merged key by key, lists of objects with an `id` by id. */
  extra?: Record<string, unknown>;
}

function mergeExtra(a: unknown, b: unknown): unknown {
  const hasId = (x: unknown) =>
    typeof x === 'object' && x !== null && typeof (x as { id?: unknown }).id === 'string';
  if (Array.isArray(a) && Array.isArray(b) && [...a, ...b].every(hasId)) {
    const ids = new Set(b.map((x) => (x as { id: string }).id));
    return [...a.filter((x) => !ids.has((x as { id: string }).id)), ...b];
  }
  return b;
}

/**
 * The one rule of every command that writes results: a run replaces the rows it recomputes (same
 * cell key) and keeps every other row; models and datasets are merged by name, deviations and
 * failures kept once each. Returns a new file; `base` is not modified.
 */
export function mergeResults(base: ResultsFile, update: ResultsUpdate): ResultsFile {
  const recomputed = new Set(update.rows.map(rowCellKey));
  const models = { ...base.models };
  for (const [name, info] of Object.entries(update.models ?? {}))
    models[name] = { ...(models[name] ?? {}), ...info };
  const deviations = [...base.deviations];
  for (const d of update.deviations ?? []) if (!deviations.includes(d)) deviations.push(d);
  const failed = new Set(base.failures.map((f) => `${f.dataset}\u0000${f.id}`));
  const failures = [...base.failures];
  for (const f of update.failures ?? []) {
    const key = `${f.dataset}\u0000${f.id}`;
    if (failed.has(key)) continue;
    failed.add(key);
    failures.push(f);
  }
  const extra = { ...base.extra };
  for (const [k, v] of Object.entries(update.extra ?? {}))
    extra[k] = k in extra ? mergeExtra(extra[k], v) : v;
  return {
    ...base,
    createdAt: new Date().toISOString(),
    models,
    datasets: { ...base.datasets, ...(update.datasets ?? {}) },
    deviations,
    failures,
    rows: [...base.rows.filter((r) => !recomputed.has(rowCellKey(r))), ...update.rows],
    extra,
  };
}
