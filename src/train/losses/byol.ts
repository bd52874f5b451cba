import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '../stop-gradient.js';
import { assert2d, assertSameShape } from './check.js';

/**
 * BYOL regression loss [Grill et al. 2020, "Bootstrap Your Own Latent", arXiv:2006.07733, eq. 2]:
 *
 *   ℓ = mean_b ( 2 − 2 · ⟨p_b, z_b⟩ / (‖p_b‖ ‖z_b‖) )
 *
 * The target z comes from the momentum (target) network and gets no gradient here. The paper's
 * symmetrised loss is `byolLoss(p1, z2) + byolLoss(p2, z1)` (online prediction of view 1 against
 * the target projection of view 2, and the reverse); see `byolSymmetricLoss`.
 *
 * @param p (B, D) online predictions
 * @param z (B, D) target projections
 * @returns scalar loss in [0, 4]
 */
export function byolLoss(p: tf.Tensor, z: tf.Tensor): tf.Scalar {
  assert2d(p, 'byolLoss(p)');
  assert2d(z, 'byolLoss(z)');
  assertSameShape([p, z], 'byolLoss(p, z)');
  return tf.tidy(() => {
    const pn = tf.div(p, tf.norm(p, 2, 1, true).maximum(1e-12));
    const zs = stopGradient(z);
    const zn = tf.div(zs, tf.norm(zs, 2, 1, true).maximum(1e-12));
    const cos = tf.sum(tf.mul(pn, zn), 1); // (B,)
    return tf.mean(tf.sub(2, tf.mul(2, cos))) as tf.Scalar;
  });
}

/** BYOL's symmetrised loss: `byolLoss(p1, z2) + byolLoss(p2, z1)`, each (B, D). */
export function byolSymmetricLoss(p1: tf.Tensor, z1: tf.Tensor, p2: tf.Tensor, z2: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.add(byolLoss(p1, z2), byolLoss(p2, z1)) as tf.Scalar);
}
