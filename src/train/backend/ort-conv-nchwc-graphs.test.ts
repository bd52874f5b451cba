import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { onnxModelBytes } from '../../linalg/onnx-model.js';
import { assertClose } from '../testing/close.js';
import { convResults, rand } from '../testing/conv-results.js';
import type { ConvGeometry } from './ort-conv-graphs.js';
import { nchwcFilterGradFits, nchwcForwardFits, nchwcInputGradFits } from './ort-conv-nchwc-graphs.js';
import { modelBytes } from './ort-kernel-support.js';
import { selectBackend } from './select.js';
import { nchwcBlockSize, ortKernelCalls, useNchwcGraphs } from './wasm-ort-kernels.js';

// Reference: TF.js's cpu backend (plain loops), on the same inputs.

let block: number | null = null;
before(async () => {
  delete process.env.FAIRSCOPE_ORT_KERNELS;
  const sel = await selectBackend('wasm');
  assert.deepEqual(sel.ortKernels, { active: true });
  block = nchwcBlockSize();
});

function geometry(
  ci: number,
  co: number,
  k: number,
  stride: number,
  pad: [number, number],
  size = 8,
  dilation = 1,
): ConvGeometry {
  const out = (size + pad[0] + pad[1] - (k - 1) * dilation - 1) / stride + 1;
  return {
    batch: 2,
    inHeight: size,
    inWidth: size,
    inChannels: ci,
    outHeight: Math.floor(out),
    outWidth: Math.floor(out),
    outChannels: co,
    filterHeight: k,
    filterWidth: k,
    strideHeight: stride,
    strideWidth: stride,
    dilationHeight: dilation,
    dilationWidth: dilation,
    pad: { top: pad[0], bottom: pad[1], left: pad[0], right: pad[1] },
  };
}

describe('which geometries the NCHWc graphs take (block 16)', () => {
  test('forward: fewer input channels than a block, or a multiple of 4 (padded to blocks)', () => {
    assert.equal(nchwcForwardFits(geometry(3, 5, 3, 1, [1, 1]), 16), true);
    assert.equal(nchwcForwardFits(geometry(32, 5, 3, 2, [0, 1]), 16), true);
    assert.equal(nchwcForwardFits(geometry(24, 16, 3, 1, [1, 1]), 16), true);
    assert.equal(nchwcForwardFits(geometry(18, 16, 3, 1, [1, 1]), 16), false);
  });
  test('filter gradient: under half a block of input channels, whole blocks of images, all input read', () => {
    assert.equal(nchwcFilterGradFits({ ...geometry(3, 16, 3, 1, [1, 1]), batch: 64 }, 16), true);
    assert.equal(nchwcFilterGradFits({ ...geometry(8, 16, 3, 1, [1, 1]), batch: 64 }, 16), false);
    assert.equal(nchwcFilterGradFits({ ...geometry(3, 16, 3, 1, [1, 1]), batch: 24 }, 16), false);
    // 10 rows, 3×3 stride 2 valid: 4 output rows read input rows 0-8, row 9 unread.
    assert.equal(nchwcFilterGradFits({ ...geometry(3, 16, 3, 2, [0, 0], 10), batch: 64 }, 16), false);
  });
  test('input gradient: stride 1, readable output channels, padding within the kernel', () => {
    assert.equal(nchwcInputGradFits(geometry(24, 16, 3, 1, [1, 1]), 16), true); // input channels padded
    assert.equal(nchwcInputGradFits(geometry(16, 16, 3, 2, [0, 1]), 16), false);
    assert.equal(nchwcInputGradFits(geometry(16, 24, 3, 1, [1, 1]), 16), true);
    assert.equal(nchwcInputGradFits(geometry(16, 18, 3, 1, [1, 1]), 16), false);
    assert.equal(nchwcInputGradFits(geometry(16, 16, 3, 1, [3, 3]), 16), false); // pad 3 > k − 1
    assert.equal(nchwcInputGradFits(geometry(16, 16, 3, 1, [0, 0]), 16), true); // valid
  });
});

test('modelBytes imports each extra operator domain as one more opset_import field', () => {
  const graph = {
    nodes: [{ op: 'ReorderInput', domain: 'com.microsoft.nchwc', inputs: ['x'], outputs: ['y'] }],
    inputs: [{ name: 'x', shape: [1, 4, 1, 1] }],
    outputs: [{ name: 'y', shape: [1, 16, 1, 1] }],
  };
  const bytes = modelBytes(graph);
  // 0x42 = field 8, wire type 2; 23 bytes: 0x0a (field 1) 19 "com.microsoft.nchwc", 0x10 (field 2) 1.
  const tail = [0x42, 23, 0x0a, 19, ...Buffer.from('com.microsoft.nchwc'), 0x10, 1];
  assert.deepEqual(Array.from(bytes.subarray(bytes.length - tail.length)), tail);
  const plain = { ...graph, nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }] };
  assert.deepEqual(modelBytes(plain), onnxModelBytes(plain));
});

interface Case {
  x: [number, number, number, number];
  k: number;
  cout: number;
  stride: number;
  pad: 'same' | 'valid' | number;
  dilation?: number;
  /** Whether the forward, the input and the filter gradients are expected on the NCHWc graphs. */
  nchwc: { forward: boolean; inputGrad: boolean; filterGrad?: boolean };
}

