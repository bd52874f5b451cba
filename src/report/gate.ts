/**
 * `fairscope gate`: thresholds on a results file, for CI. Each threshold names exactly which rows it
 * reads; a threshold with no rows to read is an error (a gate that cannot check must not pass).
 *
 * - max-gap SELECTOR=VALUE: gap rows (`<metric>.difference`, or `<metric>_gap`) whose metric is
 *   SELECTOR (with or without the suffix) or whose indicator is SELECTOR, optionally narrowed by
 *   parameter filters `SELECTOR:key=value:key=value`. Fails when |gap| > VALUE.
 * - max-harmful VALUE: label-association 'hit_rate' rows with association 'harmful' at τ = harmfulTau
 *   (default 0.1), every group and the overall row. Fails for each group whose rate > VALUE.
 * - min-precision [K=]VALUE: retrieval 'precision_at_k' rows at K (every K when omitted), every group.
 *   Fails for each group whose precision < VALUE.
 * - max-mce VALUE: robustness 'mce' rows. Fails when mCE > VALUE.
 *
 * Thresholds are in the unit of the rows they read (rows.unit: percent for label-association hit rates,
 * 0–1 for retrieval precision), which each check's description names.
 *
 * `evidence` says which number is compared: 'point' the estimate; 'confident' fails only when the
 * whole 95% interval is beyond the threshold; 'cautious' fails when any part of it is. A row with an
 * undefined value (NaN) always fails.
 */
import { InputError, UsageError } from '../core/errors.js';
import type { ResultsFile } from '../core/results.js';
import type { ResultRow } from '../core/types.js';
import { groupAssignment, paramsLabel } from './format.js';
import { baseMetric, isGapRow, modelOrder } from './rows.js';
import { commonUnit, unitText } from './units.js';

export type Evidence = 'point' | 'confident' | 'cautious';
export const EVIDENCE: readonly Evidence[] = ['point', 'confident', 'cautious'];

export interface GapThreshold {
  /** Metric (with or without '_gap') or indicator name. */
  selector: string;
  /** Parameter filters: every key must equal (as text) the row's param. */
  filters: Record<string, string>;
  max: number;
}

export interface GateThresholds {
  maxGap: GapThreshold[];
  maxHarmful?: number;
  harmfulTau: number;
  minPrecision: { k?: number; min: number }[];
  maxMce?: number;
  /** Only check this model's rows. */
  model?: string;
  evidence: Evidence;
}

export interface Violation {
  check: string;
  model: string;
  dataset?: string;
  metric: string;
  group: string;
  params: string;
  value: number;
  ci: [number, number];
  /** The number compared with the threshold (depends on `evidence`). */
  compared: number;
  threshold: number;
  message: string;
}

export interface CheckResult {
  check: string;
  /** What the check reads, in words. */
  description: string;
  threshold: number;
  rowsChecked: number;
  violations: Violation[];
}

export interface GateResult {
  passed: boolean;
  evidence: Evidence;
  checks: CheckResult[];
}

/** ' (unit: %)' when the rows share a stated unit, '' otherwise. */
function unitNote(rows: readonly ResultRow[]): string {
  const u = rows.length === 0 ? '' : unitText(commonUnit(rows));
  return u === '' ? '' : ` (unit: ${u})`;
}

/** Parses 'SELECTOR[:key=value...]=VALUE' (the threshold is after the last '='). */
export function parseGapThreshold(text: string): GapThreshold {
  const at = text.lastIndexOf('=');
  const head = at < 0 ? '' : text.slice(0, at);
  const max = Number(text.slice(at + 1));
  if (at <= 0 || head === '' || text.slice(at + 1).trim() === '' || !Number.isFinite(max) || max < 0) {
    throw new UsageError(
      `--max-gap must be NAME=VALUE with VALUE a number >= 0 (e.g. hit_rate_gap=0.05 or hit_rate_gap:association=harmful=0.05), got "${text}"`,
    );
  }
  const [selector, ...filterParts] = head.split(':');
  const filters: Record<string, string> = {};
  for (const f of filterParts) {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new UsageError(`--max-gap filter must be key=value, got "${f}" in "${text}"`);
    filters[f.slice(0, eq)] = f.slice(eq + 1);
  }
  return { selector, filters, max };
}

