import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './select.js';

before(async () => {
  // The pure TF.js kernel (the fallback when onnxruntime is unavailable), not the onnxruntime one.
  process.env.FAIRSCOPE_ORT_KERNELS = '0';
  const sel = await selectBackend('wasm');
  assert.equal(sel.backend, 'wasm');
  assert.equal(sel.ortKernels?.active, false);
});

/** Filter and input gradients of sum(conv2d(x, w) · r) on the given backend. */
async function grads(
  backend: string,
  x: Float32Array,
  xs: number[],
  w: Float32Array,
  ws: number[],
  stride: number,
  pad: 'same' | 'valid',
): Promise<{ dw: Float32Array; dx: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xt = tf.tensor4d(x, xs as [number, number, number, number]);
    const wt = tf.tensor4d(w, ws as [number, number, number, number]);
    const f = (...ab: tf.Tensor[]) => {
      const y = tf.conv2d(ab[0] as tf.Tensor4D, ab[1] as tf.Tensor4D, stride, pad);
      // A fixed non-uniform upstream gradient: position-dependent weights.
      const r = tf.sin(tf.range(0, y.size).reshape(y.shape));
      return tf.sum(tf.mul(y, r));
    };
    const [dx, dw] = tf.grads(f)([xt, wt]);
    return {
      dw: (dw as tf.Tensor).dataSync() as Float32Array,
      dx: (dx as tf.Tensor).dataSync() as Float32Array,
    };
  });
}

const cases = [
  { x: [2, 7, 7, 3], k: 1, cout: 4, stride: 1, pad: 'same' },
  { x: [2, 7, 7, 3], k: 1, cout: 4, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 3], k: 3, cout: 5, stride: 1, pad: 'same' },
  { x: [2, 8, 8, 3], k: 3, cout: 5, stride: 2, pad: 'same' },
  { x: [2, 9, 9, 3], k: 3, cout: 5, stride: 2, pad: 'same' },
  { x: [3, 9, 8, 2], k: 3, cout: 4, stride: 1, pad: 'valid' },
  { x: [3, 9, 8, 2], k: 3, cout: 4, stride: 2, pad: 'valid' },
  { x: [1, 11, 11, 2], k: 5, cout: 3, stride: 2, pad: 'same' },
] as const;

for (const c of cases) {
  test(`wasm filter gradient equals the cpu backend's: x ${c.x.join('x')}, ${c.k}x${c.k}, stride ${c.stride}, ${c.pad}`, async () => {
    let seed = 7;
    const rand = (n: number) =>
      Float32Array.from({ length: n }, () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648 - 0.5;
      });
    const xs: number[] = [...c.x];
    const ws: number[] = [c.k, c.k, c.x[3], c.cout];
    const x = rand(xs.reduce((a, b) => a * b));
    const w = rand(ws.reduce((a, b) => a * b));
    const ref = await grads('cpu', x, xs, w, ws, c.stride, c.pad);
    const got = await grads('wasm', x, xs, w, ws, c.stride, c.pad);
    const scale = Math.max(...Array.from(ref.dw, Math.abs));
    for (let i = 0; i < ref.dw.length; i++)
      assert.ok(
        Math.abs((got.dw[i] as number) - (ref.dw[i] as number)) <= 1e-5 * scale,
        `dw[${i}]: ${got.dw[i]} vs ${ref.dw[i]}`,
      );
    const sx = Math.max(...Array.from(ref.dx, Math.abs));
    for (let i = 0; i < ref.dx.length; i++)
      assert.ok(Math.abs((got.dx[i] as number) - (ref.dx[i] as number)) <= 1e-5 * sx, `dx[${i}]`);
  });
}
