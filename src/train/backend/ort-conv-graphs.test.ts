import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertClose } from '../testing/close.js';
import { rand } from '../testing/conv-results.js';
import { type ConvGeometry, convFilterGradGraph, imagesPerChunk } from './ort-conv-graphs.js';
import { modelBytes } from './ort-kernel-support.js';
import { OrtSyncSession } from './ort-sync.js';

/** dW[i, j, ci, co] = Σ_{n, p, q} x[n, p·s + i − top, q·s + j − left, ci] · dy[n, p, q, co], as loops. */
function filterGradLoops(g: ConvGeometry, x: Float32Array, dy: Float32Array): Float32Array {
  const { batch, inHeight: h, inWidth: w, inChannels: ci, outHeight: oh, outWidth: ow, outChannels: co } = g;
  const out = new Float32Array(g.filterHeight * g.filterWidth * ci * co);
  for (let i = 0; i < g.filterHeight; i++)
    for (let j = 0; j < g.filterWidth; j++)
      for (let n = 0; n < batch; n++)
        for (let p = 0; p < oh; p++)
          for (let q = 0; q < ow; q++) {
            const r = p * g.strideHeight + i - g.pad.top;
            const c = q * g.strideWidth + j - g.pad.left;
            if (r < 0 || r >= h || c < 0 || c >= w) continue;
            for (let a = 0; a < ci; a++) {
              const xv = x[((n * h + r) * w + c) * ci + a] as number;
              for (let b = 0; b < co; b++)
                out[((i * g.filterWidth + j) * ci + a) * co + b] +=
                  xv * (dy[((n * oh + p) * ow + q) * co + b] as number);
            }
          }
  return out;
}

test('imagesPerChunk: the largest divisor of the batch whose padded inputs fit the budget', () => {
  assert.equal(imagesPerChunk(64, 34 * 34 * 64 * 4), 4); // 296 KB per image, 1.25 MB budget
  assert.equal(imagesPerChunk(128, 34 * 34 * 16 * 4), 16); // 74 KB: 17 fit, 16 divides 128
  assert.equal(imagesPerChunk(6, 100, 250), 2);
  assert.equal(imagesPerChunk(7, 100, 650), 1); // 7 is prime
  assert.equal(imagesPerChunk(4, 10 ** 7), 1);
});

test('filter gradient in chunks of images equals the reference loops (same, valid; stride 1, 2)', () => {
  // 18×18 inputs: 256+ output positions per image at stride 1, so the products go per image.
  for (const c of [
    { stride: 1, pad: { top: 1, bottom: 1, left: 1, right: 1 }, out: 18 },
    { stride: 1, pad: { top: 0, bottom: 0, left: 0, right: 0 }, out: 16 },
  ]) {
    const g: ConvGeometry = {
      batch: 6,
      inHeight: 18,
      inWidth: 18,
      inChannels: 4,
      outHeight: c.out,
      outWidth: c.out,
      outChannels: 5,
      filterHeight: 3,
      filterWidth: 3,
      strideHeight: c.stride,
      strideWidth: c.stride,
      dilationHeight: 1,
      dilationWidth: 1,
      pad: c.pad,
    };
    const x = rand(6 * 18 * 18 * 4, 3);
    const dy = rand(6 * c.out * c.out * 5, 5);
    const ref = filterGradLoops(g, x, dy);
    const imageBytes = 20 * 20 * 4 * 4;
    for (const budget of [imageBytes * 2, imageBytes * 3, 2 ** 30]) {
      const graph = convFilterGradGraph(g, budget);
      const chunks = graph.nodes.filter((n) => n.op === 'MatMul').length / 9;
      assert.equal(chunks, 6 / imagesPerChunk(6, c.pad.top ? imageBytes : 18 * 18 * 16, budget));
      const s = OrtSyncSession.create(modelBytes(graph), {
        inputs: { x: [6, 18, 18, 4], dy: [6 * c.out * c.out, 5] },
        outputs: { dw: [9, 4, 5] },
      });
      const dw = new Float32Array(9 * 4 * 5);
      s.run({ x, dy }, { dw });
      s.dispose();
      assertClose(dw, Array.from(ref), 1e-5, `pad ${c.pad.top}, ${chunks} chunks`);
    }
  }
});