// Channel counts of 16/32 (blocked input, block 8 or 16), 3 (plain NCHW input), 20 (padded to whole
// blocks), 18 (not a multiple of 4: plain graphs), output channels padded to a block (20, 5).
const cases: Case[] = [
  { x: [2, 8, 8, 16], k: 3, cout: 16, stride: 1, pad: 'same', nchwc: { forward: true, inputGrad: true } },
  { x: [2, 9, 9, 16], k: 3, cout: 32, stride: 2, pad: 'same', nchwc: { forward: true, inputGrad: false } },
  { x: [2, 8, 8, 32], k: 1, cout: 16, stride: 2, pad: 'same', nchwc: { forward: true, inputGrad: false } },
  { x: [2, 8, 8, 16], k: 3, cout: 20, stride: 1, pad: 'valid', nchwc: { forward: true, inputGrad: true } },
  { x: [2, 8, 8, 20], k: 3, cout: 16, stride: 1, pad: 'same', nchwc: { forward: true, inputGrad: true } },
  { x: [2, 8, 8, 18], k: 3, cout: 16, stride: 1, pad: 'same', nchwc: { forward: false, inputGrad: true } },
  { x: [2, 8, 8, 16], k: 3, cout: 18, stride: 1, pad: 'same', nchwc: { forward: true, inputGrad: false } },
  { x: [2, 8, 8, 3], k: 3, cout: 16, stride: 1, pad: 1, nchwc: { forward: true, inputGrad: true } },
  { x: [2, 9, 9, 16], k: 5, cout: 16, stride: 1, pad: 'same', nchwc: { forward: true, inputGrad: true } },
  { x: [2, 8, 8, 16], k: 3, cout: 5, stride: 1, pad: 'same', nchwc: { forward: true, inputGrad: true } },
  // First layers (3 input channels, 16 images: whole blocks of 8 or 16): the filter gradient too.
  {
    x: [16, 8, 8, 3],
    k: 3,
    cout: 16,
    stride: 1,
    pad: 'same',
    nchwc: { forward: true, inputGrad: true, filterGrad: true },
  },
  {
    x: [16, 9, 9, 3],
    k: 3,
    cout: 5,
    stride: 2,
    pad: 'same',
    nchwc: { forward: true, inputGrad: false, filterGrad: true },
  },
  {
    x: [16, 12, 12, 3],
    k: 7,
    cout: 8,
    stride: 2,
    pad: 'same',
    nchwc: { forward: true, inputGrad: false, filterGrad: true },
  },
  // Valid padding leaving the last input row unread: the per-tap products.
  {
    x: [16, 10, 10, 3],
    k: 3,
    cout: 4,
    stride: 2,
    pad: 'valid',
    nchwc: { forward: true, inputGrad: false, filterGrad: false },
  },
];

describe('NCHWc convolution graphs on wasm equal the cpu backend (1e-5 of the largest value)', () => {
  for (const c of cases) {
    const name = `x ${c.x.join('x')}, ${c.k}x${c.k} → ${c.cout}, stride ${c.stride}, ${c.pad}`;
    test(name, async (t) => {
      if (block === null) return t.skip('no NCHWc kernels on this CPU');
      const ref = await convResults('cpu', c);
      ortKernelCalls(true);
      const got = await convResults('wasm', c);
      const calls = ortKernelCalls(true);
      // The forward runs twice (y, then inside tf.grads).
      assert.equal(calls['Conv2D:nchwc'] ?? 0, c.nchwc.forward ? 2 : 0, JSON.stringify(calls));
      assert.equal(calls['Conv2DBackpropInput:nchwc'] ?? 0, c.nchwc.inputGrad ? 1 : 0, JSON.stringify(calls));
      assert.equal(
        calls['Conv2DBackpropFilter:nchwc'] ?? 0,
        c.nchwc.filterGrad ? 1 : 0,
        JSON.stringify(calls),
      );
      assertClose(got.y, ref.y, 1e-5, 'y');
      assertClose(got.dx, ref.dx, 1e-5, 'dx');
      assertClose(got.dw, ref.dw, 1e-5, 'dw');
    });
  }

  test('fused bias + activation with output channels padded to a block; dilated forward', async (t) => {
    if (block === null) return t.skip('no NCHWc kernels on this CPU');
    for (const f of [
      { activation: 'relu', bias: true, dilation: 1, cout: 20 },
      { activation: 'leakyrelu', bias: true, dilation: 1, cout: 16 },
      { activation: 'linear', bias: false, dilation: 2, cout: 16 },
    ] as const) {
      const run = async (backend: string) => {
        await tf.setBackend(backend);
        return tf.tidy(() =>
          Array.from(
            tf.fused
              .conv2d({
                x: tf.tensor4d(rand(2 * 9 * 9 * 16, 3), [2, 9, 9, 16]),
                filter: tf.tensor4d(rand(3 * 3 * 16 * f.cout, 5), [3, 3, 16, f.cout]),
                strides: 1,
                pad: 'same',
                dilations: f.dilation,
                bias: f.bias ? tf.tensor1d(rand(f.cout, 9)) : undefined,
                activation: f.activation,
                leakyreluAlpha: 0.3,
              })
              .dataSync(),
          ),
        );
      };
      const ref = await run('cpu');
      ortKernelCalls(true);
      const got = await run('wasm');
      assert.equal(ortKernelCalls(true)['FusedConv2D:nchwc'], 1);
      assertClose(got, ref, 1e-5, `${f.activation} y`);
    }
  });

  test('with the NCHWc graphs turned off, the plain graphs give the same results', async (t) => {
    if (block === null) return t.skip('no NCHWc kernels on this CPU');
    const c = cases[0] as Case;
    const on = await convResults('wasm', c);
    useNchwcGraphs(false);
    try {
      ortKernelCalls(true);
      const off = await convResults('wasm', c);
      const calls = ortKernelCalls(true);
      assert.equal(calls['Conv2D:nchwc'], undefined);
      assert.equal(calls.Conv2D, 2);
      assertClose(off.y, on.y, 1e-5, 'y');
      assertClose(off.dx, on.dx, 1e-5, 'dx');
    } finally {
      useNchwcGraphs(true);
    }
  });
});
