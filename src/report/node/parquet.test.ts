/**
 * results.parquet read back with parquet-wasm's reader (the Rust parquet crate, not the Arrow JS
 * code that builds the table) and compared field by field with the JSON rows.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm/node';
import { writeResultsParquet } from './parquet.js';
import { loadResults } from './results-file.js';

const SAMPLE = join(
  import.meta.dirname,
  '..',
  '..',
  '..',
  'test',
  'fixtures',
  'report',
  'sample-results.json',
);

test('one Parquet row per result row, with JSON and flattened group/params columns', async () => {
  const results = await loadResults(SAMPLE);
  // An undefined value must come back as null, not as a number.
  results.rows[1] = { ...results.rows[1], value: Number.NaN, ci: [Number.NaN, Number.NaN] };
  const dir = await mkdtemp(join(tmpdir(), 'fairscope-parquet-'));
  try {
    const path = join(dir, 'sub', 'results.parquet');
    await writeResultsParquet(path, results);
    const table = arrow.tableFromIPC(pq.readParquet(await readFile(path)).intoIPCStream());
    assert.equal(table.numRows, results.rows.length);
    const names = table.schema.fields.map((f) => f.name);
    for (const c of [
      'model',
      'indicator',
      'dataset',
      'metric',
      'value',
      'ci_lo',
      'ci_hi',
      'n',
      'clusters',
      'warnings',
      'group',
      'params',
    ]) {
      assert.ok(names.includes(c), c);
    }
    assert.equal(String(table.schema.fields[names.indexOf('param_tau')].type), 'Float64');
    assert.equal(String(table.schema.fields[names.indexOf('param_association')].type), 'Utf8');
    for (let i = 0; i < results.rows.length; i++) {
      const r = results.rows[i];
      const got = table.get(i)?.toJSON() as Record<string, unknown>;
      assert.equal(got.model, r.model);
      assert.equal(got.indicator, r.indicator);
      assert.equal(got.metric, r.metric);
      assert.equal(got.dataset, r.dataset ?? null);
      assert.equal(got.value, Number.isNaN(r.value) ? null : r.value);
      assert.equal(got.ci_lo, Number.isNaN(r.ci[0]) ? null : r.ci[0]);
      assert.equal(got.ci_hi, Number.isNaN(r.ci[1]) ? null : r.ci[1]);
      assert.equal(got.n, r.n);
      assert.equal(got.clusters, r.clusters);
      assert.deepEqual([...(got.warnings as Iterable<string>)], r.warnings);
      assert.deepEqual(JSON.parse(got.group as string), r.group);
      assert.deepEqual(JSON.parse(got.params as string), r.params);
      for (const [k, v] of Object.entries(r.group)) assert.equal(got[`group_${k}`], v);
      // A parameter column is float64 only when every row's value is a number (severity 1 beside
      // severity 'all' makes it utf8), so the expected cell is the number or its text.
      for (const [k, v] of Object.entries(r.params)) {
        const numeric = results.rows.every(
          (x) => x.params[k] === undefined || typeof x.params[k] === 'number',
        );
        assert.equal(got[`param_${k}`], numeric ? v : String(v), `${k} of row ${i}`);
      }
      if (!('tau' in r.params)) assert.equal(got.param_tau, null);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
