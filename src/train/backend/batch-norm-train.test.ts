import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { batchNormalization } from '../backbones/batch-norm-layer.js';
import { assertClose } from '../testing/close.js';
import { batchNormTrain } from './batch-norm-train.js';
import { rowsPerWideRow } from './ort-batchnorm-graphs.js';
import { selectBackend } from './select.js';
import { ortKernelCalls } from './wasm-ort-kernels.js';

// Reference: tfjs-layers' own BatchNormalization in training mode on the cpu backend, whose
// gradient TF.js derives by autodiff through tf.moments and FusedBatchNorm.

before(async () => {
  delete process.env.FAIRSCOPE_ORT_KERNELS;
  const sel = await selectBackend('wasm');
  assert.deepEqual(sel.ortKernels, { active: true });
});

function rand(shape: number[], seed: number, scale = 1, offset = 0): tf.Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648 - 0.5) * scale + offset;
  });
  return tf.tensor(v, shape);
}

type Result = { y: number[]; dx: number[]; dgamma: number[]; dbeta: number[] };

/** y and the gradients of sum(y · r) w.r.t. x, gamma, beta. */
function run(f: (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.Tensor, shape: number[]): Result {
  return tf.tidy(() => {
    const c = shape[shape.length - 1] as number;
    const x = rand(shape, 3, 4, 1.5); // non-zero mean, spread 4
    const gamma = rand([c], 5, 1, 1);
    const beta = rand([c], 9);
    const r = tf.sin(tf.range(0, x.size).reshape(shape));
    const y = f(x, gamma, beta);
    const [dx, dgamma, dbeta] = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(f(a, g, b), r)),
    )([x, gamma, beta]);
    const arr = (t: tf.Tensor | undefined) => Array.from((t as tf.Tensor).dataSync());
    return { y: arr(y), dx: arr(dx), dgamma: arr(dgamma), dbeta: arr(dbeta) };
  });
}

/** tfjs's own training-mode normalisation (moments, then batchNorm), as tfjs-layers computes it. */
const tfjsReference = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return tf.batchNorm(x, mean, variance, b, g, 1e-5);
};
const ours = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
  batchNormTrain(x, g as tf.Tensor1D, b as tf.Tensor1D, 1e-5).y;

function compare(got: Result, ref: Result, rel: number): void {
  assertClose(got.y, ref.y, rel, 'y');
  assertClose(got.dx, ref.dx, rel, 'dx');
  assertClose(got.dgamma, ref.dgamma, rel, 'dgamma');
  assertClose(got.dbeta, ref.dbeta, rel, 'dbeta');
}

describe('batchNormTrain: one op, closed-form gradient', () => {
  // Element-wise passes view (M, C) as (M/k, k·C): k = 120, 18, 16, 64 and 1 (M = 1031 is prime).
  for (const shape of [
    [4, 5, 6, 3],
    [2, 3, 3, 8],
    [16, 5],
    [4, 8, 8, 16],
    [1031, 3],
  ]) {
    test(`TF.js-ops path equals tfjs's autodiff through moments (cpu): ${shape.join('x')}`, async () => {
      await tf.setBackend('cpu');
      compare(run(ours, shape), run(tfjsReference, shape), 2e-5);
    });
    test(`onnxruntime kernels on wasm equal tfjs's autodiff on cpu: ${shape.join('x')}`, async () => {
      await tf.setBackend('cpu');
      const ref = run(tfjsReference, shape);
      await tf.setBackend('wasm');
      ortKernelCalls(true);
      const got = run(ours, shape);
      const calls = ortKernelCalls(true);
      assert.equal(calls.FairscopeBatchNormTrain, 2);
      assert.equal(calls.FairscopeBatchNormTrainGrad, 1);
      compare(got, ref, 2e-5);
    });
  }

  test('returns the batch mean and biased variance per channel (hand values)', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      // Channel 0: 1, 3, 5, 7 → mean 4, variance (9+1+1+9)/4 = 5. Channel 1: 2, 2, 2, 6 → 3, (1+1+1+9)/4 = 3.
      const x = tf.tensor2d([1, 2, 3, 2, 5, 2, 7, 6], [4, 2]);
      const { y, mean, variance } = batchNormTrain(x, tf.tensor1d([1, 2]), tf.tensor1d([0, 1]), 0);
      assertClose(mean.dataSync(), [4, 3], 1e-6, `${backend} mean`);
      assertClose(variance.dataSync(), [5, 3], 1e-6, `${backend} variance`);
      const s5 = Math.sqrt(5);
      const s3 = Math.sqrt(3);
      assertClose(
        y.dataSync(),
        [-3 / s5, 1 - 2 / s3, -1 / s5, 1 - 2 / s3, 1 / s5, 1 - 2 / s3, 3 / s5, 1 + 6 / s3],
        1e-6,
        `${backend} y`,
      );
    }
  });
});

