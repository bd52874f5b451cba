import * as tf from '@tensorflow/tfjs';
import { type CropGroup, swavCrops, twoViewCrops } from '../image/augment/multi-crop.js';
import { buildBackbone } from './backbones/presets.js';
import type { Method } from './config.js';
import { projectionHead } from './heads.js';
import { barlowTwinsLoss } from './losses/barlow-twins.js';
import { byolSymmetricLoss } from './losses/byol.js';
import { dinoLoss, updateDinoCenter } from './losses/dino.js';
import { ntXentLoss } from './losses/nt-xent.js';
import { swavLoss } from './losses/swav.js';
import { stopGradient } from './stop-gradient.js';

export { METHODS, type Method } from './config.js';

export interface MethodOptions {
  method: Method;
  backbone: string;
  imageSize: number;
  /** Projection head hidden and output sizes. */
  hiddenDim: number;
  outputDim: number;
  /** SwAV prototypes / DINO output dimension. */
  prototypes: number;
  /** SwAV/DINO low-resolution crops. */
  localCrops: number;
  /** Steps during which SwAV's prototypes get no update (SwAV: about one epoch). */
  freezePrototypesSteps: number;
  /** Number of classes (supervised). */
  numClasses: number;
  /**
   * SwAV queue: embeddings of earlier batches kept per assignment crop (0: none). A multiple of the
   * batch size (the loop rounds it down).
   */
  queueLength?: number;
  /** Step from which the queue is filled; it joins the codes once filled through (SwAV). */
  queueStartStep?: number;
}

/** A method's networks, views and loss. Variables are keyed by unique names for checkpoints. */
export interface MethodNet {
  backbone: tf.LayersModel;
  crops: CropGroup[];
  /** Variables that get a gradient at this step. */
  trainable(step: number): Map<string, tf.Variable>;
  /** Every tensor a checkpoint must hold (trainable, BN statistics, teacher, prototypes, center). */
  state(): Map<string, tf.Variable>;
  /**
   * The loss of one batch of views (crop-major, as multiCrop returns them).
   * @param labels (B,) int32
   * @param step the optimisation step (SwAV's queue starts at a step); default 0
   */
  loss(views: tf.Tensor4D[], labels: tf.Tensor1D | null, step?: number): tf.Scalar;
  /** Work after the optimiser step (prototype normalisation, EMA teachers, DINO center). */
  afterStep(step: number, totalSteps: number): void;
  /** Frees tensors kept between steps outside `state()` (the caller frees the state). */
  release?(): void;
}

function variablesOf(
  model: tf.LayersModel,
  prefix: string,
  trainableOnly: boolean,
): Map<string, tf.Variable> {
  const out = new Map<string, tf.Variable>();
  for (const w of trainableOnly ? model.trainableWeights : model.weights) {
    const key = `${prefix}/${w.originalName}`;
    if (out.has(key)) throw new Error(`duplicate variable name ${key}`);
    out.set(key, w.read() as tf.Variable);
  }
  return out;
}

const merge = (...ms: Map<string, tf.Variable>[]) => new Map(ms.flatMap((m) => [...m]));
const l2 = (x: tf.Tensor) => tf.div(x, tf.norm(x, 2, -1, true).maximum(1e-12));

/** Forward same-size views together (as SwAV concatenates crops of one resolution). */
function forwardGrouped(views: tf.Tensor4D[], f: (x: tf.Tensor4D) => tf.Tensor2D): tf.Tensor2D[] {
  const out: tf.Tensor2D[] = new Array(views.length);
  const bySize = new Map<number, number[]>();
  views.forEach((v, i) => {
    bySize.set(v.shape[1], [...(bySize.get(v.shape[1]) ?? []), i]);
  });
  for (const idx of bySize.values()) {
    const y = f(
      tf.concat(
        idx.map((i) => views[i] as tf.Tensor4D),
        0,
      ),
    );
    const parts = tf.split(y, idx.length, 0) as tf.Tensor2D[];
    idx.forEach((i, j) => {
      out[i] = parts[j] as tf.Tensor2D;
    });
  }
  return out;
}

/**
 * SwAV's queue [arXiv:2006.09882, main_swav.py]: per assignment crop, the L2-normalised embeddings
 * of the last `length / B` batches, newest first. From `startStep` on, each step's assignment
 * embeddings are queued (after the update); once a queue has been filled through (its last row is
 * non-zero) its scores under the current prototypes join the batch's before Sinkhorn.
 */
