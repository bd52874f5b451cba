/**
 * Training a linear probe (softmax regression) on frozen embeddings: the adaptation protocol where
 * the backbone stays fixed and only a linear classifier is learned (protocols.md 2.1, DINOv2 variant;
 * 7.3 for vissl's BatchNorm+linear eval_mlp head).
 */
import { Rng } from '../core/rng.js';
import { type LinearHead, type ProbeMetrics, predictLogitsWith, type ResolvedProbeOptions } from './head.js';
import { minimizeLbfgs } from './lbfgs.js';
import { type ComputeBackend, createProducts } from './products.js';
import { trainSgd } from './sgd.js';
import { crossEntropy, softmaxObjective } from './softmax-objective.js';
import { applyStandardizer, fitStandardizer } from './standardize.js';

export interface ProbeOptions {
  /** 'linear' (default) or vissl's 'bn-linear' (trained with SGD). */
  head?: 'linear' | 'bn-linear';
  /** 'lbfgs' (default for 'linear') or 'sgd' (the only choice for 'bn-linear'). */
  optimizer?: 'lbfgs' | 'sgd';
  /** λ in f = mean CE + (λ/2)‖W‖²; sklearn's C = 1/(n·λ). Default 1e-4. */
  l2?: number;
  /** L-BFGS iterations (default 1000) or SGD epochs (default 100). */
  maxIter?: number;
  /** L-BFGS: stop when max |∂f/∂θ| ≤ tolerance (default 1e-6, on the mean-loss scale). */
  tolerance?: number;
  /** Held-out fraction, stratified by class; default 0.1 for SGD (early stopping), 0 for L-BFGS. */
  valFraction?: number;
  seed?: number;
  /** SGD: base learning rate (default 0.1), cosine-annealed to 0. */
  learningRate?: number;
  momentum?: number;
  batchSize?: number;
  patience?: number;
  /** L-BFGS correction pairs (default 10). */
  memory?: number;
  /** Engine of the matrix products (default 'auto'). */
  backend?: ComputeBackend;
  threads?: number;
  /** Class names; default '0'..'c-1'. */
  classes?: string[];
}

/** Defaults of the options (bn-linear batch statistics follow torch.nn.BatchNorm1d). */
export function resolveProbeOptions(opts: ProbeOptions): ResolvedProbeOptions {
  const head = opts.head ?? 'linear';
  const optimizer = opts.optimizer ?? (head === 'bn-linear' ? 'sgd' : 'lbfgs');
  if (head === 'bn-linear' && optimizer !== 'sgd') {
    throw new RangeError(
      'head "bn-linear" trains with optimizer "sgd" (BatchNorm uses mini-batch statistics, as vissl eval_mlp)',
    );
  }
  const resolved: ResolvedProbeOptions = {
    head,
    optimizer,
    l2: opts.l2 ?? 1e-4,
    maxIter: opts.maxIter ?? (optimizer === 'lbfgs' ? 1000 : 100),
    tolerance: opts.tolerance ?? 1e-6,
    valFraction: opts.valFraction ?? (optimizer === 'sgd' ? 0.1 : 0),
    seed: opts.seed ?? 0,
    learningRate: opts.learningRate ?? 0.1,
    momentum: opts.momentum ?? 0.9,
    batchSize: opts.batchSize ?? 256,
    patience: opts.patience ?? 10,
    bnMomentum: 0.1,
    bnEps: 1e-5,
    memory: opts.memory ?? 10,
  };
  const check = (ok: boolean, what: string) => {
    if (!ok) throw new RangeError(`probe option ${what}`);
  };
  check(resolved.l2 >= 0 && Number.isFinite(resolved.l2), `l2 must be ≥ 0, got ${resolved.l2}`);
  check(Number.isInteger(resolved.maxIter) && resolved.maxIter > 0, `maxIter must be a positive integer`);
  check(resolved.tolerance > 0, `tolerance must be > 0, got ${resolved.tolerance}`);
  check(
    resolved.valFraction >= 0 && resolved.valFraction < 1,
    `valFraction must be in [0, 1), got ${resolved.valFraction}`,
  );
  check(resolved.learningRate > 0, `learningRate must be > 0, got ${resolved.learningRate}`);
  check(resolved.momentum >= 0 && resolved.momentum < 1, `momentum must be in [0, 1)`);
  check(
    Number.isInteger(resolved.batchSize) && resolved.batchSize > 0,
    `batchSize must be a positive integer`,
  );
  check(Number.isInteger(resolved.patience) && resolved.patience > 0, `patience must be a positive integer`);
  check(Number.isInteger(resolved.memory) && resolved.memory > 0, `memory must be a positive integer`);
  return resolved;
}

