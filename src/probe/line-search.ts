/**
 * Line search for the strong Wolfe conditions: Nocedal & Wright, "Numerical Optimization" (2nd ed.),
 * Algorithm 3.5 (bracketing) and 3.6 (zoom) with safeguarded cubic interpolation (eq. 3.59).
 */

/** φ(α) = f(x + α·p) and φ'(α) = ∇f(x + α·p)·p. */
export type LineFunction = (alpha: number) => Promise<{ value: number; slope: number }>;

export interface LineSearchOptions {
  /** Sufficient-decrease constant c1 (Armijo). */
  c1?: number;
  /** Curvature constant c2 (0.9 suits quasi-Newton directions). */
  c2?: number;
  /** Most evaluations of φ. */
  maxEvaluations?: number;
}

export interface LineSearchResult {
  alpha: number;
  value: number;
  slope: number;
  evaluations: number;
  /** True when both strong Wolfe conditions hold; false when only sufficient decrease does. */
  wolfe: boolean;
}

interface Point {
  alpha: number;
  value: number;
  slope: number;
}

/** Minimiser of the cubic through two points with slopes, or NaN when it is not defined. */
export function cubicMinimizer(a: Point, b: Point): number {
  const d1 = a.slope + b.slope - (3 * (a.value - b.value)) / (a.alpha - b.alpha);
  const disc = d1 * d1 - a.slope * b.slope;
  if (!(disc >= 0) || !Number.isFinite(disc)) return Number.NaN;
  const d2 = Math.sign(b.alpha - a.alpha) * Math.sqrt(disc);
  const t = (b.slope + d2 - d1) / (b.slope - a.slope + 2 * d2);
  return b.alpha - (b.alpha - a.alpha) * t;
}

/**
 * Finds α > 0 with φ(α) ≤ φ(0) + c1·α·φ'(0) and |φ'(α)| ≤ c2·|φ'(0)|.
 * @param phi0 φ(0)
 * @param slope0 φ'(0), must be negative (a descent direction)
 * @param alpha1 first trial step (1 for quasi-Newton directions)
 * @returns the step, or null when no step with sufficient decrease was found
 */
export async function strongWolfeSearch(
  phi: LineFunction,
  phi0: number,
  slope0: number,
  alpha1: number,
  options: LineSearchOptions = {},
): Promise<LineSearchResult | null> {
  const c1 = options.c1 ?? 1e-4;
  const c2 = options.c2 ?? 0.9;
  const maxEvaluations = options.maxEvaluations ?? 25;
  if (!(slope0 < 0)) return null;
  let evaluations = 0;
  const evaluate = async (alpha: number): Promise<Point> => {
    evaluations++;
    const r = await phi(alpha);
    // A non-finite value (overflow) counts as "too far": the bracket shrinks towards 0.
    const value = Number.isFinite(r.value) ? r.value : Number.POSITIVE_INFINITY;
    return { alpha, value, slope: Number.isFinite(r.slope) ? r.slope : Number.NaN };
  };
  const armijo = (p: Point) => p.value <= phi0 + c1 * p.alpha * slope0;
  const curvature = (p: Point) => Math.abs(p.slope) <= -c2 * slope0;
  const done = (p: Point, wolfe: boolean): LineSearchResult => ({ ...p, evaluations, wolfe });

  const zoom = async (lo: Point, hi: Point): Promise<LineSearchResult | null> => {
    while (evaluations < maxEvaluations) {
      const width = Math.abs(hi.alpha - lo.alpha);
      if (width <= 1e-16 * Math.max(1, lo.alpha)) break;
      const left = Math.min(lo.alpha, hi.alpha) + 0.1 * width;
      const right = Math.max(lo.alpha, hi.alpha) - 0.1 * width;
      let alpha = Number.isFinite(hi.value) ? cubicMinimizer(lo, hi) : Number.NaN;
      if (!(alpha >= left && alpha <= right)) alpha = (lo.alpha + hi.alpha) / 2;
      const p = await evaluate(alpha);
      if (!armijo(p) || p.value >= lo.value) {
        hi = p;
      } else {
        if (curvature(p)) return done(p, true);
        if (p.slope * (hi.alpha - lo.alpha) >= 0) hi = lo;
        lo = p;
      }
    }
    // Out of evaluations: accept the best point with sufficient decrease, if any.
    return lo.alpha > 0 ? done(lo, false) : null;
  };

  let prev: Point = { alpha: 0, value: phi0, slope: slope0 };
  let alpha = alpha1;
  while (evaluations < maxEvaluations) {
    const p = await evaluate(alpha);
    if (!armijo(p) || (prev.alpha > 0 && p.value >= prev.value)) return zoom(prev, p);
    if (curvature(p)) return done(p, true);
    if (p.slope >= 0) return zoom(p, prev);
    prev = p;
    alpha *= 2;
  }
  return prev.alpha > 0 ? done(prev, false) : null;
}
