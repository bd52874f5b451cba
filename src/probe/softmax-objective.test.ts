import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { jsProducts } from './products.js';
import { crossEntropy, softmaxObjective } from './softmax-objective.js';

function problem(seed: number, n: number, d: number, c: number, l2: number) {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: n * d }, () => rng.normal());
  const labels = Int32Array.from({ length: n }, () => rng.int(c));
  return {
    x,
    labels,
    objective: softmaxObjective({ products: jsProducts(x, n, d), labels, numClasses: c, l2 }),
  };
}

describe('crossEntropy', () => {
  it('is log(c) with zero scores, and the residual is softmax − onehot', () => {
    // 2 rows, 3 classes, all scores 0: p = 1/3 everywhere.
    const r = new Float64Array(6);
    const ce = crossEntropy(new Float64Array(6), Int32Array.of(0, 2), 3, r);
    assert.ok(Math.abs(ce - Math.log(3)) < 1e-15);
    const third = 1 / 3;
    assert.deepEqual(
      Array.from(r, (v) => Number(v.toFixed(12))),
      [third - 1, third, third, third, third, third - 1].map((v) => Number(v.toFixed(12))),
    );
  });

  it('matches the two-class closed form log(1 + e^(z₁ − z₀)) for label 0', () => {
    const z = Float64Array.of(0.3, -1.1);
    const ce = crossEntropy(z, Int32Array.of(0), 2, null);
    assert.ok(Math.abs(ce - Math.log(1 + Math.exp(-1.1 - 0.3))) < 1e-15);
  });

  it('stays finite for huge scores (max subtracted)', () => {
    const ce = crossEntropy(Float64Array.of(1000, 0), Int32Array.of(1), 2, null);
    assert.ok(Math.abs(ce - 1000) < 1e-9);
  });
});

describe('softmaxObjective', () => {
  it('gradient matches central finite differences', async () => {
    const [n, d, c] = [12, 4, 3];
    const { objective } = problem(3, n, d, c, 0.05);
    const rng = new Rng(4);
    const x = Float64Array.from({ length: objective.size }, () => 0.5 * rng.normal());
    const g = new Float64Array(objective.size);
    await objective.evaluate(x, g);
    const h = 1e-6;
    const scratch = new Float64Array(objective.size);
    for (let i = 0; i < objective.size; i++) {
      const xp = Float64Array.from(x);
      const xm = Float64Array.from(x);
      xp[i] += h;
      xm[i] -= h;
      const fd =
        ((await objective.evaluate(xp, scratch)) - (await objective.evaluate(xm, scratch))) / (2 * h);
      assert.ok(Math.abs(fd - g[i]) < 1e-7, `∂f/∂θ[${i}]: ${g[i]} vs finite difference ${fd}`);
    }
  });

  it('at zero parameters: f = log c and ∂f/∂b = 1/c − class frequency', async () => {
    const [n, d, c] = [10, 3, 4];
    const { labels, objective } = problem(5, n, d, c, 1);
    const g = new Float64Array(objective.size);
    const f = await objective.evaluate(new Float64Array(objective.size), g);
    assert.ok(Math.abs(f - Math.log(c)) < 1e-15);
    for (let k = 0; k < c; k++) {
      const freq = labels.filter((y) => y === k).length / n;
      assert.ok(Math.abs(g[c * d + k] - (1 / c - freq)) < 1e-15);
    }
  });

  it('line restriction agrees with full evaluations at x + α·p', async () => {
    const [n, d, c] = [15, 5, 3];
    const { objective } = problem(6, n, d, c, 0.01);
    const rng = new Rng(7);
    const x = Float64Array.from({ length: objective.size }, () => rng.normal());
    const p = Float64Array.from({ length: objective.size }, () => rng.normal());
    const g = new Float64Array(objective.size);
    await objective.evaluate(x, g);
    const line = await objective.restrict(x, p);
    for (const alpha of [0, 0.1, 0.7, 2]) {
      const point = x.map((v, i) => v + alpha * p[i]);
      const gp = new Float64Array(objective.size);
      const f = await objective.evaluate(point, gp);
      const { value, slope } = await line.at(alpha);
      assert.ok(Math.abs(value - f) < 1e-12, `φ(${alpha})`);
      const expected = gp.reduce((s, v, i) => s + v * p[i], 0);
      assert.ok(Math.abs(slope - expected) < 1e-12, `φ'(${alpha})`);
    }
    // gradientAt moves the cached scores: it must equal a fresh evaluation.
    const fresh = await objective.restrict(x, p);
    const moved = new Float64Array(objective.size);
    await fresh.gradientAt(0.7, moved);
    const expected = new Float64Array(objective.size);
    await objective.evaluate(
      x.map((v, i) => v + 0.7 * p[i]),
      expected,
    );
    for (let i = 0; i < objective.size; i++) assert.ok(Math.abs(moved[i] - expected[i]) < 1e-12);
  });
});
