import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { FairscopeError, InputError } from '../core/errors.js';
import { stableHash } from '../core/hash.js';
import { recoverFolder, writeFileAtomic } from '../core/node/atomic-write.js';
import { Rng } from '../core/rng.js';
import { IMAGENET_MEAN, IMAGENET_STD, type Preprocess } from '../core/types.js';
import { multiCrop, normalize } from '../image/augment/multi-crop.js';
import { colorAugmentOf, cropsOf } from './augment.js';
import { FEATURE_LAYER } from './backbones/resnet.js';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { TrainConfig } from './config.js';
import type { TrainingImages } from './data.js';
import { buildMethod, type MethodNet } from './methods.js';
import { embeddingStd, knnAccuracy, rankMe } from './monitors.js';
import { TrainOptimizer } from './optimizer.js';
import { fileSaveHandler } from './save-model.js';
import { warmupCosine } from './schedule.js';

export { DEFAULT_CONFIG, type TrainConfig } from './config.js';

export interface EpochReport {
  epoch: number;
  loss: number;
  lr: number;
  seconds: number;
  imagesPerSecond: number;
  knnAccuracy: number | null;
  rankMe: number;
  embeddingStd: number;
}

export interface TrainRun {
  config: TrainConfig;
  train: TrainingImages;
  /** Labelled validation images for the kNN monitor; null: leave-one-out on (a sample of) train. */
  val: TrainingImages | null;
  outDir: string;
  resume: boolean;
  /** Called after each epoch. */
  onEpoch?: (r: EpochReport) => void;
  /** Called after each step with the number of images. */
  onStep?: (images: number) => void;
  /** Called once an epoch's checkpoint is on disk (before the model is written), with the epoch. */
  onCheckpoint?: (epoch: number) => void;
}

/** Max images embedded for the per-epoch monitors. */
const MONITOR_LIMIT = 2000;

/** Embeds images (center, no augmentation) with the backbone in inference mode. @returns (n, d) */
export function embedImages(
  backbone: tf.LayersModel,
  pixels: Float32Array,
  n: number,
  size: number,
  batch = 256,
): Float32Array {
  const d = backbone.outputs[0]?.shape[1] as number;
  const out = new Float32Array(n * d);
  for (let i = 0; i < n; i += batch) {
    const m = Math.min(batch, n - i);
    const e = tf.tidy(() => {
      const x = tf.tensor4d(pixels.subarray(i * size * size * 3, (i + m) * size * size * 3), [
        m,
        size,
        size,
        3,
      ]);
      return (backbone.predict(normalize(x)) as tf.Tensor).dataSync();
    });
    out.set(e, i * d);
  }
  return out;
}

/** The embed-command descriptor of the trained backbone (RUN_DIR/model.json). */
export function modelDescriptor(
  cfg: Pick<TrainConfig, 'backbone' | 'imageSize'> & { method: string },
): Record<string, unknown> {
  const preprocess: Preprocess = {
    resize: cfg.imageSize,
    resizeMode: 'squash',
    crop: null,
    interpolation: 'bilinear',
    scale: 1 / 255,
    mean: [...IMAGENET_MEAN],
    std: [...IMAGENET_STD],
    channels: 'rgb',
    layout: 'nhwc',
  };
  return {
    id: `${cfg.method}-${cfg.backbone}`,
    format: 'tfjs-layers',
    path: 'model/model.json',
    output: FEATURE_LAYER,
    preprocess,
  };
}

/** Class indices of labels (sorted class names), or null when any item lacks a label. */
function classIndex(labels: (string | null)[], classes: string[]): number[] | null {
  if (labels.some((l) => l === null)) return null;
  return labels.map((l) => classes.indexOf(l as string));
}

/**
 * Trains a method on in-memory images: per epoch a seeded shuffle, augmented views, one optimiser
 * step per full batch (the last partial batch is dropped), an atomic checkpoint, then the model
 * (atomic too), and monitors. A NaN/∞ loss stops the run with an error and leaves the last good
 * checkpoint in place. Resuming a run that has all its epochs writes the checkpoint's model (a run
 * killed right after its last checkpoint ends with the same model as one that was not).
 */
