import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '../stop-gradient.js';
import { assert2d, assertSameShape } from './check.js';
import { type SinkhornOptions, sinkhornKnopp } from './sinkhorn.js';

/** Prototype scores of the crops of one batch, split by resolution (never by position). */
export interface SwavScores {
  /** Scores of the high-resolution ("assignment") crops, each (B, K). SwAV uses 2. */
  global: tf.Tensor[];
  /** Scores of the low-resolution crops, each (B, K); may be empty. */
  local: tf.Tensor[];
}

export interface SwavLossOptions extends SinkhornOptions {
  /** Softmax temperature τ of the predictions. Default 0.1 (SwAV). */
  temperature?: number;
  /**
   * Scores of queued embeddings of earlier batches under the current prototypes, one (Q, K) per
   * global crop. They join the batch's scores before Sinkhorn and only the batch's codes are kept
   * (vissl appends the queue and keeps the first B rows).
   */
  queue?: tf.Tensor[];
}

/**
 * SwAV swapped-prediction loss [Caron et al. 2020, "Unsupervised Learning of Visual Features by
 * Contrasting Cluster Assignments", arXiv:2006.09882], following vissl's `SwAVLoss` (protocols.md 7.1):
 *
 *   for each global crop i:  q_i = sinkhorn(s_i) without gradient (soft codes)
 *     ℓ_i = mean over crops v ≠ i of  −mean_b Σ_k q_i[b,k] · log_softmax(s_v[b] / τ)_k
 *   loss = mean_i ℓ_i
 *
 * Embeddings and prototypes must be L2-normalised upstream so that scores are cosines.
 * @returns scalar loss
 */
export function swavLoss(scores: SwavScores, opts: SwavLossOptions = {}): tf.Scalar {
  const temperature = opts.temperature ?? 0.1;
  const crops = [...scores.global, ...scores.local];
  if (scores.global.length === 0) throw new Error('swavLoss: need at least one global crop, got 0');
  if (crops.length < 2) throw new Error(`swavLoss: need at least 2 crops in total, got ${crops.length}`);
  for (const c of crops) assert2d(c, 'swavLoss(scores)');
  assertSameShape(crops, 'swavLoss(scores)');
  if (opts.queue !== undefined && opts.queue.length !== scores.global.length)
    throw new Error(
      `swavLoss: queue must hold one tensor per global crop (${scores.global.length}), got ${opts.queue.length}`,
    );
  return tf.tidy(() => {
    const b = crops[0]?.shape[0] as number;
    const logProbs = crops.map((s) => tf.logSoftmax(tf.div(s, temperature))); // (B, K) each
    let total = tf.scalar(0);
    scores.global.forEach((s, i) => {
      const queued = opts.queue?.[i];
      const assignScores = stopGradient(queued === undefined ? s : tf.concat([s, queued], 0));
      const q = sinkhornKnopp(assignScores, opts).slice([0, 0], [b, -1]); // (B, K)
      let cropLoss = tf.scalar(0);
      logProbs.forEach((lp, v) => {
        if (v === i) return;
        cropLoss = tf.sub(cropLoss, tf.mean(tf.sum(tf.mul(q, lp), 1)));
      });
      total = tf.add(total, tf.div(cropLoss, crops.length - 1));
    });
    return tf.div(total, scores.global.length) as tf.Scalar;
  });
}
