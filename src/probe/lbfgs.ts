/**
 * Limited-memory BFGS (Nocedal & Wright, "Numerical Optimization", Algorithm 7.4 and 7.5) with a
 * strong Wolfe line search, full batch. Stopping follows scipy's L-BFGS-B, which sklearn's 'lbfgs'
 * solver calls: max |gradient| ≤ gradientTolerance, or a relative decrease of f below
 * relativeTolerance (scipy's factr·eps = 1e7 · 2.2e-16), or maxIterations.
 */
import { type LineSearchOptions, strongWolfeSearch } from './line-search.js';

/** f restricted to the line x + α·p; `gradientAt` is called once, for the accepted step. */
export interface LineRestriction {
  at(alpha: number): Promise<{ value: number; slope: number }>;
  /** Writes ∇f(x + α·p) into `grad`. */
  gradientAt(alpha: number, grad: Float64Array): Promise<void>;
}

/**
 * A smooth function to minimise. `restrict` lets a model evaluate trial steps cheaply: for a linear
 * model the scores along a line are Z + α·Zp, so a trial costs O(n·c) instead of a matrix product.
 */
export interface SmoothObjective {
  readonly size: number;
  /** f(x); writes ∇f(x) into `grad`. */
  evaluate(x: Float64Array, grad: Float64Array): Promise<number>;
  restrict(x: Float64Array, direction: Float64Array): Promise<LineRestriction>;
}

/** A `restrict` for objectives with no structure to exploit: each trial is a full evaluation. */
export function restrictByEvaluation(
  evaluate: (x: Float64Array, grad: Float64Array) => Promise<number>,
): SmoothObjective['restrict'] {
  return async (x, direction) => {
    const size = x.length;
    const point = new Float64Array(size);
    const grad = new Float64Array(size);
    let cachedAlpha = Number.NaN;
    const at = async (alpha: number) => {
      for (let i = 0; i < size; i++) point[i] = x[i] + alpha * direction[i];
      const value = await evaluate(point, grad);
      cachedAlpha = alpha;
      return { value, slope: dot(grad, direction) };
    };
    return {
      at,
      async gradientAt(alpha, out) {
        if (alpha !== cachedAlpha) await at(alpha);
        out.set(grad);
      },
    };
  };
}

export interface LbfgsOptions {
  /** Number of stored correction pairs (scipy's maxcor). */
  memory?: number;
  maxIterations?: number;
  /** Stop when max_i |∂f/∂x_i| ≤ this (scipy's gtol). */
  gradientTolerance?: number;
  /** Stop when (f_k − f_{k+1}) / max(|f_k|, |f_{k+1}|, 1) ≤ this (scipy's ftol). */
  relativeTolerance?: number;
  lineSearch?: LineSearchOptions;
  /** Called after each iteration with the iteration number and f. */
  onIteration?: (iteration: number, value: number) => void;
}

export type LbfgsStop = 'gradient' | 'relative-decrease' | 'max-iterations' | 'line-search';

export interface LbfgsResult {
  x: Float64Array;
  value: number;
  gradient: Float64Array;
  iterations: number;
  /** Evaluations of f along lines, plus full evaluations. */
  evaluations: number;
  /** False only when stopped by maxIterations or a failed line search. */
  converged: boolean;
  stop: LbfgsStop;
  /** max |gradient| at the end. */
  gradientNorm: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const v = Math.abs(a[i]);
    if (v > m || Number.isNaN(v)) m = v;
  }
  return m;
}

/**
 * Minimises `objective` from `x0` (not modified).
 */
