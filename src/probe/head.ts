/**
 * Trained heads on frozen features and how they score new rows. A linear head computes
 *
 *   z = W·(γ ⊙ (x − μ)/σ + β) + b
 *
 * where (μ, σ) is the training standardisation (head 'linear', γ = 1, β = 0) or BatchNorm's running
 * statistics with its learned affine (head 'bn-linear', vissl's eval_mlp in eval mode).
 */

import { type ComputeBackend, createProducts, scoresJs } from './products.js';
import { applyStandardizer } from './standardize.js';

/** How a frozen backbone was adapted to predict labels (protocols.md 2.1, pitfall 15). */
export type Adaptation = 'linear-probe' | 'knn';
export type HeadKind = 'linear' | 'bn-linear' | 'knn';
export type Optimizer = 'lbfgs' | 'sgd';

/** What training measured; accuracies are fractions in [0, 1]. */
export interface ProbeMetrics {
  trainCount: number;
  valCount: number;
  /** Objective value (mean cross-entropy + penalty) on the training rows. */
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** L-BFGS iterations or SGD epochs run. */
  iterations: number;
  converged: boolean;
  /** Why training stopped: an L-BFGS stop reason, 'early-stopping' or 'epochs'. */
  stop: string;
  /** SGD: the epoch whose weights were kept (best validation loss). */
  bestEpoch?: number;
  seconds: number;
  /** The engine of the matrix products, e.g. 'js' or 'onnxruntime/cpu x2'. */
  provider: string;
}

/** Training options after defaults, stored with the head. */
export interface ResolvedProbeOptions {
  head: 'linear' | 'bn-linear';
  optimizer: Optimizer;
  l2: number;
  maxIter: number;
  tolerance: number;
  valFraction: number;
  seed: number;
  learningRate: number;
  momentum: number;
  batchSize: number;
  patience: number;
  bnMomentum: number;
  bnEps: number;
  memory: number;
}

/** Where a head's training data came from (checked when the head is applied). */
export interface HeadSource {
  /** modelId of the embedding store the head was trained on. */
  modelId?: string;
  preprocessHash?: string;
  /** How item classes were read from the manifest: 'labels' or 'attr:NAME'. */
  labelFrom?: string;
}

export interface LinearHead {
  adaptation: 'linear-probe';
  head: 'linear' | 'bn-linear';
  classes: string[];
  dim: number;
  /** μ: training mean, or BatchNorm running mean. (d) */
  mean: Float32Array;
  /** σ: training std, or sqrt(running var + eps). (d) */
  std: Float32Array;
  /** BatchNorm affine (head 'bn-linear'); absent for 'linear'. (d) each */
  gamma?: Float32Array;
  beta?: Float32Array;
  /** (classes.length, d) row-major */
  weights: Float32Array;
  /** (classes.length) */
  bias: Float32Array;
  options: ResolvedProbeOptions;
  metrics: ProbeMetrics;
  source?: HeadSource;
}

export interface KnnHead {
  adaptation: 'knn';
  head: 'knn';
  classes: string[];
  dim: number;
  k: number;
  temperature: number;
  /** (bankIds.length, d) row-major, rows L2-normalised. */
  bank: Float32Array;
  bankIds: string[];
  /** Class index of each bank row. */
  bankLabels: Int32Array;
  metrics: { bankCount: number; seconds: number };
  source?: HeadSource;
}

export type Head = LinearHead | KnnHead;

function affineOf(head: LinearHead): { gamma: Float32Array; beta: Float32Array } | undefined {
  return head.gamma !== undefined && head.beta !== undefined
    ? { gamma: head.gamma, beta: head.beta }
    : undefined;
}

function checkRows(x: Float32Array, n: number, d: number): void {
  if (x.length !== n * d) throw new RangeError(`features have ${x.length} values, expected n·d = ${n}·${d}`);
}

/**
 * Raw linear scores (not log-probabilities) with float64 accumulation.
 * @param x (n, head.dim) row-major, raw features (the head standardises)
 * @returns (n, head.classes.length) row-major
 */
export function predictLogits(head: LinearHead, x: Float32Array, n: number): Float32Array {
  const d = head.dim;
  const c = head.classes.length;
  checkRows(x, n, d);
  const h = applyStandardizer(x, d, head, undefined, affineOf(head));
  const w = Float64Array.from(head.weights);
  const z = new Float64Array(n * c);
  scoresJs(h, n, d, w, c, z);
  const out = new Float32Array(n * c);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) out[i * c + k] = z[i * c + k] + head.bias[k];
  return out;
}

/**
 * predictLogits with a choice of engine: onnxruntime (float32 GEMM) for large inputs under 'auto'.
 * Rows are processed in chunks to bound memory.
 */
export async function predictLogitsWith(
  head: LinearHead,
  x: Float32Array,
  n: number,
  backend: ComputeBackend = 'auto',
  threads?: number,
): Promise<Float32Array> {
  const d = head.dim;
  const c = head.classes.length;
  checkRows(x, n, d);
  const out = new Float32Array(n * c);
  const w = Float64Array.from(head.weights);
  const chunk = Math.max(1, Math.floor((1 << 24) / Math.max(d, c)));
  const affine = affineOf(head);
  for (let start = 0; start < n; start += chunk) {
    const m = Math.min(chunk, n - start);
    const h = applyStandardizer(x.subarray(start * d, (start + m) * d), d, head, undefined, affine);
    const products = await createProducts(h, m, d, c, backend, threads);
    const z = new Float64Array(m * c);
    await products.scores(w, c, z);
    for (let i = 0; i < m; i++) {
      for (let k = 0; k < c; k++) out[(start + i) * c + k] = z[i * c + k] + head.bias[k];
    }
  }
  return out;
}
