import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairscopeError } from './errors.js';
import { EMPTY_ENTRIES, emptyEntries, isScoredRow, recordedEmptyEntries, requireScored } from './scored.js';
import { stageResult } from './stage.js';
import type { ResultRow } from './types.js';

function row(model: string, value: number, n: number, warnings: string[] = []): ResultRow {
  return {
    kind: 'value',
    model,
    indicator: 'robustness',
    metric: 'top1',
    params: {},
    group: {},
    value,
    ci: [Number.NaN, Number.NaN],
    n,
    clusters: n,
    warnings,
  };
}

test('a row is scored when it holds a finite value computed from some item', () => {
  assert.equal(isScoredRow(row('m', 0, 3)), true);
  assert.equal(isScoredRow(row('m', Number.NaN, 3)), false);
  assert.equal(isScoredRow(row('m', 0.5, 0)), false);
});

test('an entry is empty for each model without a scored row, with the reasons the stage gave', () => {
  const result = stageResult({
    rows: [
      row('a', 0.7, 10),
      row('a', Number.NaN, 0),
      row('b', Number.NaN, 0, ['test: 10 of 10 items have no label among the model classes']),
    ],
    notes: ['robustness: labels absent from the classes were dropped'],
  });
  const empty = emptyEntries({ entry: 'robustness.corruptions.0', models: ['a', 'b', 'c'], result });
  assert.deepEqual(
    empty.map((e) => e.model),
    ['b', 'c'],
  );
  assert.match(
    empty[0]?.detail ?? '',
    /^1 row\(s\), every value n\/a; robustness: labels absent.*; test: 10 of 10/,
  );
  assert.match(empty[1]?.detail ?? '', /^no result rows/);
});

test('empty entries are an error listing them all, unless allowed: then one warning each', () => {
  const result = stageResult({ rows: [row('a', Number.NaN, 0)] });
  const empty = [
    ...emptyEntries({ entry: 'indicators.retrieval.0', models: ['a'], result }),
    ...emptyEntries({ entry: 'curation.1', models: ['a'], result }),
  ];
  assert.throws(
    () => requireScored(empty, (e) => e.entry === 'curation.1', 'pass --allow-empty'),
    (err: unknown) => {
      assert.ok(err instanceof FairscopeError);
      assert.equal(err.exitCode, 1);
      assert.match(
        err.message,
        /^1 evaluation\(s\) produced no scored value:\n {2}indicators\.retrieval\.0 \(model a\) scored nothing/,
      );
      assert.doesNotMatch(err.message, /curation\.1/);
      assert.match(err.message, /pass --allow-empty to write the results with a warning/);
      return true;
    },
  );
  const warnings = requireScored(empty, () => true, 'pass --allow-empty');
  assert.deepEqual(warnings, [
    'warning: indicators.retrieval.0 (model a) scored nothing: 1 row(s), every value n/a',
    'warning: curation.1 (model a) scored nothing: 1 row(s), every value n/a',
  ]);
  assert.deepEqual(
    requireScored([], () => false, 'x'),
    [],
  );
  // As a results file records them, malformed entries left out.
  assert.deepEqual(recordedEmptyEntries({ [EMPTY_ENTRIES]: [...empty, { entry: 3 }] }), empty);
  assert.deepEqual(recordedEmptyEntries({}), []);
});