export async function train(run: TrainRun): Promise<EpochReport[]> {
  const cfg = run.config;
  const n = run.train.ids.length;
  const manifestHint = 'the manifest';
  if (n < cfg.batch)
    throw new InputError(
      manifestHint,
      `has ${n} usable images, fewer than one batch (--batch ${cfg.batch}); lower --batch or add images`,
    );
  const classes = [...new Set(run.train.labels.filter((l): l is string => l !== null))].sort();
  const trainLabels = classIndex(run.train.labels, classes);
  if (cfg.method === 'supervised' && (trainLabels === null || classes.length < 2))
    throw new InputError(
      manifestHint,
      'supervised training needs a label on every item and at least 2 classes',
      { field: 'labels' },
    );
  const configHash = stableHash({ ...cfg, epochs: undefined, classes });
  const stepsPerEpoch = Math.floor(n / cfg.batch);
  const totalSteps = stepsPerEpoch * cfg.epochs;

  const net = withSeededInit(cfg.seed, (seedInit) =>
    buildMethod(
      {
        method: cfg.method,
        backbone: cfg.backbone,
        imageSize: cfg.imageSize,
        hiddenDim: cfg.hiddenDim,
        outputDim: cfg.outputDim,
        prototypes: cfg.prototypes,
        localCrops: cfg.localCrops,
        freezePrototypesSteps: cfg.freezePrototypesEpochs * stepsPerEpoch,
        numClasses: Math.max(2, classes.length),
        queueLength: cfg.queueLength - (cfg.queueLength % cfg.batch),
        queueStartStep: cfg.queueStartEpoch * stepsPerEpoch,
      },
      seedInit,
    ),
  );
  const opt = new TrainOptimizer({ name: cfg.optimizer, weightDecay: cfg.weightDecay });
  let startEpoch = 0;
  let step = 0;
  await mkdir(run.outDir, { recursive: true });
  await recoverFolder(join(run.outDir, 'checkpoint'));
  await recoverFolder(join(run.outDir, 'model'));
  const state = net.state();
  if (run.resume) {
    const expected = new Map([...state].map(([k, v]) => [k, v.shape]));
    const ck = await loadCheckpoint(run.outDir, configHash, expected);
    for (const [k, v] of state) v.assign(ck.tensors.get(k) as tf.Tensor);
    const slots = new Map(
      [...ck.tensors].filter(([k]) => k.startsWith('opt:')).map(([k, t]) => [k.slice(4), t]),
    );
    opt.load(ck.meta.step, slots);
    startEpoch = ck.meta.epoch;
    step = ck.meta.step;
    if (startEpoch > cfg.epochs)
      throw new InputError(
        join(run.outDir, 'checkpoint', 'meta.json'),
        `the checkpoint has ${startEpoch} epochs, more than --epochs ${cfg.epochs}; resume with --epochs ${startEpoch} or more`,
        { field: 'epoch' },
      );
  } else if (existsSync(join(run.outDir, 'checkpoint'))) {
    throw new InputError(
      join(run.outDir, 'checkpoint'),
      'a checkpoint exists: pass --resume to continue it, or choose another --out',
    );
  }
  await writeFileAtomic(join(run.outDir, 'config.json'), `${JSON.stringify({ ...cfg, classes }, null, 2)}\n`);
  if (run.train.failures.length > 0)
    await writeFileAtomic(
      join(run.outDir, 'failures.jsonl'),
      `${run.train.failures.map((f) => JSON.stringify(f)).join('\n')}\n`,
    );
  /** The model and its embed descriptor, from the network's current weights. */
  const saveModel = async () => {
    await net.backbone.save(fileSaveHandler(join(run.outDir, 'model')));
    await writeFileAtomic(
      join(run.outDir, 'model.json'),
      `${JSON.stringify(modelDescriptor(cfg), null, 2)}\n`,
    );
  };

  const size = run.train.size;
  const images = tf.tensor4d(run.train.pixels, [n, size, size, 3]);
  const labelsT = trainLabels === null ? null : tf.tensor1d(trainLabels, 'int32');
  const reports: EpochReport[] = [];
  const warmupSteps = cfg.warmupEpochs * stepsPerEpoch;
  const crops = cropsOf(net.crops, cfg.augment);
  const color = colorAugmentOf(cfg.augment);
  try {
    for (let epoch = startEpoch; epoch < cfg.epochs; epoch++) {
      // Per-epoch generator derived from (seed, epoch): a resumed run sees the same batches and crops.
      const rng = new Rng((cfg.seed * 1_000_003 + epoch) >>> 0);
      const order = rng.shuffle(Array.from({ length: n }, (_, i) => i));
      const t0 = performance.now();
      let lossSum = 0;
      let lr = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        lr = warmupCosine(step, totalSteps, { peak: cfg.lr, warmupSteps, final: cfg.lr * 0.001 });
        const idx = tf.tensor1d(order.slice(s * cfg.batch, (s + 1) * cfg.batch), 'int32');
        const batch = tf.gather(images, idx) as tf.Tensor4D;
        const views = multiCrop(batch, crops, rng, color);
        const y = labelsT === null ? null : (tf.gather(labelsT, idx) as tf.Tensor1D);
        const loss = trainStep(net, opt, views, y, step, totalSteps, lr);
        if (!Number.isFinite(loss)) {
          throw new FairscopeError(
            `loss is ${loss} at epoch ${epoch + 1}, step ${s + 1}: training stopped. ${epoch > 0 ? `The last good checkpoint (epoch ${epoch}) is kept in ${join(run.outDir, 'checkpoint')}` : 'No epoch had completed, so there is no checkpoint'}. Try a lower --lr.`,
          );
        }
        tf.dispose([idx, batch, y, ...views].filter((t) => t !== null) as tf.Tensor[]);
        lossSum += loss;
        step++;
        run.onStep?.(cfg.batch);
      }
      const seconds = (performance.now() - t0) / 1000;
      const monitors = evaluate(net.backbone, run, classes, cfg.knnK);
      const report: EpochReport = {
        epoch: epoch + 1,
        loss: lossSum / stepsPerEpoch,
        lr,
        seconds,
        imagesPerSecond: (stepsPerEpoch * cfg.batch) / seconds,
        ...monitors,
      };
      const toSave = new Map<string, tf.Tensor>(net.state());
      for (const [k, v] of opt.state().slots) toSave.set(`opt:${k}`, v);
      await saveCheckpoint(
        run.outDir,
        { version: 1, configHash, epoch: epoch + 1, step, extra: { report } },
        toSave,
      );
      run.onCheckpoint?.(epoch + 1);
      await saveModel();
      reports.push(report);
      run.onEpoch?.(report);
    }
    // Resumed after the last checkpoint (a run killed before or while it wrote its model): the
    // model is the checkpoint's, written again in case it was not, or only in part.
    if (startEpoch === cfg.epochs) await saveModel();
  } finally {
    images.dispose();
    labelsT?.dispose();
    // The network and optimiser slots are saved in the run folder: free them (an audit trains
    // several models in one process).
    const owned = new Set<tf.Variable>([...net.state().values(), ...opt.state().slots.values()]);
    net.release?.();
    net.backbone.dispose();
    for (const v of owned) if (!v.isDisposed) v.dispose();
  }
  return reports;
}

