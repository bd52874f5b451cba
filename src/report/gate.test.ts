import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InputError, UsageError } from '../core/errors.js';
import { emptyResults, type ResultsFile, upgradeRow, type V1Row } from '../core/results.js';
import type { ResultRow } from '../core/types.js';
import {
  evaluateGate,
  type GateThresholds,
  parseGapThreshold,
  parsePrecisionThreshold,
  renderGateText,
} from './gate.js';

function row(p: Partial<V1Row> & Pick<V1Row, 'indicator' | 'metric' | 'value' | 'ci'>): ResultRow {
  return upgradeRow({
    model: 'm',
    params: {},
    group: {},
    n: 50,
    clusters: 50,
    warnings: [],
    dataset: 'd',
    ...p,
  });
}

const harmful = (group: string, value: number, ci: [number, number], tau = 0.1) =>
  row({
    indicator: 'label-association',
    metric: 'hit_rate',
    params: { tau, association: 'harmful' },
    group: { gender: group },
    value,
    ci,
  });

function results(rows: ResultRow[]): ResultsFile {
  const r = emptyResults();
  r.rows = rows;
  r.models = { m: {}, other: {} };
  return r;
}

const none: GateThresholds = { maxGap: [], minPrecision: [], harmfulTau: 0.1, evidence: 'point' };

const sample = results([
  harmful('female', 0.04, [0.01, 0.07]),
  harmful('male', 0.02, [0.015, 0.025]),
  harmful('female', 0.5, [0.4, 0.6], 0.5), // another tau: never read
  row({
    indicator: 'label-association',
    metric: 'hit_rate_gap',
    params: { tau: 0.1, association: 'harmful', attribute: 'gender', method: 'between_groups' },
    value: -0.02,
    ci: [-0.05, 0.01],
  }),
  row({
    indicator: 'label-association',
    metric: 'hit_rate_gap',
    params: { tau: 0.1, association: 'Human', attribute: 'gender', method: 'between_groups' },
    value: 0.2,
    ci: [0.1, 0.3],
  }),
  row({
    indicator: 'retrieval',
    metric: 'precision_at_k',
    params: { k: 10 },
    group: { g: 'a' },
    value: 0.7,
    ci: [0.6, 0.8],
  }),
  row({
    indicator: 'retrieval',
    metric: 'precision_at_k',
    params: { k: 50 },
    group: { g: 'a' },
    value: 0.5,
    ci: [0.4, 0.6],
  }),
  row({ indicator: 'robustness', metric: 'mce', value: 0.8, ci: [0.7, 0.9] }),
  row({ indicator: 'robustness', metric: 'mce', value: 0.5, ci: [0.45, 0.55], model: 'other' }),
]);

test('max-harmful reads harmful hit rates at tau 0.1 only; each group above fails', () => {
  const r = evaluateGate(sample, { ...none, maxHarmful: 0.03 });
  assert.equal(r.passed, false);
  assert.equal(r.checks[0].rowsChecked, 2);
  assert.deepEqual(
    r.checks[0].violations.map((v) => [v.group, v.compared]),
    [['gender=female', 0.04]],
  );
  assert.equal(evaluateGate(sample, { ...none, maxHarmful: 0.05 }).passed, true);
});

test('evidence: confident compares the near bound, cautious the far one', () => {
  // female [0.01, 0.07], male [0.015, 0.025], threshold 0.02
  const confident = evaluateGate(sample, { ...none, maxHarmful: 0.02, evidence: 'confident' });
  assert.equal(confident.passed, true); // lower bounds 0.01 and 0.015 are both <= 0.02
  const cautious = evaluateGate(sample, { ...none, maxHarmful: 0.02, evidence: 'cautious' });
  assert.deepEqual(
    cautious.checks[0].violations.map((v) => v.compared),
    [0.07, 0.025],
  );
  // A minimum: precision 0.5 [0.4, 0.6] against 0.55 fails on the point and cautiously, not confidently.
  const min = (evidence: GateThresholds['evidence']) =>
    evaluateGate(sample, { ...none, minPrecision: [{ k: 50, min: 0.55 }], evidence }).passed;
  assert.deepEqual([min('point'), min('confident'), min('cautious')], [false, true, false]);
});

test('max-gap: |gap| against the threshold, narrowed by parameter filters', () => {
  const harmfulGap = evaluateGate(sample, {
    ...none,
    maxGap: [{ selector: 'hit_rate_gap', filters: { association: 'harmful' }, max: 0.015 }],
  });
  // |−0.02| = 0.02 > 0.015
  assert.deepEqual(
    harmfulGap.checks[0].violations.map((v) => v.compared),
    [0.02],
  );
  // Confidently: the interval [−0.05, 0.01] contains 0, so the near distance is 0.
  assert.equal(
    evaluateGate(sample, {
      ...none,
      evidence: 'confident',
      maxGap: [{ selector: 'hit_rate', filters: { association: 'harmful' }, max: 0.015 }],
    }).passed,
    true,
  );
  const byIndicator = evaluateGate(sample, {
    ...none,
    maxGap: [{ selector: 'label-association', filters: {}, max: 0.1 }],
  });
  assert.equal(byIndicator.checks[0].rowsChecked, 2);
  assert.deepEqual(
    byIndicator.checks[0].violations.map((v) => v.value),
    [0.2],
  );
});

