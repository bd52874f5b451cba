import * as tf from '@tensorflow/tfjs';
import { assert2d, assertSameShape } from './check.js';

/**
 * NT-Xent (normalised temperature-scaled cross entropy) of SimCLR [Chen et al. 2020, "A Simple
 * Framework for Contrastive Learning of Visual Representations", arXiv:2002.05709, Algorithm 1].
 * The 2B embeddings are L2-normalised; for each one, the positive is its other view and the
 * negatives are the 2B − 2 remaining embeddings:
 *
 *   ℓ(i) = −log( exp(sim(i, pos(i))/τ) / Σ_{j≠i} exp(sim(i, j)/τ) ),  loss = mean over 2B anchors
 *
 * @param z1 (B, D) projections of the first views
 * @param z2 (B, D) projections of the second views, row b pairs with row b of z1
 * @returns scalar loss
 */
export function ntXentLoss(z1: tf.Tensor, z2: tf.Tensor, opts: { temperature?: number } = {}): tf.Scalar {
  const temperature = opts.temperature ?? 0.5;
  assert2d(z1, 'ntXentLoss(z1)');
  assert2d(z2, 'ntXentLoss(z2)');
  assertSameShape([z1, z2], 'ntXentLoss(z1, z2)');
  return tf.tidy(() => {
    const b = z1.shape[0] as number;
    const z = tf.concat([z1, z2], 0); // (2B, D)
    const zn = tf.div(z, tf.norm(z, 2, 1, true).maximum(1e-12));
    const sim = tf.div(tf.matMul(zn, zn, false, true), temperature); // (2B, 2B)
    // The diagonal (self-similarity) is excluded by a large negative logit.
    const logits = tf.sub(sim, tf.mul(tf.eye(2 * b), 1e9));
    const positives = tf.concat([tf.range(b, 2 * b, 1, 'int32'), tf.range(0, b, 1, 'int32')]);
    const target = tf.oneHot(positives, 2 * b); // (2B, 2B)
    return tf.neg(tf.mean(tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1))) as tf.Scalar;
  });
}
