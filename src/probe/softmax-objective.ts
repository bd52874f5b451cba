/**
 * The multinomial logistic regression objective on fixed features:
 *
 *   f(W, b) = (1/n) Σᵢ [ log Σ_c exp(zᵢc) − zᵢ,yᵢ ] + (λ/2)·‖W‖²,   zᵢ = W·xᵢ + b,
 *
 * the bias unpenalised. sklearn 1.2's LogisticRegression(multi_class='multinomial', solver='lbfgs')
 * minimises Σᵢ CEᵢ + ‖W‖²/(2C), i.e. n·f when C = 1/(n·λ): the same minimiser.
 *
 * Parameters are one Float64Array: W (c, d) row-major, then b (c).
 */
import type { LineRestriction, SmoothObjective } from './lbfgs.js';
import type { FeatureProducts } from './products.js';

export interface SoftmaxProblem {
  /** Products with the (standardised) training features. */
  products: FeatureProducts;
  /** Class index of each row, in [0, numClasses). */
  labels: Int32Array;
  numClasses: number;
  /** λ of the L2 penalty on W. */
  l2: number;
}

/**
 * Mean cross-entropy of scores against labels; writes the residuals (softmax − onehot)·scale into
 * `residual` when given.
 * @param scores (n, c) row-major
 * @param residual (n, c) row-major output, or null
 */
export function crossEntropy(
  scores: Float64Array,
  labels: Int32Array,
  c: number,
  residual: Float64Array | null,
  scale = 1,
): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < c; k++) if (scores[o + k] > max) max = scores[o + k];
    let sum = 0;
    if (residual === null) {
      for (let k = 0; k < c; k++) sum += Math.exp(scores[o + k] - max);
    } else {
      for (let k = 0; k < c; k++) {
        const e = Math.exp(scores[o + k] - max);
        residual[o + k] = e;
        sum += e;
      }
      const inv = scale / sum;
      for (let k = 0; k < c; k++) residual[o + k] *= inv;
      residual[o + labels[i]] -= scale;
    }
    total += max + Math.log(sum) - scores[o + labels[i]];
  }
  return total / n;
}

/**
 * Mean cross-entropy of the scores base + α·line, and its derivative in α, without storing them.
 * @param base (n, c) row-major
 * @param line (n, c) row-major
 * @param scratch (c) work space
 */
export function crossEntropyAlong(
  base: Float64Array,
  line: Float64Array,
  alpha: number,
  labels: Int32Array,
  c: number,
  scratch: Float64Array,
): { value: number; slope: number } {
  const n = labels.length;
  let total = 0;
  let slope = 0;
  for (let i = 0; i < n; i++) {
    const o = i * c;
    let max = Number.NEGATIVE_INFINITY;
    for (let k = 0; k < c; k++) {
      const z = base[o + k] + alpha * line[o + k];
      scratch[k] = z;
      if (z > max) max = z;
    }
    let sum = 0;
    let weighted = 0;
    for (let k = 0; k < c; k++) {
      const e = Math.exp(scratch[k] - max);
      sum += e;
      weighted += e * line[o + k];
    }
    const y = labels[i];
    total += max + Math.log(sum) - scratch[y];
    slope += weighted / sum - line[o + y];
  }
  return { value: total / n, slope: slope / n };
}

/** The objective, with line restrictions that reuse the scores (one product per trial-free line). */
export function softmaxObjective(problem: SoftmaxProblem): SmoothObjective {
  const { products, labels, numClasses: c, l2 } = problem;
  const { n, d } = products;
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} rows, features ${n}`);
  const nw = c * d;
  const size = nw + c;
  const scores = new Float64Array(n * c);
  const lineScores = new Float64Array(n * c);
  const baseScores = new Float64Array(n * c);
  const scratch = new Float64Array(c);
  const residual = new Float64Array(n * c);
  const gradW = new Float64Array(nw);
  /** The parameters `scores` belong to (NaN-filled until the first evaluation). */
  const current = new Float64Array(size).fill(Number.NaN);

  const computeScores = async (x: Float64Array, out: Float64Array) => {
    await products.scores(x, c, out);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) out[i * c + k] += x[nw + k];
  };

  /** Loss and gradient from `scores` (which must belong to x). */
  const lossAndGradient = async (x: Float64Array, grad: Float64Array) => {
    const ce = crossEntropy(scores, labels, c, residual, 1 / n);
    await products.weightedSum(residual, c, gradW);
    let reg = 0;
    for (let i = 0; i < nw; i++) {
      reg += x[i] * x[i];
      grad[i] = gradW[i] + l2 * x[i];
    }
    grad.fill(0, nw, nw + c);
    for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) grad[nw + k] += residual[i * c + k];
    return ce + 0.5 * l2 * reg;
  };

  const sameAsCurrent = (x: Float64Array) => {
    for (let i = 0; i < size; i++) if (x[i] !== current[i]) return false;
    return true;
  };

  return {
    size,
    async evaluate(x, grad) {
      await computeScores(x, scores);
      current.set(x);
      return lossAndGradient(x, grad);
    },
    async restrict(x, p): Promise<LineRestriction> {
      if (!sameAsCurrent(x)) {
        await computeScores(x, scores);
        current.set(x);
      }
      // Own copies of the base scores and p: the restriction stays valid if evaluate runs meanwhile.
      baseScores.set(scores);
      const direction = Float64Array.from(p);
      await computeScores(direction, lineScores);
      let wp = 0;
      let pp = 0;
      let ww = 0;
      for (let i = 0; i < nw; i++) {
        wp += x[i] * p[i];
        pp += p[i] * p[i];
        ww += x[i] * x[i];
      }
      const base = Float64Array.from(x);
      return {
        async at(alpha) {
          const ce = crossEntropyAlong(baseScores, lineScores, alpha, labels, c, scratch);
          return {
            value: ce.value + 0.5 * l2 * (ww + 2 * alpha * wp + alpha * alpha * pp),
            slope: ce.slope + l2 * (wp + alpha * pp),
          };
        },
        async gradientAt(alpha, grad) {
          // Move to x + α·p: the same arithmetic as the optimiser's, so `current` matches its x.
          for (let i = 0; i < size; i++) current[i] = base[i] + alpha * direction[i];
          for (let i = 0; i < n * c; i++) scores[i] = baseScores[i] + alpha * lineScores[i];
          await lossAndGradient(current, grad);
        },
      };
    },
  };
}