/** Parses '[K=]VALUE' for --min-precision. */
export function parsePrecisionThreshold(text: string): { k?: number; min: number } {
  const [kText, vText] = text.includes('=') ? text.split('=', 2) : [undefined, text];
  const min = Number(vText);
  const k = kText === undefined ? undefined : Number(kText);
  if (!Number.isFinite(min) || vText.trim() === '' || (k !== undefined && (!Number.isInteger(k) || k <= 0))) {
    throw new UsageError(`--min-precision must be VALUE or K=VALUE (e.g. 0.8 or 10=0.8), got "${text}"`);
  }
  return k === undefined ? { min } : { k, min };
}

/** The number compared with a threshold: `above` is true for max-thresholds. */
function comparedValue(r: ResultRow, evidence: Evidence, above: boolean, absolute: boolean): number {
  const [lo, hi] = r.ci;
  if (evidence === 'point' || !Number.isFinite(lo) || !Number.isFinite(hi)) {
    return absolute ? Math.abs(r.value) : r.value;
  }
  if (absolute) {
    // Distance from 0 of the interval's nearest (confident) or farthest (cautious) point.
    const near = lo <= 0 && hi >= 0 ? 0 : Math.min(Math.abs(lo), Math.abs(hi));
    const far = Math.max(Math.abs(lo), Math.abs(hi));
    return evidence === 'confident' ? near : far;
  }
  // For a maximum, 'confident' needs the lower bound above it; for a minimum, the upper bound below.
  if (evidence === 'confident') return above ? lo : hi;
  return above ? hi : lo;
}

function violation(
  check: string,
  r: ResultRow,
  compared: number,
  threshold: number,
  relation: '>' | '<',
): Violation {
  const where = [r.model, r.dataset, groupAssignment(r.group), paramsLabel(r.params)]
    .filter((s) => s)
    .join(' · ');
  const message = Number.isNaN(r.value)
    ? `${where}: value undefined (NaN), cannot be checked`
    : `${where}: ${r.metric} ${compared} ${relation} ${threshold}`;
  return {
    check,
    model: r.model,
    ...(r.dataset === undefined ? {} : { dataset: r.dataset }),
    metric: r.metric,
    group: groupAssignment(r.group),
    params: paramsLabel(r.params),
    value: r.value,
    ci: r.ci,
    compared,
    threshold,
    message,
  };
}

function runCheck(
  check: string,
  description: string,
  rows: ResultRow[],
  threshold: number,
  kind: 'max' | 'min',
  evidence: Evidence,
  source: string,
  absolute = false,
): CheckResult {
  if (rows.length === 0) {
    throw new InputError(source, `gate ${check}: no rows to check (${description})`, { field: 'rows' });
  }
  const violations: Violation[] = [];
  for (const r of rows) {
    const v = comparedValue(r, evidence, kind === 'max', absolute);
    const fails =
      Number.isNaN(r.value) || Number.isNaN(v) || (kind === 'max' ? v > threshold : v < threshold);
    if (fails) violations.push(violation(check, r, v, threshold, kind === 'max' ? '>' : '<'));
  }
  return { check, description, threshold, rowsChecked: rows.length, violations };
}

/**
 * Applies the thresholds to a results file.
 * @param source the results file's path, for error messages.
 * @throws UsageError when `model` is not in the file or no threshold is given; InputError (naming
 *   `source`) when a threshold has no rows to read.
 */
