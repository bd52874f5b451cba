/**
 * Mini-batch SGD for a linear or BatchNorm+linear head on frozen features: momentum (PyTorch form
 * v ← μ·v + g, p ← p − lr·v), a cosine learning-rate schedule over all steps, L2 weight decay on W
 * only (vissl linear eval: no decay on BN or bias), and early stopping on a validation set's loss.
 *
 * BatchNorm (head 'bn-linear', vissl eval_mlp) normalises each batch with its own statistics and
 * keeps running statistics (momentum 0.1, unbiased variance, as torch.nn.BatchNorm1d). Because the
 * features are frozen, the batch statistics do not depend on any trained parameter, so the gradients
 * of γ and β are plain sums.
 */
import { Rng } from '../core/rng.js';
import { type ComputeBackend, createProducts } from './products.js';
import { crossEntropy } from './softmax-objective.js';
import { applyStandardizer } from './standardize.js';

export interface SgdConfig {
  head: 'linear' | 'bn-linear';
  epochs: number;
  learningRate: number;
  momentum: number;
  batchSize: number;
  /** Epochs without a better validation loss before stopping. */
  patience: number;
  l2: number;
  bnMomentum: number;
  bnEps: number;
  seed: number;
  backend: ComputeBackend;
  threads?: number;
}

export interface SgdData {
  /** (n, d) row-major: standardised for 'linear', raw for 'bn-linear'. */
  x: Float32Array;
  labels: Int32Array;
}

export interface SgdResult {
  /** (c, d) row-major */
  weights: Float64Array;
  bias: Float64Array;
  /** BatchNorm parameters and running statistics ('bn-linear' only). */
  bn?: { gamma: Float64Array; beta: Float64Array; runningMean: Float64Array; runningVar: Float64Array };
  epochs: number;
  bestEpoch: number;
  stop: 'early-stopping' | 'epochs';
  provider: string;
}

interface State {
  w: Float64Array;
  b: Float64Array;
  gamma: Float64Array;
  beta: Float64Array;
  runningMean: Float64Array;
  runningVar: Float64Array;
}

function cloneState(s: State): State {
  return {
    w: Float64Array.from(s.w),
    b: Float64Array.from(s.b),
    gamma: Float64Array.from(s.gamma),
    beta: Float64Array.from(s.beta),
    runningMean: Float64Array.from(s.runningMean),
    runningVar: Float64Array.from(s.runningVar),
  };
}

/**
 * Effective linear map on x̂: W' = W·diag(γ), b' = b + W·β (BatchNorm's affine folded into the
 * linear layer); the state's own W and b without BatchNorm. Writes into `into` when given.
 */
function effective(
  s: State,
  c: number,
  d: number,
  bn: boolean,
  into?: { w: Float64Array; b: Float64Array },
): { w: Float64Array; b: Float64Array } {
  if (!bn) return { w: s.w, b: s.b };
  const w = into?.w ?? new Float64Array(c * d);
  const b = into?.b ?? new Float64Array(c);
  for (let k = 0; k < c; k++) {
    let bias = s.b[k];
    for (let j = 0; j < d; j++) {
      w[k * d + j] = s.w[k * d + j] * s.gamma[j];
      bias += s.w[k * d + j] * s.beta[j];
    }
    b[k] = bias;
  }
  return { w, b };
}

/** Mean cross-entropy of a state on data, BatchNorm in eval mode (running statistics). */
async function evalLoss(
  s: State,
  data: SgdData,
  c: number,
  d: number,
  config: SgdConfig,
): Promise<{ loss: number; provider: string }> {
  const n = data.labels.length;
  const bn = config.head === 'bn-linear';
  const x = bn
    ? applyStandardizer(data.x, d, {
        mean: s.runningMean,
        std: s.runningVar.map((v) => Math.sqrt(v + config.bnEps)),
      })
    : data.x;
  const eff = effective(s, c, d, bn);
  const products = await createProducts(x, n, d, c, config.backend, config.threads);
  const z = new Float64Array(n * c);
  await products.scores(eff.w, c, z);
  for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) z[i * c + k] += eff.b[k];
  return { loss: crossEntropy(z, data.labels, c, null), provider: products.provider };
}

/**
 * Trains with mini-batch SGD. Deterministic for a seed: the batch order comes from Rng(seed).
 * @param numClasses c
 */
