/**
 * Summaries of label association's secondary statistics (protocols.md 3.2), shared by the HTML
 * report and summary.md. A real audit writes one prediction rate and one disparity per (class, group,
 * τ, model): thousands of rows. The report shows the largest disparities, not all of them.
 */
import type { ResultRow } from '../core/types.js';
import { attributeSetLabel, groupLabel } from './format.js';
import { distinct, isOverall, isValueRow } from './rows.js';
import { metricTitle } from './texts.js';
import { rowUnit, withUnit } from './units.js';

/** Secondary statistics written by the label-association evaluator. */
export const SECONDARY_METRICS = [
  'prediction_rate_disparity',
  'prediction_rate',
  'disparate_label_rate',
  'top1_above_disparate_threshold_rate',
  'mean_top1_confidence',
  'associated_label_confidence',
];

/** Scalar secondary statistics shown per group (one value per group, model and τ). */
export const SECONDARY_RATES = [
  'disparate_label_rate',
  'top1_above_disparate_threshold_rate',
  'mean_top1_confidence',
];

/** The class a per-class row is about. */
export function classOf(r: ResultRow): string {
  return String(r.params.class ?? r.params.label ?? '');
}

export interface Disparity {
  cls: string;
  value: number;
  ci: [number, number];
  /** The interval lies on one side of 0. */
  excludesZero: boolean;
  warned: boolean;
}

export interface GroupDisparities {
  attribute: string;
  group: string;
  /** Per model (in model order): the classes with the largest |disparity|, largest first. */
  byModel: Map<string, Disparity[]>;
}

const finite = (r: ResultRow) => Number.isFinite(r.value);

/**
 * Per group, the `perGroup` classes with the largest non-zero |disparity| of each model, groups in
 * row order. Ties: class order in the rows.
 */
export function topDisparities(
  rows: readonly ResultRow[],
  models: readonly string[],
  perGroup = 3,
): GroupDisparities[] {
  const disp = rows.filter(
    (r) => r.metric === 'prediction_rate_disparity' && isValueRow(r) && !isOverall(r) && finite(r),
  );
  const out: GroupDisparities[] = [];
  for (const key of distinct(disp, (r) => `${attributeSetLabel(r.group)}\u0000${groupLabel(r.group)}`)) {
    const [attribute, group] = key.split('\u0000');
    const here = disp.filter(
      (r) => attributeSetLabel(r.group) === attribute && groupLabel(r.group) === group,
    );
    const byModel = new Map<string, Disparity[]>();
    for (const m of models) {
      const top = here
        .map((r, i) => ({ r, i }))
        .filter(({ r }) => r.model === m && r.value !== 0)
        .sort((a, b) => Math.abs(b.r.value) - Math.abs(a.r.value) || a.i - b.i)
        .slice(0, perGroup)
        .map(({ r }) => ({
          cls: classOf(r),
          value: r.value,
          ci: r.ci,
          excludesZero: r.ci[0] > 0 || r.ci[1] < 0,
          warned: r.warnings.length > 0,
        }));
      if (here.some((r) => r.model === m)) byModel.set(m, top);
    }
    out.push({ attribute, group, byModel });
  }
  return out;
}

/**
 * The `limit` classes with the largest |disparity| among `rows` (any group and model), largest first;
 * classes whose disparities are all 0 or undefined are left out.
 */
export function mostDisparateClasses(rows: readonly ResultRow[], limit: number): string[] {
  const largest = new Map<string, number>();
  for (const r of rows) {
    if (r.metric !== 'prediction_rate_disparity' || !finite(r)) continue;
    const c = classOf(r);
    largest.set(c, Math.max(largest.get(c) ?? 0, Math.abs(r.value)));
  }
  return [...largest]
    .map(([c, v], i) => ({ c, v, i }))
    .filter(({ v }) => v > 0)
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, limit)
    .map(({ c }) => c);
}

/** The `limit` classes most predicted overall (largest overall prediction rate over the models). */
export function mostPredictedClasses(rows: readonly ResultRow[], limit: number): string[] {
  const largest = new Map<string, number>();
  for (const r of rows) {
    if (r.metric !== 'prediction_rate' || !isOverall(r) || !finite(r)) continue;
    const c = classOf(r);
    largest.set(c, Math.max(largest.get(c) ?? 0, r.value));
  }
  return [...largest]
    .map(([c, v], i) => ({ c, v, i }))
    .filter(({ v }) => v > 0)
    .sort((a, b) => b.v - a.v || a.i - b.i)
    .slice(0, limit)
    .map(({ c }) => c);
}

/** A rate row relabelled so that one table holds every statistic: row label = statistic (unit). */
export function asStatistic(r: ResultRow): ResultRow {
  const detail =
    r.params.label !== undefined && r.metric === 'disparate_label_rate'
      ? ` “${r.params.label}”${r.params.disparateThreshold === undefined ? '' : `, score ≥ ${r.params.disparateThreshold}`}`
      : r.metric === 'top1_above_disparate_threshold_rate' && r.params.disparateThreshold !== undefined
        ? ` (${r.params.disparateThreshold})`
        : '';
  // A display row: its kind is kept, its params are the table's labels.
  return {
    ...r,
    metric: 'secondary statistics',
    params: {
      tau: r.params.tau,
      statistic: withUnit(`${metricTitle(r.metric)}${detail}`, rowUnit(r)),
    },
  } as ResultRow;
}
