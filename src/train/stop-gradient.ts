import * as tf from '@tensorflow/tfjs';

/**
 * Identity in the forward pass, zero gradient in the backward pass (torch `.detach()`, TF
 * `tf.stop_gradient`). TF.js has no such op, so it is a `tf.customGrad`.
 * @param x any shape
 */
export const stopGradient = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
  value: (args[0] as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor | tf.Tensor[]) => [tf.zerosLike(dy as tf.Tensor)],
})) as unknown as <T extends tf.Tensor>(x: T) => T;
