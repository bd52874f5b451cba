/**
 * The robustness formulas as pure functions of error rates and accuracies (no resampling here; the
 * bootstrap calls them once per resample).
 *
 * Corruption error (Hendrycks & Dietterich 2019, arXiv:1903.12261), with E_{s,c} the top-1 error on
 * corruption c at severity s:
 *   CE_c = Σ_s E_{s,c}                              (unnormalised)
 *   CE_c = Σ_s E_{s,c} / Σ_s E^base_{s,c}           (normalised by a baseline model, AlexNet in the paper)
 *   mCE = mean over corruptions of CE_c
 *   relative CE_c = Σ_s (E_{s,c} - E_clean) / Σ_s (E^base_{s,c} - E^base_clean)   (unnormalised: numerator only)
 *   relative mCE = mean over corruptions of relative CE_c
 *
 * Effective robustness (Taori et al. 2020, arXiv:2007.00644), a fairscope addition (SEER reports raw
 * accuracies only, protocols.md 8.2): fit logit(shift accuracy) = a · logit(in-distribution
 * accuracy) + b by least squares over baseline models; a model's effective robustness is its shift
 * accuracy minus the fit's prediction mapped back, sigmoid(a · logit(acc_id) + b).
 */

/** Errors of one model (or group) on corruptions: clean error and E_{s,c} by corruption, severity 1..5. */
export interface CorruptionErrors {
  clean: number;
  /** corruption -> (5) errors at severities 1..5; NaN where a severity was not evaluated. */
  bySeverity: ReadonlyMap<string, readonly number[]>;
}

/** Whether severity s counts: evaluated for the model and, when given, for the baseline. */
function counts(errors: readonly number[], s: number, base?: readonly number[]): boolean {
  return !Number.isNaN(errors[s] as number) && (base === undefined || !Number.isNaN(base[s] as number));
}

/** Σ_s E_{s,c} over the severities evaluated. */
export function corruptionError(errors: readonly number[]): number {
  let sum = 0;
  let present = 0;
  for (let s = 0; s < errors.length; s++) {
    if (!counts(errors, s)) continue;
    sum += errors[s] as number;
    present++;
  }
  return present === 0 ? Number.NaN : sum;
}

/** Σ_s E_{s,c} / Σ_s E^base_{s,c} over the severities both evaluated. */
export function normalizedCorruptionError(errors: readonly number[], base: readonly number[]): number {
  let num = 0;
  let den = 0;
  let present = 0;
  for (let s = 0; s < errors.length; s++) {
    if (!counts(errors, s, base)) continue;
    num += errors[s] as number;
    den += base[s] as number;
    present++;
  }
  return present === 0 || !(den > 0) ? Number.NaN : num / den;
}

/** Σ_s (E_{s,c} - E_clean). */
export function relativeCorruptionError(errors: readonly number[], clean: number): number {
  let sum = 0;
  let present = 0;
  for (let s = 0; s < errors.length; s++) {
    if (!counts(errors, s)) continue;
    sum += (errors[s] as number) - clean;
    present++;
  }
  return present === 0 ? Number.NaN : sum;
}

/** Σ_s (E_{s,c} - E_clean) / Σ_s (E^base_{s,c} - E^base_clean). */
export function normalizedRelativeCorruptionError(
  errors: readonly number[],
  clean: number,
  base: readonly number[],
  baseClean: number,
): number {
  let num = 0;
  let den = 0;
  let present = 0;
  for (let s = 0; s < errors.length; s++) {
    if (!counts(errors, s, base)) continue;
    num += (errors[s] as number) - clean;
    den += (base[s] as number) - baseClean;
    present++;
  }
  return present === 0 || den === 0 ? Number.NaN : num / den;
}

/** The mean over corruptions of a per-corruption value; NaN if any is undefined. */
function meanOver(corruptions: readonly string[], value: (c: string) => number): number {
  if (corruptions.length === 0) return Number.NaN;
  let sum = 0;
  for (const c of corruptions) sum += value(c);
  return sum / corruptions.length;
}

/**
 * mCE over `corruptions`: the mean of CE_c, normalised by `base` when given.
 */
export function meanCorruptionError(
  model: CorruptionErrors,
  corruptions: readonly string[],
  base?: CorruptionErrors,
): number {
  return meanOver(corruptions, (c) => {
    const e = model.bySeverity.get(c);
    if (e === undefined) return Number.NaN;
    if (base === undefined) return corruptionError(e);
    const b = base.bySeverity.get(c);
    return b === undefined ? Number.NaN : normalizedCorruptionError(e, b);
  });
}

/** Relative mCE over `corruptions`, normalised by `base` when given. */
export function relativeMeanCorruptionError(
  model: CorruptionErrors,
  corruptions: readonly string[],
  base?: CorruptionErrors,
): number {
  return meanOver(corruptions, (c) => {
    const e = model.bySeverity.get(c);
    if (e === undefined) return Number.NaN;
    if (base === undefined) return relativeCorruptionError(e, model.clean);
    const b = base.bySeverity.get(c);
    return b === undefined ? Number.NaN : normalizedRelativeCorruptionError(e, model.clean, b, base.clean);
  });
}

/** ln(p / (1 - p)). */
export function logit(p: number): number {
  return Math.log(p / (1 - p));
}

/** 1 / (1 + e^-x). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** An accuracy clipped to [eps, 1 - eps] so that its logit is finite (eps = 0.5 / n: half an item). */
export function clipAccuracy(p: number, eps: number): number {
  return Math.min(1 - eps, Math.max(eps, p));
}

/** The line logit(shift) = slope · logit(id) + intercept. */
export interface LogitFit {
  slope: number;
  intercept: number;
}

/**
 * Least-squares line through (logit(id_i), logit(shift_i)). NaN slope and intercept when fewer than
 * two points or all in-distribution accuracies are equal.
 * @param idAccuracy (m) baseline models' in-distribution accuracies, in (0, 1)
 * @param shiftAccuracy (m) their accuracies on the shifted set, in (0, 1)
 */
export function fitLogitLine(idAccuracy: readonly number[], shiftAccuracy: readonly number[]): LogitFit {
  const m = idAccuracy.length;
  if (m !== shiftAccuracy.length)
    throw new RangeError(`fitLogitLine: ${m} in-distribution and ${shiftAccuracy.length} shift accuracies`);
  const nan = { slope: Number.NaN, intercept: Number.NaN };
  if (m < 2) return nan;
  const x = idAccuracy.map(logit);
  const y = shiftAccuracy.map(logit);
  if (x.some((v) => !Number.isFinite(v)) || y.some((v) => !Number.isFinite(v))) return nan;
  const mx = x.reduce((a, b) => a + b, 0) / m;
  const my = y.reduce((a, b) => a + b, 0) / m;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < m; i++) {
    sxx += ((x[i] as number) - mx) ** 2;
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
  }
  if (!(sxx > 0)) return nan;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Shift accuracy minus the fit's prediction from the in-distribution accuracy, on the accuracy scale. */
export function effectiveRobustness(fit: LogitFit, idAccuracy: number, shiftAccuracy: number): number {
  return shiftAccuracy - sigmoid(fit.slope * logit(idAccuracy) + fit.intercept);
}
