/**
 * results.parquet: one row per ResultRow, for pandas / polars / DuckDB.
 *
 * Columns: model, indicator, dataset, metric (utf8); value, ci_lo, ci_hi (float64, null where the
 * JSON has null/NaN); n, clusters (int32); warnings (list<utf8>); group, params (utf8: canonical JSON,
 * keys sorted); then one flattened column per group attribute (`group_<attr>`) and per parameter
 * (`param_<key>`), float64 when every value is a number, else utf8; null where a row lacks it.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { canonicalJson } from '../../core/hash.js';
import type { ResultsFile } from '../../core/results.js';
import type { AttrValue, ResultRow } from '../../core/types.js';

const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** Flattened columns for one of the row's maps (group or params), in first-appearance key order. */
function flatColumns(
  rows: readonly ResultRow[],
  pick: (r: ResultRow) => Record<string, AttrValue>,
  prefix: string,
) {
  const keys: string[] = [];
  for (const r of rows) for (const k of Object.keys(pick(r))) if (!keys.includes(k)) keys.push(k);
  const out: Record<string, arrow.Vector> = {};
  for (const k of keys) {
    const values = rows.map((r) => pick(r)[k]);
    const numeric = values.every((v) => v === undefined || typeof v === 'number');
    out[`${prefix}${k}`] = numeric
      ? arrow.vectorFromArray(
          values.map((v) => (v === undefined ? null : (v as number))),
          new arrow.Float64(),
        )
      : arrow.vectorFromArray(
          values.map((v) => (v === undefined ? null : String(v))),
          new arrow.Utf8(),
        );
  }
  return out;
}

/** The rows as an Arrow table (see the module comment for the columns). */
export function resultsTable(results: ResultsFile): arrow.Table {
  const rows = results.rows;
  const utf8 = (f: (r: ResultRow) => string | null) => arrow.vectorFromArray(rows.map(f), new arrow.Utf8());
  const f64 = (f: (r: ResultRow) => number | null) => arrow.vectorFromArray(rows.map(f), new arrow.Float64());
  const i32 = (f: (r: ResultRow) => number) => arrow.vectorFromArray(rows.map(f), new arrow.Int32());
  const columns: Record<string, arrow.Vector> = {
    model: utf8((r) => r.model),
    indicator: utf8((r) => r.indicator),
    dataset: utf8((r) => r.dataset ?? null),
    metric: utf8((r) => r.metric),
    value: f64((r) => finiteOrNull(r.value)),
    ci_lo: f64((r) => finiteOrNull(r.ci[0])),
    ci_hi: f64((r) => finiteOrNull(r.ci[1])),
    n: i32((r) => r.n),
    clusters: i32((r) => r.clusters),
    warnings: arrow.vectorFromArray(
      rows.map((r) => r.warnings),
      new arrow.List(new arrow.Field('item', new arrow.Utf8(), true)),
    ),
    group: utf8((r) => canonicalJson(r.group)),
    params: utf8((r) => canonicalJson(r.params)),
    ...flatColumns(rows, (r) => r.group, 'group_'),
    ...flatColumns(rows, (r) => r.params, 'param_'),
  };
  return new arrow.Table(columns);
}

/** Writes results.parquet (ZSTD) atomically, creating the folder. */
export async function writeResultsParquet(path: string, results: ResultsFile): Promise<void> {
  const ipc = arrow.tableToIPC(resultsTable(results), 'stream');
  const props = new pq.WriterPropertiesBuilder()
    .setCompression(pq.Compression.ZSTD)
    .setCreatedBy('fairscope')
    .build();
  const bytes = pq.writeParquet(pq.Table.fromIPCStream(ipc), props);
  await mkdir(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}