function swavQueue(length: number, dim: number, startStep: number) {
  const queues = length > 0 ? [0, 1].map(() => ownedVariable(() => tf.zeros([length, dim]), false)) : [];
  let pending: tf.Tensor2D[] = [];
  let used = false;
  return {
    state: () => new Map(queues.map((q, i) => [`swav_queue_${i}`, q])),
    /**
     * Scores (length, K) of each queue for this step, or undefined when not in use; remembers the
     * step's assignment embeddings `z` (B, D) for `push`.
     */
    scores(step: number, prototypes: tf.Tensor, z: tf.Tensor2D[]): tf.Tensor[] | undefined {
      if (queues.length === 0 || step < startStep) return undefined;
      for (const t of pending) t.dispose();
      pending = z.map((zi) => tf.keep(stopGradient(zi)));
      used ||= tf.tidy(
        () =>
          tf
            .any(tf.notEqual(tf.slice(queues[0] as tf.Variable, [length - 1, 0], [1, dim]), 0))
            .dataSync()[0] === 1,
      );
      return used ? queues.map((q) => tf.matMul(q, prototypes, false, true)) : undefined;
    },
    /** Prepends the remembered embeddings, dropping the oldest batch. */
    push(): void {
      pending.forEach((zi, i) => {
        const q = queues[i] as tf.Variable;
        const b = zi.shape[0];
        if (b > length) throw new Error(`SwAV queue length ${length} is shorter than the batch ${b}`);
        tf.tidy(() => q.assign(tf.concat([zi, tf.slice(q, [0, 0], [length - b, dim])], 0)));
        zi.dispose();
      });
      pending = [];
    },
    /** Frees the remembered embeddings of a step that was never pushed. */
    release(): void {
      for (const t of pending) t.dispose();
      pending = [];
    },
  };
}

/** A variable initialised by `make`; the temporaries of `make` are freed. */
function ownedVariable(make: () => tf.Tensor, trainable: boolean): tf.Variable {
  const init = tf.tidy(make);
  const v = tf.variable(init, trainable);
  init.dispose();
  return v;
}

/** EMA of `target` towards `online`: t ← m·t + (1 − m)·o. */
function ema(target: Map<string, tf.Variable>, online: Map<string, tf.Variable>, m: number): void {
  const o = [...online.values()];
  [...target.values()].forEach((t, i) => {
    tf.tidy(() => t.assign(tf.add(tf.mul(t, m), tf.mul(o[i] as tf.Tensor, 1 - m))));
  });
}

/** BYOL's momentum schedule 1 − (1 − m0)(cos(πk/K) + 1)/2, m0 = 0.996 (arXiv:2006.07733 §3.2). */
function momentumAt(step: number, total: number, base = 0.996): number {
  return 1 - ((1 - base) * (Math.cos((Math.PI * step) / Math.max(1, total)) + 1)) / 2;
}