/**
 * One optimisation step: loss and gradients of the trainable variables, the optimiser update and
 * the method's after-step work. A non-finite loss leaves every variable unchanged.
 * @param views crop-major augmented views (as multiCrop returns them); not disposed
 * @param labels (B,) int32 class indices, or null
 * @returns the loss before the update
 */
export function trainStep(
  net: MethodNet,
  opt: TrainOptimizer,
  views: tf.Tensor4D[],
  labels: tf.Tensor1D | null,
  step: number,
  totalSteps: number,
  lr: number,
): number {
  const vars = net.trainable(step);
  const { value, grads } = tf.variableGrads(() => net.loss(views, labels, step), [...vars.values()]);
  try {
    const loss = value.dataSync()[0] as number;
    if (!Number.isFinite(loss)) return loss;
    const named: Record<string, tf.Tensor> = {};
    for (const [k, v] of vars) if (grads[v.name] !== undefined) named[k] = grads[v.name] as tf.Tensor;
    opt.step(vars, named, lr);
    net.afterStep(step, totalSteps);
    return loss;
  } finally {
    tf.dispose([value, ...Object.values(grads)]);
  }
}

/**
 * Runs `build` with TF.js's initialisers seeded: they draw their seeds from Math.random when given
 * none, so `seedInit()` points Math.random at a generator seeded with `seed` (each call continues
 * the same stream); Math.random is restored afterwards. The first network built after the first
 * `seedInit()` is therefore the same for every method with that seed.
 */
export function withSeededInit<T>(seed: number, build: (seedInit: () => void) => T): T {
  const initRng = new Rng(seed);
  const originalRandom = Math.random;
  try {
    return build(() => {
      Math.random = () => initRng.next();
    });
  } finally {
    Math.random = originalRandom;
  }
}

/**
 * Monitors of a backbone on up to MONITOR_LIMIT of the run's images: kNN accuracy (on `run.val`, or
 * leave-one-out on train when every image has a class and there are 2+ classes; else null), RankMe
 * and the embedding standard deviation.
 */
export function evaluate(
  backbone: tf.LayersModel,
  run: Pick<TrainRun, 'train' | 'val'>,
  classes: string[],
  k: number,
) {
  const size = run.train.size;
  const nTrain = Math.min(run.train.ids.length, MONITOR_LIMIT);
  const trainEmb = embedImages(backbone, run.train.pixels, nTrain, size);
  const d = trainEmb.length / nTrain;
  const trainLabels = classIndex(run.train.labels.slice(0, nTrain), classes);
  let knn: number | null = null;
  if (run.val !== null) {
    const nVal = Math.min(run.val.ids.length, MONITOR_LIMIT);
    const valLabels = classIndex(run.val.labels.slice(0, nVal), classes);
    if (trainLabels && valLabels?.every((l) => l >= 0)) {
      const valEmb = embedImages(backbone, run.val.pixels, nVal, size);
      knn = knnAccuracy(trainEmb, trainLabels, valEmb, valLabels, d, k);
    }
  } else if (trainLabels !== null && classes.length >= 2) {
    knn = knnAccuracy(trainEmb, trainLabels, trainEmb, trainLabels, d, k, true);
  }
  return {
    knnAccuracy: knn,
    rankMe: rankMe(trainEmb, nTrain, d),
    embeddingStd: embeddingStd(trainEmb, nTrain, d),
  };
}
