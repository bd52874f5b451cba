import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { Gemm, sharedGemm } from './gemm.js';

/** Checks c (m, n) against a slow triple loop over a (m, k) and B[t][j] = bAt(t, j). */
function assertProduct(
  c: Float32Array,
  a: Float32Array,
  m: number,
  k: number,
  bAt: (t: number, j: number) => number,
  n: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let t = 0; t < k; t++) dot += (a[i * k + t] as number) * bAt(t, j);
      assert.ok(Math.abs((c[i * n + j] as number) - dot) < 1e-4, `(${i},${j}) ${c[i * n + j]} vs ${dot}`);
    }
  }
}

test('Gemm.abT equals a slow triple loop', async () => {
  const rng = new Rng(4);
  const [m, k, n] = [37, 19, 53];
  const a = Float32Array.from({ length: m * k }, () => rng.normal());
  const b = Float32Array.from({ length: n * k }, () => rng.normal());
  const gemm = await Gemm.create({ threads: 1 });
  try {
    assertProduct(await gemm.abT(a, m, k, b, n), a, m, k, (t, j) => b[j * k + t] as number, n);
    // into a caller's buffer, on views of larger arrays
    const out = new Float32Array(2 * 2);
    const big = new Float32Array(10);
    big.set([1, 0, 0, 1, 1, 1], 4); // rows (1,0,0) and (1,1,1) at offset 4
    await gemm.abT(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3, big.subarray(4, 10), 2, out);
    // [1,2,3]·[1,0,0] = 1, ·[1,1,1] = 6; [4,5,6] -> 4, 15
    assert.deepEqual([...out], [1, 6, 4, 15]);
    await assert.rejects(gemm.abT(a, m, k + 1, b, n), /a has/);
  } finally {
    await gemm.dispose();
  }
});

test('Gemm.ab equals a slow triple loop, and sharedGemm keeps one engine per thread count', async () => {
  const rng = new Rng(5);
  const [m, k, n] = [23, 31, 17];
  const a = Float32Array.from({ length: m * k }, () => rng.normal());
  const b = Float32Array.from({ length: k * n }, () => rng.normal()); // (k, n)
  const gemm = await sharedGemm(1);
  assert.ok(gemm !== null);
  assert.equal(await sharedGemm(1), gemm);
  assert.equal(gemm.provider, 'onnxruntime/cpu x1');
  assertProduct(await gemm.ab(a, m, k, b, n), a, m, k, (t, j) => b[t * n + j] as number, n);
  // [[1,2],[3,4]] · [[5,6,7],[8,9,10]] = [[21,24,27],[47,54,61]], into a caller's buffer
  const out = new Float32Array(6);
  await gemm.ab(new Float32Array([1, 2, 3, 4]), 2, 2, new Float32Array([5, 6, 7, 8, 9, 10]), 3, out);
  assert.deepEqual([...out], [21, 24, 27, 47, 54, 61]);
  await assert.rejects(gemm.ab(a, m, k, b, n, new Float32Array(3)), /Gemm\.ab: out has 3 values/);
});
