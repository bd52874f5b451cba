import * as tf from '@tensorflow/tfjs';
import { assert2d, assertSameShape } from './check.js';

/**
 * Barlow Twins redundancy-reduction loss [Zbontar et al. 2021, arXiv:2103.03230, Algorithm 1]:
 * each embedding dimension is standardised along the batch (as the official code's
 * `BatchNorm1d(affine=False)`: biased variance, eps 1e-5), then
 *
 *   C = z1ᵀ z2 / B  (D, D);   loss = Σ_i (1 − C_ii)² + λ Σ_{i≠j} C_ij²
 *
 * @param z1 (B, D) projections of the first views
 * @param z2 (B, D) projections of the second views
 * @param opts.lambda off-diagonal weight λ, default 5e-3 (paper)
 * @returns scalar loss
 */
export function barlowTwinsLoss(z1: tf.Tensor, z2: tf.Tensor, opts: { lambda?: number } = {}): tf.Scalar {
  const lambda = opts.lambda ?? 5e-3;
  assert2d(z1, 'barlowTwinsLoss(z1)');
  assert2d(z2, 'barlowTwinsLoss(z2)');
  assertSameShape([z1, z2], 'barlowTwinsLoss(z1, z2)');
  return tf.tidy(() => {
    const [b, d] = z1.shape as [number, number];
    const standardise = (z: tf.Tensor) => {
      const { mean, variance } = tf.moments(z, 0, true);
      return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-5)));
    };
    const c = tf.div(tf.matMul(standardise(z1), standardise(z2), true, false), b); // (D, D)
    const eye = tf.eye(d);
    const onDiag = tf.sum(tf.square(tf.sub(tf.mul(c, eye), eye)));
    const offDiag = tf.sum(tf.square(tf.mul(c, tf.sub(1, eye))));
    return tf.add(onDiag, tf.mul(offDiag, lambda)) as tf.Scalar;
  });
}
