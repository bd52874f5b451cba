import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rowKindOfMetric } from '../core/results.js';
import { commonUnit, rowUnit, unitDecimals, withUnit } from './units.js';

/** A row of a metric; its kind follows the metric-name convention ('.difference', '_gap' ...). */
const r = (metric: string, params: Record<string, string | number> = {}) => ({
  kind: rowKindOfMetric(metric),
  metric,
  params,
});

test('a stated params.unit wins; without it the metric decides (hit rates in %, precision 0–1)', () => {
  assert.equal(rowUnit(r('hit_rate', { unit: 'percent' })), 'percent');
  assert.equal(rowUnit(r('hit_rate', { unit: 'fraction' })), 'fraction');
  assert.equal(rowUnit(r('hit_rate')), 'percent');
  assert.equal(rowUnit(r('precision_at_k')), 'fraction');
  assert.equal(rowUnit(r('top1')), 'fraction');
  assert.equal(rowUnit(r('mean_top1_confidence')), 'probability');
  assert.equal(rowUnit(r('prediction_rate_disparity', { unit: 'percentage points' })), 'pp');
  assert.equal(rowUnit(r('mce')), 'number');
  assert.equal(rowUnit(r('some_new_metric')), 'number');
});

test('gaps and tests of percentages are points, of proportions a 0–1 difference; ratios have no unit', () => {
  assert.equal(rowUnit(r('hit_rate.difference', { unit: 'percent' })), 'pp');
  assert.equal(rowUnit(r('hit_rate.comparison', { unit: 'percent' })), 'pp');
  // hit_rate.ratio rows carry unit=percent (the unit of the metric), but a ratio of two rates has none.
  assert.equal(rowUnit(r('hit_rate.ratio', { unit: 'percent' })), 'ratio');
  assert.equal(rowUnit(r('precision_at_k.difference', { unit: 'fraction' })), 'pdiff');
  assert.equal(rowUnit(r('top1_gap')), 'pdiff');
  assert.equal(rowUnit(r('mce_gap')), 'number');
});

test('one unit per set of rows, else plain number; titles and decimals follow the unit', () => {
  assert.equal(commonUnit([r('top1'), r('top5')]), 'fraction');
  assert.equal(commonUnit([r('top1'), r('mce')]), 'number');
  assert.equal(withUnit('hit rate', 'percent'), 'hit rate (%)');
  assert.equal(withUnit('precision@K', 'fraction'), 'precision@K (0–1)');
  assert.equal(withUnit('mCE', 'number'), 'mCE');
  assert.equal(unitDecimals('percent', [94.94]), 1);
  assert.equal(unitDecimals('pp', [0.04]), 1);
  assert.equal(unitDecimals('fraction', [0.5]), 3);
  assert.equal(unitDecimals('ratio', [0.5]), 2);
  // Plain numbers by magnitude (decimalsFor): 2.93 -> 2 decimals, 150 -> 1.
  assert.equal(unitDecimals('number', [2.93]), 2);
  assert.equal(unitDecimals('number', [150]), 1);
});
