import * as tf from '@tensorflow/tfjs';

/** n deterministic values in [-0.5, 0.5) from a linear congruential generator. */
export function rand(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/** One convolution to check: NHWC input shape, kernel size (square when a number), output channels. */
export interface ConvProblem {
  x: [number, number, number, number];
  k: number | [number, number];
  cout: number;
  stride: number | [number, number];
  pad: 'same' | 'valid' | number;
}

/**
 * Forward, input gradient and filter gradient of sum(conv2d(x, w) · r) on a backend, with fixed
 * inputs and a non-uniform upstream gradient r: compare two backends' results.
 */
export async function convResults(
  backend: string,
  c: ConvProblem,
): Promise<{ y: number[]; dx: number[]; dw: number[] }> {
  await tf.setBackend(backend);
  const [kh, kw] = typeof c.k === 'number' ? [c.k, c.k] : c.k;
  const ws: [number, number, number, number] = [kh, kw, c.x[3], c.cout];
  return tf.tidy(() => {
    const x = tf.tensor4d(
      rand(
        c.x.reduce((a, b) => a * b),
        7,
      ),
      c.x,
    );
    const w = tf.tensor4d(
      rand(
        ws.reduce((a, b) => a * b),
        11,
      ),
      ws,
    );
    const conv = (a: tf.Tensor, b: tf.Tensor) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad);
    const y = conv(x, w);
    const r = tf.sin(tf.range(0, y.size).reshape(y.shape));
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b), r)))([x, w]);
    const arr = (t: tf.Tensor | undefined) => Array.from((t as tf.Tensor).dataSync());
    return { y: arr(y), dx: arr(dx), dw: arr(dw) };
  });
}
