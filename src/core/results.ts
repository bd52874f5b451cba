/**
 * results.json: the machine-readable output of every evaluator and of `fairscope audit`. The report
 * is rebuilt from this file alone. Bump RESULTS_SCHEMA_VERSION on any incompatible change.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from './errors.js';
import type { ResultRow, RowKind } from './types.js';

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
    const x = row as { metric?: unknown; kind?: unknown };
    return x.kind === undefined && typeof x.metric === 'string'
      ? { kind: rowKindOfMetric(x.metric), ...x }
      : row;
  });
  return { ...r, schemaVersion: RESULTS_SCHEMA_VERSION, rows };
}

/** An image that could not be used, and why; reported, never silently replaced. */
export interface FailedItem {
  dataset: string;
  id: string;
  reason: string;
}

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

/** Writes results.json atomically. Non-finite numbers are written as null (JSON has no NaN). */
export async function writeResults(path: string, results: ResultsFile): Promise<void> {
  await mkdir(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  const text = JSON.stringify(
    results,
    (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
    2,
  );
  await writeFile(tmp, `${text}\n`);
  await rename(tmp, path);
}

/** Reads results.json, restoring nulls in numeric fields (value, ci) to NaN. */
export async function readResults(path: string): Promise<ResultsFile> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new InputError(path, `cannot read results: ${(err as Error).message}`);
  }
  const r = upgradeResultsData(parsed) as Partial<ResultsFile>;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.rows)) {
    throw new InputError(path, 'not a fairscope results file (no "rows" array)', { field: 'rows' });
  }
  if (r.schemaVersion !== RESULTS_SCHEMA_VERSION) {
    throw new InputError(
      path,
      `schema version ${String(r.schemaVersion)} is not supported (expected ${RESULTS_SCHEMA_VERSION})`,
      {
        field: 'schemaVersion',
      },
    );
  }
  const num = (x: unknown) => (typeof x === 'number' ? x : Number.NaN);
  r.rows = r.rows.map((row) => ({ ...row, value: num(row.value), ci: [num(row.ci?.[0]), num(row.ci?.[1])] }));
  return { ...emptyResults(), ...r } as ResultsFile;
}
