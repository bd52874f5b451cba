import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { createProducts, jsProducts, scoresJs, weightedSumJs } from './products.js';

function randomArray(rng: Rng, length: number, Type: typeof Float32Array | typeof Float64Array) {
  const a = new Type(length);
  for (let i = 0; i < length; i++) a[i] = rng.normal();
  return a;
}

/** Textbook triple loops: out[i][k] = Σ_j x[i][j]·w[k][j] and out[k][j] = Σ_i r[i][k]·x[i][j]. */
function naiveScores(x: Float32Array, n: number, d: number, w: Float64Array, c: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < c; k++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += x[i * d + j] * w[k * d + j];
      out.push(s);
    }
  }
  return out;
}

function naiveWeightedSum(x: Float32Array, n: number, d: number, r: Float64Array, c: number): number[] {
  const out: number[] = [];
  for (let k = 0; k < c; k++) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += r[i * c + k] * x[i * d + j];
      out.push(s);
    }
  }
  return out;
}

function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: number, what: string) {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol * scale,
      `${what}[${i}]: ${actual[i]} vs ${expected[i]}`,
    );
  }
}

describe('TypeScript products', () => {
  it('match the triple loops, for class counts with and without a remainder of 4', () => {
    const rng = new Rng(1);
    for (const [n, d, c] of [
      [7, 5, 1],
      [9, 13, 4],
      [11, 6, 7],
      [3, 1, 10],
    ]) {
      const x = randomArray(rng, n * d, Float32Array) as Float32Array;
      const w = randomArray(rng, c * d, Float64Array) as Float64Array;
      const r = randomArray(rng, n * c, Float64Array) as Float64Array;
      const z = new Float64Array(n * c);
      scoresJs(x, n, d, w, c, z);
      assertClose(z, naiveScores(x, n, d, w, c), 1e-12, `scores ${n}x${d}x${c}`);
      const g = new Float64Array(c * d).fill(99); // must be overwritten, not accumulated into
      weightedSumJs(x, n, d, r, c, g);
      assertClose(g, naiveWeightedSum(x, n, d, r, c), 1e-12, `weightedSum ${n}x${d}x${c}`);
    }
  });

  it('checks the feature matrix shape', () => {
    assert.throws(() => jsProducts(new Float32Array(5), 2, 3), /expected n·d = 2·3/);
  });
});

describe('onnxruntime products', () => {
  it('agree with the float64 loops to float32 precision', async () => {
    const rng = new Rng(2);
    const [n, d, c] = [300, 70, 9];
    const x = randomArray(rng, n * d, Float32Array) as Float32Array;
    const w = randomArray(rng, c * d, Float64Array) as Float64Array;
    const r = randomArray(rng, n * c, Float64Array) as Float64Array;
    const products = await createProducts(x, n, d, c, 'onnx', 1);
    assert.match(products.provider, /^onnxruntime\/cpu/);
    const z = new Float64Array(n * c);
    await products.scores(w, c, z);
    assertClose(z, naiveScores(x, n, d, w, c), 2e-5, 'scores');
    const g = new Float64Array(c * d);
    await products.weightedSum(r, c, g);
    assertClose(g, naiveWeightedSum(x, n, d, r, c), 1e-4, 'weightedSum');
  });

  it("'auto' keeps small problems in TypeScript", async () => {
    const products = await createProducts(new Float32Array(6), 2, 3, 2, 'auto');
    assert.equal(products.provider, 'js');
  });
});
