import * as tf from '@tensorflow/tfjs';
import { assert2d } from './check.js';

export interface SinkhornOptions {
  /** Entropic regularisation ε: scores are divided by it before exp. SwAV 0.05; SEER-10B 0.03. */
  epsilon?: number;
  /** Number of row/column normalisation rounds. SwAV 3; SEER 10. */
  iterations?: number;
}

/**
 * Sinkhorn-Knopp soft codes of SwAV [Caron et al. 2020, arXiv:2006.09882], as vissl's
 * `distributed_sinkhornknopp` on one worker (protocols.md 7.1):
 *
 *   Q = exp((S - max S) / ε)ᵀ  (K, B);  Q /= ΣQ
 *   repeat: Q /= rowsum(Q)·K ;  Q /= colsum(Q)·B
 *   q = (Q / colsum(Q))ᵀ       (B, K), every row sums to 1
 *
 * The global max is subtracted before exp (vissl's log-sum-exp guard); it cancels in the
 * normalisations. The result is differentiable as written; SwAV computes codes without gradient,
 * which `swavLoss` arranges with `stopGradient`.
 *
 * @param scores (B, K) cosine similarities of B embeddings to K prototypes
 * @returns (B, K) soft assignments, rows summing to 1
 */
export function sinkhornKnopp(scores: tf.Tensor, opts: SinkhornOptions = {}): tf.Tensor2D {
  const epsilon = opts.epsilon ?? 0.05;
  const iterations = opts.iterations ?? 3;
  assert2d(scores, 'sinkhornKnopp(scores)');
  if (!(epsilon > 0)) throw new Error(`sinkhornKnopp: epsilon must be > 0, got ${epsilon}`);
  if (!Number.isInteger(iterations) || iterations < 0)
    throw new Error(`sinkhornKnopp: iterations must be a non-negative integer, got ${iterations}`);
  return tf.tidy(() => {
    const [b, k] = scores.shape as [number, number];
    let q = tf.exp(tf.div(tf.sub(scores, tf.max(scores)), epsilon)).transpose() as tf.Tensor2D; // (K, B)
    q = tf.div(q, tf.sum(q));
    for (let it = 0; it < iterations; it++) {
      q = tf.div(q, tf.mul(tf.sum(q, 1, true), k)); // each prototype gets mass 1/K
      q = tf.div(q, tf.mul(tf.sum(q, 0, true), b)); // each sample gets mass 1/B
    }
    q = tf.div(q, tf.sum(q, 0, true)); // columns sum to 1 (vissl's final normalisation)
    return q.transpose() as tf.Tensor2D; // (B, K)
  });
}