export async function minimizeLbfgs(
  objective: SmoothObjective,
  x0: Float64Array,
  options: LbfgsOptions = {},
): Promise<LbfgsResult> {
  const memory = options.memory ?? 10;
  const maxIterations = options.maxIterations ?? 500;
  const gtol = options.gradientTolerance ?? 1e-5;
  const ftol = options.relativeTolerance ?? 2.220446049250313e-9;
  const size = objective.size;
  if (x0.length !== size) throw new RangeError(`x0 has ${x0.length} values, the objective ${size}`);

  let x = Float64Array.from(x0);
  let g = new Float64Array(size);
  let f = await objective.evaluate(x, g);
  let evaluations = 1;
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  const rho: number[] = [];
  const alphas = new Float64Array(memory);
  const direction = new Float64Array(size);
  const result = (iterations: number, stop: LbfgsStop): LbfgsResult => ({
    x,
    value: f,
    gradient: g,
    iterations,
    evaluations,
    converged: stop === 'gradient' || stop === 'relative-decrease',
    stop,
    gradientNorm: maxAbs(g),
  });
  if (!Number.isFinite(f)) throw new RangeError(`objective is not finite at x0: ${f}`);
  if (maxAbs(g) <= gtol) return result(0, 'gradient');

  for (let iteration = 1; iteration <= maxIterations; iteration++) {
    let search = null;
    let restriction: LineRestriction | null = null;
    // Try the quasi-Newton direction; if its line search fails, drop the memory and try -g once.
    for (let attempt = 0; attempt < 2 && search === null; attempt++) {
      if (attempt === 1) {
        if (s.length === 0) break;
        s.length = 0;
        y.length = 0;
        rho.length = 0;
      }
      twoLoopDirection(g, s, y, rho, alphas, direction);
      let slope0 = dot(g, direction);
      if (!(slope0 < 0)) {
        s.length = 0;
        y.length = 0;
        rho.length = 0;
        for (let i = 0; i < size; i++) direction[i] = -g[i];
        slope0 = dot(g, direction);
      }
      // First step without curvature information: unit length, as L-BFGS-B does.
      const alpha1 = s.length === 0 ? 1 / Math.sqrt(dot(direction, direction)) : 1;
      restriction = await objective.restrict(x, direction);
      search = await strongWolfeSearch(restriction.at, f, slope0, alpha1, options.lineSearch);
      evaluations += search?.evaluations ?? options.lineSearch?.maxEvaluations ?? 25;
    }
    if (search === null || restriction === null) return result(iteration - 1, 'line-search');

    const xNew = new Float64Array(size);
    for (let i = 0; i < size; i++) xNew[i] = x[i] + search.alpha * direction[i];
    const gNew = new Float64Array(size);
    await restriction.gradientAt(search.alpha, gNew);
    const fNew = search.value;

    const sk = new Float64Array(size);
    const yk = new Float64Array(size);
    for (let i = 0; i < size; i++) {
      sk[i] = xNew[i] - x[i];
      yk[i] = gNew[i] - g[i];
    }
    const sy = dot(sk, yk);
    // Keep the pair only if it preserves positive definiteness (skip otherwise, as L-BFGS-B does).
    if (sy > 2.220446049250313e-16 * dot(yk, yk)) {
      if (s.length === memory) {
        s.shift();
        y.shift();
        rho.shift();
      }
      s.push(sk);
      y.push(yk);
      rho.push(1 / sy);
    }
    const decrease = (f - fNew) / Math.max(Math.abs(f), Math.abs(fNew), 1);
    x = xNew;
    g = gNew;
    f = fNew;
    options.onIteration?.(iteration, f);
    if (maxAbs(g) <= gtol) return result(iteration, 'gradient');
    if (decrease <= ftol) return result(iteration, 'relative-decrease');
  }
  return result(maxIterations, 'max-iterations');
}

/** direction = −H·g by the two-loop recursion, with H₀ = (sᵀy / yᵀy)·I (N&W eq. 7.20). */
function twoLoopDirection(
  g: Float64Array,
  s: Float64Array[],
  y: Float64Array[],
  rho: number[],
  alphas: Float64Array,
  out: Float64Array,
): void {
  const size = g.length;
  for (let i = 0; i < size; i++) out[i] = -g[i];
  const m = s.length;
  if (m === 0) return;
  for (let k = m - 1; k >= 0; k--) {
    const a = rho[k] * dot(s[k], out);
    alphas[k] = a;
    const yk = y[k];
    for (let i = 0; i < size; i++) out[i] -= a * yk[i];
  }
  const last = m - 1;
  const gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
  for (let i = 0; i < size; i++) out[i] *= gamma;
  for (let k = 0; k < m; k++) {
    const b = rho[k] * dot(y[k], out);
    const sk = s[k];
    const coef = alphas[k] - b;
    for (let i = 0; i < size; i++) out[i] += coef * sk[i];
  }
}
