import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertClose } from '../testing/close.js';
import { convResults, rand } from '../testing/conv-results.js';
import { selectBackend } from './select.js';
import { ortKernelCalls, registerOrtWasmKernels, unregisterOrtWasmKernels } from './wasm-ort-kernels.js';

// Reference: TF.js's cpu backend (plain loops), on the same inputs.

before(async () => {
  delete process.env.FAIRSCOPE_ORT_KERNELS;
  const sel = await selectBackend('wasm');
  assert.equal(sel.backend, 'wasm');
  assert.deepEqual(sel.ortKernels, { active: true });
});

interface ConvCase {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  stride: number | [number, number];
  pad: 'same' | 'valid' | number;
}

const cases: ConvCase[] = [
  { x: [2, 7, 7, 3], k: [1, 1], cout: 4, stride: 1, pad: 'same' },
  { x: [2, 7, 7, 3], k: [1, 1], cout: 4, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 3], k: [3, 3], cout: 5, stride: 1, pad: 'same' },
  { x: [2, 8, 8, 3], k: [3, 3], cout: 5, stride: 2, pad: 'same' },
  { x: [2, 9, 9, 3], k: [3, 3], cout: 5, stride: 2, pad: 'same' },
  { x: [3, 9, 8, 2], k: [3, 3], cout: 4, stride: 1, pad: 'valid' },
  { x: [3, 9, 8, 2], k: [3, 3], cout: 4, stride: 2, pad: 'valid' },
  { x: [1, 11, 11, 2], k: [5, 5], cout: 3, stride: 2, pad: 'same' },
  { x: [2, 10, 7, 3], k: [3, 1], cout: 2, stride: [2, 1], pad: 'valid' },
  { x: [1, 8, 8, 3], k: [3, 3], cout: 4, stride: 1, pad: 1 },
  // Output maps of at least PER_IMAGE_PRODUCTS_FROM positions: the filter gradient batched per image.
  { x: [2, 18, 18, 3], k: [3, 3], cout: 4, stride: 1, pad: 'same' },
  { x: [2, 33, 34, 2], k: [3, 3], cout: 3, stride: 2, pad: 'valid' },
  { x: [2, 16, 16, 3], k: [1, 1], cout: 2, stride: 1, pad: 'valid' },
];

const label = (c: ConvCase) =>
  `x ${c.x.join('x')}, ${c.k.join('x')}, stride ${c.stride}, ${typeof c.pad === 'number' ? `pad ${c.pad}` : c.pad}`;

describe('onnxruntime conv kernels on wasm equal the cpu backend (1e-5 of the largest value)', () => {
  for (const c of cases) {
    test(`conv2d forward, input and filter gradients: ${label(c)}`, async () => {
      const ref = await convResults('cpu', c);
      ortKernelCalls(true);
      const got = await convResults('wasm', c);
      const calls = ortKernelCalls(true);
      assert.ok((calls.Conv2D ?? 0) >= 1, `Conv2D ran on onnxruntime: ${JSON.stringify(calls)}`);
      assert.equal(calls.Conv2DBackpropInput, 1);
      assert.equal(calls.Conv2DBackpropFilter, 1);
      assertClose(got.y, ref.y, 1e-5, 'y');
      assertClose(got.dx, ref.dx, 1e-5, 'dx');
      assertClose(got.dw, ref.dw, 1e-5, 'dw');
    });
  }

  const fusedCases: { activation: tf.fused.Activation; bias: boolean; dilation: number; alpha?: number }[] = [
    { activation: 'linear', bias: true, dilation: 1 },
    { activation: 'relu', bias: true, dilation: 1 },
    { activation: 'relu', bias: false, dilation: 2 },
    { activation: 'elu', bias: true, dilation: 1 },
    { activation: 'sigmoid', bias: false, dilation: 1 },
    { activation: 'leakyrelu', bias: true, dilation: 1, alpha: 0.3 },
  ];
  for (const f of fusedCases) {
    test(`fused conv2d forward: ${f.activation}, ${f.bias ? 'bias' : 'no bias'}, dilation ${f.dilation}`, async () => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() =>
          Array.from(
            tf.fused
              .conv2d({
                x: tf.tensor4d(rand(2 * 9 * 9 * 3, 3), [2, 9, 9, 3]),
                filter: tf.tensor4d(rand(3 * 3 * 3 * 4, 5), [3, 3, 3, 4]),
                strides: f.dilation === 1 ? 2 : 1,
                pad: 'same',
                dilations: f.dilation,
                bias: f.bias ? tf.tensor1d([0.1, -0.2, 0.3, 0]) : undefined,
                activation: f.activation,
                leakyreluAlpha: f.alpha,
              })
              .dataSync(),
          ),
        );
      };
      const ref = await run('cpu');
      ortKernelCalls(true);
      const got = await run('wasm');
      assert.equal(ortKernelCalls(true).FusedConv2D, 1);
      assertClose(got, ref, 1e-5, 'y');
    });
  }

  const matMulCases: { a: number[]; b: number[]; ta: boolean; tb: boolean; ort: boolean }[] = [
    { a: [6, 4], b: [6, 5], ta: true, tb: false, ort: true }, // a dense layer's weight gradient xᵀ·dy
    { a: [4, 6], b: [5, 6], ta: false, tb: true, ort: true }, // its input gradient dy·wᵀ
    { a: [3, 6, 4], b: [3, 5, 6], ta: true, tb: true, ort: true },
    { a: [2, 3, 4, 6], b: [6, 5], ta: false, tb: false, ort: false }, // small: wasm's own
    { a: [1, 4, 6], b: [3, 5, 6], ta: false, tb: true, ort: true }, // batch broadcast from one matrix
    { a: [2, 64, 128], b: [2, 128, 64], ta: false, tb: false, ort: true }, // 2^20 multiply-adds
    { a: [2, 1, 4, 6], b: [1, 3, 6, 5], ta: false, tb: false, ort: false }, // (2, 1) × (1, 3) batches: wasm's own
  ];
  for (const c of matMulCases) {
    test(`matMul ${c.a.join('x')}${c.ta ? 'ᵀ' : ''} · ${c.b.join('x')}${c.tb ? 'ᵀ' : ''}`, async () => {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const a = tf.tensor(
            rand(
              c.a.reduce((x, y) => x * y),
              13,
            ),
            c.a,
          );
          const b = tf.tensor(
            rand(
              c.b.reduce((x, y) => x * y),
              17,
            ),
            c.b,
          );
          const y = tf.matMul(a, b, c.ta, c.tb);
          return { shape: y.shape, y: Array.from(y.dataSync()) };
        });
      };
      const ref = await run('cpu');
      ortKernelCalls(true);
      const got = await run('wasm');
      assert.equal(ortKernelCalls(true).BatchMatMul, c.ort ? 1 : undefined);
      assert.deepEqual(got.shape, ref.shape);
      assertClose(got.y, ref.y, 1e-5, 'y');
    });
  }

  test('with the onnxruntime kernels removed, the pure TF.js kernels give the same results', async () => {
    const c = cases[4] as ConvCase;
    const ref = await convResults('cpu', c);
    unregisterOrtWasmKernels();
    try {
      ortKernelCalls(true);
      const got = await convResults('wasm', c);
      assert.deepEqual(ortKernelCalls(true), {});
      assertClose(got.y, ref.y, 1e-5, 'y');
      assertClose(got.dx, ref.dx, 1e-5, 'dx');
      assertClose(got.dw, ref.dw, 1e-5, 'dw');
    } finally {
      assert.deepEqual(registerOrtWasmKernels(), { active: true });
    }
  });
});