test('max-gap reads metric-frame gap rows (.difference), not ratios or tests; the unit is named', () => {
  const frame = (
    metric: string,
    method: string,
    value: number,
    extra: Record<string, string | number> = {},
  ) =>
    row({
      indicator: 'label-association',
      metric,
      params: { tau: 0.1, association: 'Harmful', unit: 'percent', method, ...extra },
      group: { gender: '*' },
      value,
      ci: [value - 1, value + 1],
    });
  const r = results([
    frame('hit_rate.difference', 'betweenGroups', 6),
    frame('hit_rate.difference', 'toOverall', 3),
    frame('hit_rate.ratio', 'betweenGroups', 0.4),
    {
      ...frame('hit_rate.comparison', '', 6, { versus: 'gender=male', pHolm: 0.01 }),
      group: { gender: 'female' },
    },
  ]);
  const all = evaluateGate(r, { ...none, maxGap: [{ selector: 'hit_rate', filters: {}, max: 5 }] });
  assert.equal(all.checks[0].rowsChecked, 2);
  assert.deepEqual(
    all.checks[0].violations.map((v) => [v.metric, v.value]),
    [['hit_rate.difference', 6]],
  );
  assert.match(all.checks[0].description, /\(unit: percentage points\)$/);
  const between = evaluateGate(r, {
    ...none,
    maxGap: [{ selector: 'hit_rate.difference', filters: { method: 'toOverall' }, max: 5 }],
  });
  assert.equal(between.passed, true);
  assert.equal(between.checks[0].rowsChecked, 1);
});

test('min-precision at one K or every K; max-mce per model; --model narrows', () => {
  const every = evaluateGate(sample, { ...none, minPrecision: [{ min: 0.6 }] });
  assert.equal(every.checks[0].rowsChecked, 2);
  assert.equal(every.checks[0].violations.length, 1);
  assert.equal(evaluateGate(sample, { ...none, minPrecision: [{ k: 10, min: 0.6 }] }).passed, true);
  const mce = evaluateGate(sample, { ...none, maxMce: 0.6 });
  assert.deepEqual(
    mce.checks[0].violations.map((v) => v.model),
    ['m'],
  );
  assert.equal(evaluateGate(sample, { ...none, maxMce: 0.6, model: 'other' }).passed, true);
  assert.throws(() => evaluateGate(sample, { ...none, maxMce: 0.6, model: 'nope' }), UsageError);
});

test('an undefined value fails; a threshold with no rows is an error naming the file', () => {
  const nan = results([
    row({ indicator: 'robustness', metric: 'mce', value: Number.NaN, ci: [Number.NaN, Number.NaN] }),
  ]);
  const r = evaluateGate(nan, { ...none, maxMce: 1 });
  assert.equal(r.passed, false);
  assert.match(r.checks[0].violations[0].message, /value undefined/);
  assert.throws(
    () => evaluateGate(nan, { ...none, maxHarmful: 0.1 }, 'run/results.json'),
    (e: unknown) =>
      e instanceof InputError && e.file === 'run/results.json' && /no rows to check/.test(e.message),
  );
  assert.throws(() => evaluateGate(nan, none), /no threshold given/);
});

test('threshold syntax: NAME[:key=value]=VALUE and [K=]VALUE', () => {
  assert.deepEqual(parseGapThreshold('hit_rate_gap:association=harmful=0.05'), {
    selector: 'hit_rate_gap',
    filters: { association: 'harmful' },
    max: 0.05,
  });
  assert.deepEqual(parseGapThreshold('retrieval=0.1'), { selector: 'retrieval', filters: {}, max: 0.1 });
  for (const bad of ['hit_rate_gap', '=0.1', 'x=', 'x=-1', 'x:bad=0.1'])
    assert.throws(() => parseGapThreshold(bad), UsageError);
  assert.deepEqual(parsePrecisionThreshold('10=0.8'), { k: 10, min: 0.8 });
  assert.deepEqual(parsePrecisionThreshold('0.8'), { min: 0.8 });
  for (const bad of ['x', '1.5=0.8', '10=']) assert.throws(() => parsePrecisionThreshold(bad), UsageError);
});

test('the text outcome lists every violation under its check', () => {
  const text = renderGateText(evaluateGate(sample, { ...none, maxHarmful: 0.01, maxMce: 0.9 }));
  assert.match(text, /^FAILED: 2 violation\(s\) in 1 of 2 check\(s\)/);
  assert.match(text, /FAIL max-harmful/);
  assert.match(text, /ok {3}max-mce/);
  assert.equal(text.match(/hit_rate 0\.0\d+ > 0\.01/g)?.length, 2);
});