/**
 * A seeded split stratified by class: each class's rows are shuffled and round(fraction·count) of
 * them go to validation. Both index lists are sorted.
 */
export function stratifiedSplit(
  labels: Int32Array,
  numClasses: number,
  fraction: number,
  seed: number,
): { train: Int32Array; val: Int32Array } {
  if (fraction <= 0) return { train: Int32Array.from(labels.keys()), val: new Int32Array(0) };
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, i) => {
    byClass[y].push(i);
  });
  const rng = new Rng(seed);
  const val: number[] = [];
  for (const rows of byClass) {
    rng.shuffle(rows);
    val.push(...rows.slice(0, Math.round(fraction * rows.length)));
  }
  const isVal = new Uint8Array(labels.length);
  for (const i of val) isVal[i] = 1;
  const train: number[] = [];
  for (let i = 0; i < labels.length; i++) if (!isVal[i]) train.push(i);
  return { train: Int32Array.from(train), val: Int32Array.from(val).sort() };
}

function gatherLabels(labels: Int32Array, rows: Int32Array): Int32Array {
  return rows.map((r) => labels[r]);
}

function toFloat32(a: ArrayLike<number>): Float32Array {
  return Float32Array.from(a);
}

/**
 * Trains a multinomial linear classifier on frozen features.
 * @param x (n, d) row-major raw features (the head stores the standardisation it applies)
 * @param labels (n) class index of each row, in [0, numClasses)
 * @returns the head with options and training metrics
 */
