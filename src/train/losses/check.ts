import type * as tf from '@tensorflow/tfjs';

/** Throws unless `x` is 2-D; `what` names the function and argument in the message. */
export function assert2d(x: tf.Tensor, what: string): asserts x is tf.Tensor2D {
  if (x.rank !== 2)
    throw new Error(`${what}: expected a 2-D tensor (batch, dim), got shape [${x.shape.join(', ')}]`);
}

/** Throws unless all tensors share one shape. */
export function assertSameShape(xs: tf.Tensor[], what: string): void {
  const first = xs[0]?.shape.join(', ');
  for (const x of xs) {
    if (x.shape.join(', ') !== first)
      throw new Error(
        `${what}: all tensors must have the same shape, got [${first}] and [${x.shape.join(', ')}]`,
      );
  }
}