/** Builds the networks of a method. */
export function buildMethod(o: MethodOptions, seedInit: () => void): MethodNet {
  seedInit();
  const backbone = buildBackbone(o.backbone, null);
  const featDim = backbone.outputs[0]?.shape[1] as number;
  const bb = () => variablesOf(backbone, 'backbone', true);
  const bbAll = () => variablesOf(backbone, 'backbone', false);
  const train = (x: tf.Tensor4D) => backbone.apply(x, { training: true }) as tf.Tensor2D;

  if (o.method === 'supervised') {
    const head = tf.layers.dense({ units: o.numClasses, name: 'classifier' });
    const input = tf.input({ shape: [featDim] });
    const clf = tf.model({
      inputs: input,
      outputs: head.apply(input) as tf.SymbolicTensor,
      name: 'classifier',
    });
    return {
      backbone,
      crops: [{ size: Math.min(o.imageSize, 224), count: 1, scale: [0.08, 1] }],
      trainable: () => merge(bb(), variablesOf(clf, 'head', true)),
      state: () => merge(bbAll(), variablesOf(clf, 'head', false)),
      loss: (views, labels) => {
        if (labels === null) throw new Error('supervised training needs labels');
        const logits = clf.apply(train(views[0] as tf.Tensor4D)) as tf.Tensor2D;
        return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, o.numClasses), logits) as tf.Scalar;
      },
      afterStep: () => {},
    };
  }

  const proj = projectionHead(featDim, o.hiddenDim, o.outputDim, 'projection');
  const online = (x: tf.Tensor4D) => proj.apply(train(x), { training: true }) as tf.Tensor2D;
  const onlineVars = () => merge(bb(), variablesOf(proj, 'head', true));
  const onlineState = () => merge(bbAll(), variablesOf(proj, 'head', false));

  if (o.method === 'swav') {
    const prototypes = ownedVariable(() => l2(tf.randomNormal([o.prototypes, o.outputDim])), true);
    const protoMap = new Map([['prototypes', prototypes]]);
    const queue = swavQueue(o.queueLength ?? 0, o.outputDim, o.queueStartStep ?? 0);
    return {
      backbone,
      crops: swavCrops(o.imageSize, o.localCrops),
      trainable: (step) => (step < o.freezePrototypesSteps ? onlineVars() : merge(onlineVars(), protoMap)),
      state: () => merge(onlineState(), protoMap, queue.state()),
      loss: (views, _labels, step = 0) => {
        const z = forwardGrouped(views, (x) => l2(online(x)) as tf.Tensor2D);
        const scores = z.map((zi) => tf.matMul(zi, prototypes, false, true)); // (B, K)
        const queued = queue.scores(step, prototypes, z.slice(0, 2));
        return swavLoss({ global: scores.slice(0, 2), local: scores.slice(2) }, { queue: queued });
      },
      // Prototypes are re-normalised after every update, so each step starts from unit rows.
      afterStep: () => {
        tf.tidy(() => prototypes.assign(l2(prototypes)));
        queue.push();
      },
      release: () => queue.release(),
    };
  }

  if (o.method === 'simclr' || o.method === 'barlow') {
    return {
      backbone,
      crops: twoViewCrops(o.imageSize),
      trainable: () => onlineVars(),
      state: () => onlineState(),
      loss: (views) => {
        const [z1, z2] = forwardGrouped(views, online) as [tf.Tensor2D, tf.Tensor2D];
        return o.method === 'simclr' ? ntXentLoss(z1, z2) : barlowTwinsLoss(z1, z2);
      },
      afterStep: () => {},
    };
  }

  // BYOL and DINO: a momentum teacher (backbone + projection copy).
  seedInit();
  const tBackbone = buildBackbone(o.backbone, null);
  const tProj = projectionHead(featDim, o.hiddenDim, o.outputDim, 'projection');
  tBackbone.setWeights(backbone.getWeights());
  tProj.setWeights(proj.getWeights());
  const teacherState = () =>
    merge(variablesOf(tBackbone, 'teacher_backbone', false), variablesOf(tProj, 'teacher_head', false));
  const teacher = (x: tf.Tensor4D) =>
    tProj.apply(tBackbone.apply(x, { training: true }), { training: true }) as tf.Tensor2D;

  if (o.method === 'byol') {
    const predictor = projectionHead(o.outputDim, o.hiddenDim, o.outputDim, 'predictor');
    const trainable = () => merge(onlineVars(), variablesOf(predictor, 'predictor', true));
    return {
      backbone,
      crops: twoViewCrops(o.imageSize),
      trainable,
      state: () => merge(onlineState(), variablesOf(predictor, 'predictor', false), teacherState()),
      loss: (views) => {
        const [z1, z2] = forwardGrouped(views, online) as [tf.Tensor2D, tf.Tensor2D];
        const p1 = predictor.apply(z1, { training: true }) as tf.Tensor2D;
        const p2 = predictor.apply(z2, { training: true }) as tf.Tensor2D;
        const [t1, t2] = forwardGrouped(views, teacher) as [tf.Tensor2D, tf.Tensor2D];
        return byolSymmetricLoss(p1, t1, p2, t2);
      },
      afterStep: (step, total) => ema(teacherState(), onlineState(), momentumAt(step, total)),
    };
  }

  // DINO: projection → L2 norm → linear to K outputs (the paper's weight-normalised last layer).
  const last = ownedVariable(
    () => tf.randomNormal([o.outputDim, o.prototypes], 0, 1 / Math.sqrt(o.outputDim)),
    true,
  );
  const tLast = ownedVariable(() => last.clone(), false);
  const center = ownedVariable(() => tf.zeros([1, o.prototypes]), false);
  let lastTeacherOut: tf.Tensor[] = [];
  return {
    backbone,
    crops: swavCrops(o.imageSize, o.localCrops),
    trainable: () => merge(onlineVars(), new Map([['dino_last', last]])),
    state: () =>
      merge(
        onlineState(),
        teacherState(),
        new Map([
          ['dino_last', last],
          ['teacher_dino_last', tLast],
          ['dino_center', center],
        ]),
      ),
    loss: (views) => {
      const student = forwardGrouped(views, (x) => tf.matMul(l2(online(x)), last) as tf.Tensor2D);
      const tOut = forwardGrouped(views.slice(0, 2), (x) => tf.matMul(l2(teacher(x)), tLast) as tf.Tensor2D);
      for (const t of lastTeacherOut) t.dispose();
      lastTeacherOut = tOut.map((t) => tf.keep(t.clone()));
      return dinoLoss(student, tOut, center);
    },
    afterStep: (step, total) => {
      ema(teacherState(), onlineState(), momentumAt(step, total));
      tf.tidy(() =>
        tLast.assign(
          tf.add(tf.mul(tLast, momentumAt(step, total)), tf.mul(last, 1 - momentumAt(step, total))),
        ),
      );
      const c = updateDinoCenter(center, lastTeacherOut, 0.9);
      center.assign(c);
      c.dispose();
    },
    release: () => {
      for (const t of lastTeacherOut) t.dispose();
      lastTeacherOut = [];
    },
  };
}