export async function trainLinearProbe(
  x: Float32Array,
  n: number,
  d: number,
  labels: Int32Array,
  numClasses: number,
  opts: ProbeOptions = {},
): Promise<LinearHead> {
  const started = performance.now();
  const options = resolveProbeOptions(opts);
  const backend = opts.backend ?? 'auto';
  if (x.length !== n * d) throw new RangeError(`features have ${x.length} values, expected n·d = ${n}·${d}`);
  if (labels.length !== n) throw new RangeError(`labels has ${labels.length} entries, features ${n} rows`);
  if (!(numClasses >= 1)) throw new RangeError(`numClasses must be ≥ 1, got ${numClasses}`);
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (!(y >= 0 && y < numClasses))
      throw new RangeError(`labels[${i}] = ${y} is outside [0, ${numClasses})`);
  }
  const classes = opts.classes ?? Array.from({ length: numClasses }, (_, i) => String(i));
  if (classes.length !== numClasses) {
    throw new RangeError(`classes has ${classes.length} names, numClasses is ${numClasses}`);
  }
  const c = numClasses;
  const split = stratifiedSplit(labels, c, options.valFraction, options.seed);
  if (split.train.length === 0) throw new RangeError('no training rows left after the validation split');
  const trainLabels = gatherLabels(labels, split.train);
  const valLabels = gatherLabels(labels, split.val);

  let head: LinearHead;
  let iterations: number;
  let converged: boolean;
  let stop: string;
  let bestEpoch: number | undefined;
  let provider: string;
  /** Scores of the training rows from features already in memory (L-BFGS); else recomputed. */
  let trainScores: ((h: LinearHead) => Promise<Float64Array>) | null = null;
  const base = { adaptation: 'linear-probe' as const, classes, dim: d, options };

  if (options.optimizer === 'lbfgs') {
    const standardizer = fitStandardizer(x, n, d, split.train);
    const xt = applyStandardizer(x, d, standardizer, split.train);
    const products = await createProducts(xt, split.train.length, d, c, backend, opts.threads);
    provider = products.provider;
    const objective = softmaxObjective({ products, labels: trainLabels, numClasses: c, l2: options.l2 });
    const result = await minimizeLbfgs(objective, new Float64Array(objective.size), {
      memory: options.memory,
      maxIterations: options.maxIter,
      gradientTolerance: options.tolerance,
    });
    iterations = result.iterations;
    converged = result.converged;
    stop = result.stop;
    head = {
      ...base,
      head: 'linear',
      mean: toFloat32(standardizer.mean),
      std: toFloat32(standardizer.std),
      weights: toFloat32(result.x.subarray(0, c * d)),
      bias: toFloat32(result.x.subarray(c * d)),
      metrics: emptyMetrics(),
    };
    trainScores = async (h) => {
      const z = new Float64Array(split.train.length * c);
      await products.scores(Float64Array.from(h.weights), c, z);
      for (let i = 0; i < split.train.length; i++) for (let k = 0; k < c; k++) z[i * c + k] += h.bias[k];
      return z;
    };
  } else {
    const bn = options.head === 'bn-linear';
    const standardizer = bn ? null : fitStandardizer(x, n, d, split.train);
    const prepare = (rows: Int32Array) =>
      standardizer === null
        ? applyStandardizer(x, d, { mean: new Float64Array(d), std: new Float64Array(d).fill(1) }, rows)
        : applyStandardizer(x, d, standardizer, rows);
    const result = await trainSgd(
      { x: prepare(split.train), labels: trainLabels },
      split.val.length > 0 ? { x: prepare(split.val), labels: valLabels } : null,
      d,
      c,
      {
        head: options.head,
        epochs: options.maxIter,
        learningRate: options.learningRate,
        momentum: options.momentum,
        batchSize: options.batchSize,
        patience: options.patience,
        l2: options.l2,
        bnMomentum: options.bnMomentum,
        bnEps: options.bnEps,
        seed: options.seed,
        backend,
        threads: opts.threads,
      },
    );
    iterations = result.epochs;
    converged = true;
    stop = result.stop;
    bestEpoch = result.bestEpoch;
    provider = result.provider;
    const bnParams = result.bn;
    head = {
      ...base,
      head: options.head,
      mean: toFloat32(bnParams ? bnParams.runningMean : (standardizer?.mean ?? new Float64Array(d))),
      std: toFloat32(
        bnParams
          ? bnParams.runningVar.map((v) => Math.sqrt(v + options.bnEps))
          : (standardizer?.std ?? new Float64Array(d).fill(1)),
      ),
      ...(bnParams ? { gamma: toFloat32(bnParams.gamma), beta: toFloat32(bnParams.beta) } : {}),
      weights: toFloat32(result.weights),
      bias: toFloat32(result.bias),
      metrics: emptyMetrics(),
    };
  }

  // Metrics of the stored (float32) weights, so they describe what is saved.
  const train = scoreMetrics(
    trainScores === null
      ? await headScores(head, x, d, split.train, backend, opts.threads)
      : await trainScores(head),
    trainLabels,
    c,
  );
  const val =
    split.val.length > 0
      ? scoreMetrics(await headScores(head, x, d, split.val, backend, opts.threads), valLabels, c)
      : null;
  let penalty = 0;
  for (const w of head.weights) penalty += w * w;
  head.metrics = {
    trainCount: split.train.length,
    valCount: split.val.length,
    trainLoss: train.loss + 0.5 * options.l2 * penalty,
    trainAccuracy: train.accuracy,
    valLoss: val?.loss ?? null,
    valAccuracy: val?.accuracy ?? null,
    iterations,
    converged,
    stop,
    ...(bestEpoch === undefined ? {} : { bestEpoch }),
    seconds: (performance.now() - started) / 1000,
    provider,
  };
  return head;
}

function emptyMetrics(): ProbeMetrics {
  return {
    trainCount: 0,
    valCount: 0,
    trainLoss: Number.NaN,
    trainAccuracy: Number.NaN,
    valLoss: null,
    valAccuracy: null,
    iterations: 0,
    converged: false,
    stop: '',
    seconds: 0,
    provider: '',
  };
}

/** Scores of a head on some rows of raw features. */
async function headScores(
  head: LinearHead,
  x: Float32Array,
  d: number,
  rows: Int32Array,
  backend: ComputeBackend,
  threads?: number,
): Promise<Float64Array> {
  const sub = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    sub.set(x.subarray(r * d, (r + 1) * d), i * d);
  });
  return Float64Array.from(await predictLogitsWith(head, sub, rows.length, backend, threads));
}

/** Mean cross-entropy and top-1 accuracy (ties to the lower class index) of scores (n, c). */
function scoreMetrics(z: Float64Array, labels: Int32Array, c: number): { loss: number; accuracy: number } {
  const n = labels.length;
  const loss = crossEntropy(z, labels, c, null);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (z[i * c + k] > z[i * c + best]) best = k;
    if (best === labels[i]) correct++;
  }
  return { loss, accuracy: correct / n };
}
