import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../core/rng.js';
import { Gemm } from './gemm.js';

test('Gemm.abT equals a slow triple loop', async () => {
  const rng = new Rng(4);
  const [m, k, n] = [37, 19, 53];
  const a = Float32Array.from({ length: m * k }, () => rng.normal());
  const b = Float32Array.from({ length: n * k }, () => rng.normal());
  const gemm = await Gemm.create({ threads: 1 });
  try {
    const c = await gemm.abT(a, m, k, b, n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let t = 0; t < k; t++) dot += (a[i * k + t] as number) * (b[j * k + t] as number);
        assert.ok(Math.abs((c[i * n + j] as number) - dot) < 1e-4, `(${i},${j}) ${c[i * n + j]} vs ${dot}`);
      }
    }
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