export async function trainSgd(
  train: SgdData,
  val: SgdData | null,
  d: number,
  numClasses: number,
  config: SgdConfig,
): Promise<SgdResult> {
  const c = numClasses;
  const n = train.labels.length;
  const bn = config.head === 'bn-linear';
  const rng = new Rng(config.seed);
  const state: State = {
    w: new Float64Array(c * d),
    b: new Float64Array(c),
    gamma: new Float64Array(d).fill(1),
    beta: new Float64Array(d),
    runningMean: new Float64Array(d),
    runningVar: new Float64Array(d).fill(1),
  };
  const velocity: State = {
    w: new Float64Array(c * d),
    b: new Float64Array(c),
    gamma: new Float64Array(d),
    beta: new Float64Array(d),
    runningMean: new Float64Array(0),
    runningVar: new Float64Array(0),
  };
  const batchSize = Math.min(config.batchSize, n);
  // BatchNorm cannot train on a batch of one row (zero variance): such a last batch is dropped.
  const lastBatch = n % batchSize;
  const stepsPerEpoch = Math.floor(n / batchSize) + (lastBatch > 0 && !(bn && lastBatch < 2) ? 1 : 0);
  const totalSteps = config.epochs * stepsPerEpoch;
  const order = Array.from({ length: n }, (_, i) => i);
  const xb = new Float32Array(batchSize * d);
  const yb = new Int32Array(batchSize);
  const z = new Float64Array(batchSize * c);
  const residual = new Float64Array(batchSize * c);
  const m = new Float64Array(c * d);
  const db = new Float64Array(c);
  const mean = new Float64Array(d);
  const variance = new Float64Array(d);
  const folded = { w: new Float64Array(c * d), b: new Float64Array(c) };
  let provider = 'js';

  let best: State | null = null;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let sinceBest = 0;
  let step = 0;
  let epoch = 0;
  let stop: SgdResult['stop'] = 'epochs';

  for (epoch = 1; epoch <= config.epochs; epoch++) {
    rng.shuffle(order);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      if (bn && size < 2) continue;
      for (let r = 0; r < size; r++) {
        const row = order[start + r];
        xb.set(train.x.subarray(row * d, (row + 1) * d), r * d);
        yb[r] = train.labels[row];
      }
      const x = xb.subarray(0, size * d);
      if (bn) standardizeBatch(x, size, d, config, state, mean, variance);
      const eff = effective(state, c, d, bn, folded);
      const products = await createProducts(x, size, d, c, config.backend, config.threads);
      provider = products.provider;
      const zs = z.subarray(0, size * c);
      const rs = residual.subarray(0, size * c);
      await products.scores(eff.w, c, zs);
      for (let i = 0; i < size; i++) for (let k = 0; k < c; k++) zs[i * c + k] += eff.b[k];
      crossEntropy(zs, yb.subarray(0, size), c, rs, 1 / size);
      await products.weightedSum(rs, c, m);
      db.fill(0);
      for (let i = 0; i < size; i++) for (let k = 0; k < c; k++) db[k] += rs[i * c + k];

      const lr = 0.5 * config.learningRate * (1 + Math.cos((Math.PI * step) / totalSteps));
      const mu = config.momentum;
      for (let k = 0; k < c; k++) {
        for (let j = 0; j < d; j++) {
          const idx = k * d + j;
          const g =
            (bn ? m[idx] * state.gamma[j] + db[k] * state.beta[j] : m[idx]) + config.l2 * state.w[idx];
          velocity.w[idx] = mu * velocity.w[idx] + g;
        }
        velocity.b[k] = mu * velocity.b[k] + db[k];
      }
      if (bn) {
        for (let j = 0; j < d; j++) {
          let gg = 0;
          let gb = 0;
          for (let k = 0; k < c; k++) {
            gg += state.w[k * d + j] * m[k * d + j];
            gb += state.w[k * d + j] * db[k];
          }
          velocity.gamma[j] = mu * velocity.gamma[j] + gg;
          velocity.beta[j] = mu * velocity.beta[j] + gb;
          state.gamma[j] -= lr * velocity.gamma[j];
          state.beta[j] -= lr * velocity.beta[j];
        }
      }
      for (let i = 0; i < c * d; i++) state.w[i] -= lr * velocity.w[i];
      for (let k = 0; k < c; k++) state.b[k] -= lr * velocity.b[k];
      step++;
    }
    if (val !== null && val.labels.length > 0) {
      const { loss } = await evalLoss(state, val, c, d, config);
      if (loss < bestLoss) {
        bestLoss = loss;
        best = cloneState(state);
        bestEpoch = epoch;
        sinceBest = 0;
      } else if (++sinceBest >= config.patience) {
        stop = 'early-stopping';
        break;
      }
    }
  }
  const epochs = Math.min(epoch, config.epochs);
  const final = best ?? state;
  return {
    weights: final.w,
    bias: final.b,
    bn: bn
      ? { gamma: final.gamma, beta: final.beta, runningMean: final.runningMean, runningVar: final.runningVar }
      : undefined,
    epochs,
    bestEpoch: best === null ? epochs : bestEpoch,
    stop,
    provider,
  };
}

/** Batch statistics, running-statistics update and in-place normalisation of one batch. */
function standardizeBatch(
  x: Float32Array,
  size: number,
  d: number,
  config: SgdConfig,
  state: State,
  mean: Float64Array,
  variance: Float64Array,
): void {
  mean.fill(0);
  variance.fill(0);
  for (let i = 0; i < size; i++) for (let j = 0; j < d; j++) mean[j] += x[i * d + j];
  for (let j = 0; j < d; j++) mean[j] /= size;
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < d; j++) {
      const t = x[i * d + j] - mean[j];
      variance[j] += t * t;
    }
  }
  const mom = config.bnMomentum;
  for (let j = 0; j < d; j++) {
    const biased = variance[j] / size;
    state.runningMean[j] = (1 - mom) * state.runningMean[j] + mom * mean[j];
    state.runningVar[j] = (1 - mom) * state.runningVar[j] + mom * (variance[j] / (size - 1));
    variance[j] = 1 / Math.sqrt(biased + config.bnEps);
  }
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = (x[i * d + j] - mean[j]) * variance[j];
  }
}
