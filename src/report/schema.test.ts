import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../core/errors.js';
import { loadResults } from './node/results-file.js';
import { formatPath, parseResults, resultsFileSchema } from './schema.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'report', 'sample-results.json');

async function sampleJson(): Promise<Record<string, unknown> & { rows: Record<string, unknown>[] }> {
  return JSON.parse(await readFile(SAMPLE, 'utf8'));
}

function assertInputError(fn: () => unknown, field: string, file = 'x.json'): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.field, field);
    assert.equal(err.file, file);
    assert.match(err.message, new RegExp(`${field.replace(/[[\].]/g, '\\$&')}:`));
    return true;
  });
}

test('the committed sample passes and keeps every row', async () => {
  const data = await sampleJson();
  const r = parseResults(data, SAMPLE);
  assert.equal(r.rows.length, data.rows.length);
  // make-sample.ts writes 1,576 rows (counted in its output line).
  assert.equal(r.rows.length, 1576);
  assert.deepEqual(r.rows[0].ci, data.rows[0].ci);
});

test('a wrong type deep in a row fails naming rows[i].ci[j]', async () => {
  const data = await sampleJson();
  (data.rows[3].ci as unknown[])[1] = 'high';
  assertInputError(() => parseResults(data, 'x.json'), 'rows[3].ci[1]');
});

test('a missing required field and a bad schema version are named', async () => {
  const data = await sampleJson();
  delete data.rows[0].n;
  assertInputError(() => parseResults(data, 'x.json'), 'rows[0].n');
  const future = await sampleJson();
  future.schemaVersion = 99;
  assertInputError(() => parseResults(future, 'x.json'), 'schemaVersion');
  assertInputError(() => parseResults({ schemaVersion: 2 }, 'x.json'), 'tool');
  const noKind = await sampleJson();
  delete noKind.rows[4].kind;
  assertInputError(() => parseResults(noKind, 'x.json'), 'rows[4].kind');
});

test('a version-1 file (rows without kind) is read with each kind derived from its metric', async () => {
  const v1 = await sampleJson();
  v1.schemaVersion = 1;
  const kinds = v1.rows.map((r) => r.kind);
  for (const r of v1.rows) delete r.kind;
  const read = parseResults(v1, 'x.json');
  assert.equal(read.schemaVersion, 2);
  assert.deepEqual(
    read.rows.map((r) => r.kind),
    kinds,
  );
  assert.ok(new Set(kinds).size === 4, 'the sample has rows of every kind');
});

test('an interval with lower > upper fails; null values are read as NaN', async () => {
  const data = await sampleJson();
  data.rows[5].ci = [0.5, 0.4];
  assertInputError(() => parseResults(data, 'x.json'), 'rows[5].ci');
  const withNull = await sampleJson();
  withNull.rows[2].value = null;
  withNull.rows[2].ci = [null, null];
  const r = parseResults(withNull, 'x.json');
  assert.ok(Number.isNaN(r.rows[2].value));
  assert.ok(Number.isNaN(r.rows[2].ci[0]) && Number.isNaN(r.rows[2].ci[1]));
});

test('a duplicated row (same model, indicator, metric, dataset, params, group) is named', async () => {
  const data = await sampleJson();
  data.rows.push({ ...data.rows[7], value: 0.5 });
  assertInputError(() => parseResults(data, 'x.json'), `rows[${data.rows.length - 1}]`);
  assert.throws(() => parseResults(data, 'x.json'), /duplicates rows\[7\]/);
});

test('loadResults names the file for unreadable or non-JSON input', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fairscope-schema-'));
  try {
    const bad = join(dir, 'bad.json');
    await writeFile(bad, '{ not json');
    await assert.rejects(loadResults(bad), (e: unknown) => e instanceof InputError && e.file === bad);
    await assert.rejects(loadResults(join(dir, 'missing.json')), /missing\.json.*cannot read results/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('formatPath writes array indices in brackets', () => {
  assert.equal(formatPath(['rows', 12, 'ci', 1]), 'rows[12].ci[1]');
  assert.equal(formatPath(['tool', 'name']), 'tool.name');
});

test('the fast row check agrees with the zod schema, row by row', async () => {
  const data = await sampleJson();
  // Valid: the fast path's output equals zod's (nulls become NaN in both).
  data.rows[1].value = null;
  data.rows[1].ci = [null, 0.5];
  const viaZod = resultsFileSchema.parse(data);
  assert.deepEqual(parseResults(structuredClone(data), 'x.json'), viaZod);
  // Each corruption is one the fast check must reject so that zod names the field.
  const corruptions: [string, (r: Record<string, unknown>) => void][] = [
    ['rows[7].model', (r) => Object.assign(r, { model: '' })],
    ['rows[7].params.k', (r) => Object.assign(r, { params: { k: true } })],
    ['rows[7].group.skintone', (r) => Object.assign(r, { group: { skintone: null } })],
    ['rows[7].value', (r) => Object.assign(r, { value: '0.5' })],
    ['rows[7].ci', (r) => Object.assign(r, { ci: [0.1] })],
    ['rows[7].n', (r) => Object.assign(r, { n: 1.5 })],
    ['rows[7].clusters', (r) => Object.assign(r, { clusters: -1 })],
    ['rows[7].warnings[0]', (r) => Object.assign(r, { warnings: [3] })],
    ['rows[7].dataset', (r) => Object.assign(r, { dataset: '' })],
    ['rows[7].kind', (r) => Object.assign(r, { kind: 'gap' })],
    ['rows[7]', (r) => Object.assign(r, structuredClone(data.rows[0]))],
  ];
  for (const [field, corrupt] of corruptions) {
    const bad = await sampleJson();
    corrupt(bad.rows[7] as Record<string, unknown>);
    assertInputError(() => parseResults(bad, 'x.json'), field);
  }
});
