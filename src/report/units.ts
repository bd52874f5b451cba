/**
 * Units of result values. Evaluators store values in different units: label-association and
 * geographic hit rates in percent (HR = 100·hits/n, protocols.md 3.2), retrieval precision and
 * robustness accuracies as proportions (0–1), confidences as probabilities, corruption errors as
 * plain numbers. A row's `params.unit` says which; rows without it get their metric's usual unit.
 * Differences of percentages are percentage points, ratios have no unit.
 */
import type { ResultRow } from '../core/types.js';
import { decimalsFor } from './format.js';
import { baseMetric, rowKind } from './rows.js';

export type Unit = 'percent' | 'pp' | 'fraction' | 'probability' | 'pdiff' | 'ratio' | 'number';

/** Units of metrics written without `params.unit`. */
const METRIC_UNITS: Record<string, Unit> = {
  hit_rate: 'percent',
  prediction_rate: 'percent',
  prediction_rate_disparity: 'pp',
  cover: 'percent',
  precision_at_k: 'fraction',
  top1: 'fraction',
  top5: 'fraction',
  accuracy_drop: 'fraction',
  effective_robustness: 'fraction',
  disparate_label_rate: 'fraction',
  top1_above_disparate_threshold_rate: 'fraction',
  mean_top1_confidence: 'probability',
  associated_label_confidence: 'probability',
  group_share: 'fraction',
  share: 'fraction',
  coverage: 'fraction',
  search_recall_at_k: 'fraction',
  'probe.accuracy': 'fraction',
  'probe.accuracy_gain': 'pdiff',
  'probe.accuracy_gap_change': 'pdiff',
};

/** `params.unit` spellings. */
const UNIT_NAMES: Record<string, Unit> = {
  percent: 'percent',
  '%': 'percent',
  'percentage points': 'pp',
  pp: 'pp',
  fraction: 'fraction',
  proportion: 'fraction',
  probability: 'probability',
  ratio: 'ratio',
};

/** The unit of a value row's metric (before gaps/ratios change it). */
function valueUnit(row: Pick<ResultRow, 'metric' | 'params'>): Unit {
  const stated = row.params.unit;
  if (typeof stated === 'string' && UNIT_NAMES[stated] !== undefined) return UNIT_NAMES[stated];
  return METRIC_UNITS[baseMetric(row.metric)] ?? 'number';
}

/** The unit of a row's value: ratios have none; a difference of percentages is in points. */
export function rowUnit(row: Pick<ResultRow, 'kind' | 'metric' | 'params'>): Unit {
  const kind = rowKind(row);
  if (kind === 'ratio') return 'ratio';
  const unit = valueUnit(row);
  if (kind === 'gap' || kind === 'comparison') {
    if (unit === 'percent') return 'pp';
    if (unit === 'fraction' || unit === 'probability') return 'pdiff';
  }
  return unit;
}

/** The one unit of a set of rows, or 'number' when they mix units. */
export function commonUnit(rows: readonly Pick<ResultRow, 'kind' | 'metric' | 'params'>[]): Unit {
  const units = new Set(rows.map(rowUnit));
  return units.size === 1 ? [...units][0] : 'number';
}

/** Short unit text for axis titles and captions: '%', 'percentage points', '0–1' (a proportion). */
export function unitText(unit: Unit): string {
  switch (unit) {
    case 'percent':
      return '%';
    case 'pp':
      return 'percentage points';
    case 'fraction':
      return '0–1';
    case 'probability':
      return 'probability, 0–1';
    case 'pdiff':
      return 'difference, 0–1 scale';
    case 'ratio':
      return 'ratio, 1 = parity';
    default:
      return '';
  }
}

/** 'hit rate (%)'; the title alone for plain numbers. */
export function withUnit(title: string, unit: Unit): string {
  const u = unitText(unit);
  return u === '' ? title : `${title} (${u})`;
}

/**
 * Decimals for values of one unit: 1 for percent and points (as the paper prints 94.9), 3 for
 * proportions and probabilities, 2 for ratios, else by magnitude (decimalsFor).
 */
export function unitDecimals(unit: Unit, values: readonly number[]): number {
  switch (unit) {
    case 'percent':
    case 'pp':
      return 1;
    case 'fraction':
    case 'probability':
    case 'pdiff':
      return 3;
    case 'ratio':
      return 2;
    default:
      return decimalsFor(values);
  }
}