export function evaluateGate(results: ResultsFile, t: GateThresholds, source = 'results.json'): GateResult {
  const models = modelOrder(results);
  if (t.model !== undefined && !models.includes(t.model)) {
    throw new UsageError(`--model "${t.model}" is not in the results; models: ${models.join(', ')}`);
  }
  if (
    t.maxGap.length === 0 &&
    t.maxHarmful === undefined &&
    t.minPrecision.length === 0 &&
    t.maxMce === undefined
  ) {
    throw new UsageError('no threshold given: use --max-gap, --max-harmful, --min-precision or --max-mce');
  }
  const rows = results.rows.filter((r) => t.model === undefined || r.model === t.model);
  const checks: CheckResult[] = [];

  for (const g of t.maxGap) {
    const base = baseMetric(g.selector);
    const filterText = Object.entries(g.filters)
      .map(([k, v]) => `${k}=${v}`)
      .join(', ');
    const selected = rows.filter(
      (r) =>
        isGapRow(r) &&
        (baseMetric(r.metric) === base || r.indicator === g.selector) &&
        Object.entries(g.filters).every(([k, v]) => String(r.params[k]) === v),
    );
    checks.push(
      runCheck(
        `max-gap ${g.selector}${filterText ? ` (${filterText})` : ''}`,
        `gap rows of ${g.selector}${filterText ? ` with ${filterText}` : ''}: |gap| must be <= ${g.max}${unitNote(selected)}`,
        selected,
        g.max,
        'max',
        t.evidence,
        source,
        true,
      ),
    );
  }
  if (t.maxHarmful !== undefined) {
    const selected = rows.filter(
      (r) =>
        r.indicator === 'label-association' &&
        r.metric === 'hit_rate' &&
        String(r.params.association).toLowerCase() === 'harmful' &&
        r.params.tau === t.harmfulTau,
    );
    checks.push(
      runCheck(
        'max-harmful',
        `label-association hit_rate, association=harmful, tau=${t.harmfulTau}, every group: rate must be <= ${t.maxHarmful}${unitNote(selected)}`,
        selected,
        t.maxHarmful,
        'max',
        t.evidence,
        source,
      ),
    );
  }
  for (const p of t.minPrecision) {
    const selected = rows.filter(
      (r) =>
        r.indicator === 'retrieval' &&
        r.metric === 'precision_at_k' &&
        (p.k === undefined || r.params.k === p.k),
    );
    checks.push(
      runCheck(
        `min-precision${p.k === undefined ? '' : ` K=${p.k}`}`,
        `retrieval precision_at_k${p.k === undefined ? ' at every K' : ` at K=${p.k}`}, every group: must be >= ${p.min}${unitNote(selected)}`,
        selected,
        p.min,
        'min',
        t.evidence,
        source,
      ),
    );
  }
  if (t.maxMce !== undefined) {
    const selected = rows.filter((r) => r.indicator === 'robustness' && r.metric === 'mce');
    checks.push(
      runCheck(
        'max-mce',
        `robustness mce: must be <= ${t.maxMce}`,
        selected,
        t.maxMce,
        'max',
        t.evidence,
        source,
      ),
    );
  }
  return { passed: checks.every((c) => c.violations.length === 0), evidence: t.evidence, checks };
}

/** Human-readable gate outcome, one line per check and one per violation. */
export function renderGateText(result: GateResult): string {
  const failed = result.checks.filter((c) => c.violations.length > 0);
  const nViolations = failed.reduce((s, c) => s + c.violations.length, 0);
  const lines = [
    result.passed
      ? `PASSED: ${result.checks.length} check(s), evidence=${result.evidence}`
      : `FAILED: ${nViolations} violation(s) in ${failed.length} of ${result.checks.length} check(s), evidence=${result.evidence}`,
  ];
  for (const c of result.checks) {
    lines.push(
      `${c.violations.length === 0 ? 'ok  ' : 'FAIL'} ${c.check}: ${c.description} (${c.rowsChecked} rows)`,
    );
    for (const v of c.violations) lines.push(`       ${v.message}`);
  }
  return `${lines.join('\n')}\n`;
}
