import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { minimizeLbfgs, restrictByEvaluation, type SmoothObjective } from './lbfgs.js';

function objective(size: number, evaluate: (x: Float64Array, g: Float64Array) => number): SmoothObjective {
  const ev = async (x: Float64Array, g: Float64Array) => evaluate(x, g);
  return { size, evaluate: ev, restrict: restrictByEvaluation(ev) };
}

/** Extended Rosenbrock: Σ 100(x₂ᵢ − x₂ᵢ₋₁²)² + (1 − x₂ᵢ₋₁)², minimum 0 at (1, ..., 1). */
function rosenbrock(size: number): SmoothObjective {
  return objective(size, (x, g) => {
    let f = 0;
    g.fill(0);
    for (let i = 0; i < size; i += 2) {
      const t1 = 1 - x[i];
      const t2 = 10 * (x[i + 1] - x[i] * x[i]);
      f += t1 * t1 + t2 * t2;
      g[i] = -2 * t1 - 40 * x[i] * t2;
      g[i + 1] = 20 * t2;
    }
    return f;
  });
}

describe('minimizeLbfgs', () => {
  it('minimises the 2-D Rosenbrock function from the standard start (-1.2, 1)', async () => {
    const r = await minimizeLbfgs(rosenbrock(2), Float64Array.of(-1.2, 1), {
      gradientTolerance: 1e-9,
      relativeTolerance: 0,
    });
    assert.equal(r.stop, 'gradient');
    assert.ok(r.converged);
    assert.ok(Math.abs(r.x[0] - 1) < 1e-7 && Math.abs(r.x[1] - 1) < 1e-7, `x = ${r.x}`);
    assert.ok(r.iterations < 100, `${r.iterations} iterations`);
  });

  it('minimises a 20-D extended Rosenbrock function', async () => {
    const x0 = new Float64Array(20);
    for (let i = 0; i < 20; i += 2) {
      x0[i] = -1.2;
      x0[i + 1] = 1;
    }
    const r = await minimizeLbfgs(rosenbrock(20), x0, { gradientTolerance: 1e-8, relativeTolerance: 0 });
    assert.ok(r.converged);
    for (const v of r.x) assert.ok(Math.abs(v - 1) < 1e-6);
  });

  it('solves a convex quadratic: x* = A⁻¹b, written out by hand', async () => {
    // f = ½ xᵀAx − bᵀx with A = [[4,1,0],[1,3,1],[0,1,2]], b = A·[1,−2,3] = [2,−2,4].
    const A = [
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ];
    const b = [2, -2, 4];
    const quad = objective(3, (x, g) => {
      let f = 0;
      for (let i = 0; i < 3; i++) {
        let ax = 0;
        for (let j = 0; j < 3; j++) ax += A[i][j] * x[j];
        g[i] = ax - b[i];
        f += 0.5 * x[i] * ax - b[i] * x[i];
      }
      return f;
    });
    const r = await minimizeLbfgs(quad, new Float64Array(3), {
      gradientTolerance: 1e-12,
      relativeTolerance: 0,
    });
    assert.deepEqual(
      Array.from(r.x, (v) => Number(v.toFixed(9))),
      [1, -2, 3],
    );
  });

  it('stops at maxIterations and says it did not converge', async () => {
    const r = await minimizeLbfgs(rosenbrock(2), Float64Array.of(-1.2, 1), { maxIterations: 3 });
    assert.equal(r.stop, 'max-iterations');
    assert.equal(r.converged, false);
    assert.equal(r.iterations, 3);
  });

  it('returns at once when the start is already stationary', async () => {
    const r = await minimizeLbfgs(rosenbrock(2), Float64Array.of(1, 1));
    assert.equal(r.iterations, 0);
    assert.equal(r.stop, 'gradient');
    assert.equal(r.value, 0);
  });

  it('does not modify x0', async () => {
    const x0 = Float64Array.of(-1.2, 1);
    await minimizeLbfgs(rosenbrock(2), x0);
    assert.deepEqual(Array.from(x0), [-1.2, 1]);
  });
});