test('rowsPerWideRow: the largest divisor k of M with k·C ≤ max(C, 1024)', () => {
  assert.equal(rowsPerWideRow(120, 3), 120); // 360 values per row
  assert.equal(rowsPerWideRow(18, 8), 18);
  assert.equal(rowsPerWideRow(256, 16), 64); // 1024
  assert.equal(rowsPerWideRow(65536, 16), 64);
  assert.equal(rowsPerWideRow(1031, 3), 1); // prime
  assert.equal(rowsPerWideRow(4096, 2048), 1); // rows already wide
  assert.equal(rowsPerWideRow(3 * 5 * 7, 100), 7); // 10 would fit, 7 is the largest divisor ≤ 10
});

describe('the fast BatchNormalization layer', () => {
  test("matches tfjs-layers' layer: training output, gradients, moving averages, inference", async () => {
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const args = { momentum: 0.9, epsilon: 1e-5 };
      const fast = batchNormalization({ ...args, name: 'fast' });
      const plain = tf.layers.batchNormalization({ ...args, name: 'plain' });
      const x = rand([3, 4, 4, 5], 21, 3, 2);
      fast.build(x.shape);
      plain.build(x.shape);
      plain.setWeights([rand([5], 1, 1, 1), rand([5], 2), rand([5], 3), rand([5], 4, 0.5, 1)]);
      fast.setWeights(plain.getWeights());
      const lossOf = (layer: tf.layers.Layer) => () =>
        tf.sum(
          tf.mul(
            layer.apply(x, { training: true }) as tf.Tensor,
            tf.sin(tf.range(0, x.size).reshape(x.shape)),
          ),
        );
      const vars = (l: tf.layers.Layer) => l.trainableWeights.map((w) => w.read() as tf.Variable); // gamma, beta
      const gf = tf.variableGrads(lossOf(fast) as () => tf.Scalar, vars(fast));
      const gp = tf.variableGrads(lossOf(plain) as () => tf.Scalar, vars(plain));
      assertClose(gf.value.dataSync(), Array.from(gp.value.dataSync()), 1e-5, `${backend} loss`);
      const grad = (g: Record<string, tf.Tensor>, l: tf.layers.Layer, i: number) =>
        Array.from((g[(vars(l)[i] as tf.Variable).name] as tf.Tensor).dataSync());
      for (const i of [0, 1])
        assertClose(grad(gf.grads, fast, i), grad(gp.grads, plain, i), 2e-5, `${backend} grad ${i}`);
      // Moving statistics after one training call (the call inside variableGrads).
      fast.getWeights().forEach((w, i) => {
        assertClose(
          w.dataSync(),
          Array.from((plain.getWeights()[i] as tf.Tensor).dataSync()),
          1e-5,
          `${backend} w${i}`,
        );
      });
      const inf = (l: tf.layers.Layer) =>
        Array.from((l.apply(x, { training: false }) as tf.Tensor).dataSync());
      assertClose(inf(fast), inf(plain), 1e-6, `${backend} inference`);
    }
  });

  test("serializes as tfjs's BatchNormalization and reloads with plain tf.loadLayersModel", async () => {
    await tf.setBackend('cpu');
    const input = tf.input({ shape: [4, 4, 3] });
    const model = tf.model({
      inputs: input,
      outputs: batchNormalization({ name: 'bn' }).apply(input) as tf.SymbolicTensor,
    });
    const x = rand([2, 4, 4, 3], 8);
    model.apply(x, { training: true }); // move the running statistics away from their initial values
    let artifacts: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const topology = JSON.stringify((artifacts as tf.io.ModelArtifacts).modelTopology);
    assert.match(topology, /"class_name":"BatchNormalization"/);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
    assertClose(
      (loaded.predict(x) as tf.Tensor).dataSync(),
      Array.from((model.predict(x) as tf.Tensor).dataSync()),
      1e-6,
      'reloaded prediction',
    );
  });
});
