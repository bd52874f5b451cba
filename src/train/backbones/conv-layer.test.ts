import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../backend/select.js';
import { ortKernelCalls } from '../backend/wasm-ort-kernels.js';
import { assertClose } from '../testing/close.js';
import { conv2d } from './conv-layer.js';

// Reference: tfjs-layers' own Conv2D layer (fused conv2d op) with the same weights.

before(async () => {
  delete process.env.FAIRSCOPE_ORT_KERNELS;
  await selectBackend('wasm');
});

function rand(shape: number[], seed: number): tf.Tensor {
  let s = seed;
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => {
      s = (s * 1103515245 + 12345) % 2147483648;
      return s / 2147483648 - 0.5;
    }),
    shape,
  );
}

test("matches tfjs-layers' Conv2D: output and gradients of input and kernel (cpu, wasm)", async () => {
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    for (const strides of [1, 2]) {
      const args = { filters: 6, kernelSize: 3, strides, padding: 'same' as const, useBias: false };
      const ours = conv2d({ ...args, name: 'ours' });
      const plain = tf.layers.conv2d({ ...args, name: 'plain' });
      const x = rand([2, 7, 7, 4], 3);
      ours.build(x.shape);
      plain.build(x.shape);
      ours.setWeights(plain.getWeights());
      const out = Math.ceil(7 / strides);
      const r = tf.sin(tf.range(0, 2 * out * out * 6).reshape([2, out, out, 6]));
      const xv = tf.variable(x);
      const grads = (layer: tf.layers.Layer) => {
        const w = layer.trainableWeights[0]?.read() as tf.Variable;
        const g = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(xv) as tf.Tensor, r)), [xv, w]).grads;
        return [g[xv.name], g[w.name]];
      };
      assertClose(
        (ours.apply(x) as tf.Tensor).dataSync(),
        Array.from((plain.apply(x) as tf.Tensor).dataSync()),
        1e-6,
        `${backend} stride ${strides} y`,
      );
      const [gx, gw] = grads(ours);
      const [px, pw] = grads(plain);
      assertClose(
        (gx as tf.Tensor).dataSync(),
        Array.from((px as tf.Tensor).dataSync()),
        1e-6,
        `${backend} dx`,
      );
      assertClose(
        (gw as tf.Tensor).dataSync(),
        Array.from((pw as tf.Tensor).dataSync()),
        1e-6,
        `${backend} dw`,
      );
    }
  }
});

test('a first layer (input needs no gradient) computes only the filter gradient', async () => {
  await tf.setBackend('wasm');
  const input = tf.input({ shape: [8, 8, 3] });
  const model = tf.model({
    inputs: input,
    outputs: conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false }).apply(
      input,
    ) as tf.SymbolicTensor,
  });
  const x = rand([2, 8, 8, 3], 5);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  ortKernelCalls(true);
  const { grads } = tf.variableGrads(
    () => tf.sum(tf.square(model.apply(x, { training: true }) as tf.Tensor)),
    vars,
  );
  const calls = ortKernelCalls(true);
  assert.equal(calls.Conv2DBackpropFilter, 1);
  assert.equal(calls.Conv2DBackpropInput, undefined, JSON.stringify(calls));
  // tfjs-layers' fused path computes both.
  const plainModel = tf.model({
    inputs: input,
    outputs: tf.layers
      .conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false })
      .apply(input) as tf.SymbolicTensor,
  });
  plainModel.setWeights(model.getWeights());
  const pvars = plainModel.trainableWeights.map((w) => w.read() as tf.Variable);
  const plain = tf.variableGrads(
    () => tf.sum(tf.square(plainModel.apply(x, { training: true }) as tf.Tensor)),
    pvars,
  );
  assert.equal(ortKernelCalls(true).Conv2DBackpropInput, 1);
  assertClose(
    (grads[(vars[0] as tf.Variable).name] as tf.Tensor).dataSync(),
    Array.from((plain.grads[(pvars[0] as tf.Variable).name] as tf.Tensor).dataSync()),
    1e-6,
    'dw',
  );
});

test("serializes as tfjs's Conv2D and reloads with plain tf.loadLayersModel", async () => {
  await tf.setBackend('cpu');
  const input = tf.input({ shape: [5, 5, 2] });
  const model = tf.model({
    inputs: input,
    outputs: conv2d({ filters: 3, kernelSize: 3, useBias: false, name: 'c' }).apply(
      input,
    ) as tf.SymbolicTensor,
  });
  let artifacts: tf.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      artifacts = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  assert.match(JSON.stringify((artifacts as tf.io.ModelArtifacts).modelTopology), /"class_name":"Conv2D"/);
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts as tf.io.ModelArtifacts));
  const x = rand([1, 5, 5, 2], 9);
  assertClose(
    (loaded.predict(x) as tf.Tensor).dataSync(),
    Array.from((model.predict(x) as tf.Tensor).dataSync()),
    1e-6,
    'reloaded prediction',
  );
});
