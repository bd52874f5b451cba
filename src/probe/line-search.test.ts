import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cubicMinimizer, type LineFunction, strongWolfeSearch } from './line-search.js';

/** A line function from φ and φ', counting calls. */
function line(phi: (a: number) => number, dphi: (a: number) => number): LineFunction & { calls: number } {
  const f = Object.assign(
    async (a: number) => {
      f.calls++;
      return { value: phi(a), slope: dphi(a) };
    },
    { calls: 0 },
  );
  return f;
}

function assertWolfe(
  phi0: number,
  slope0: number,
  r: { alpha: number; value: number; slope: number },
  c1 = 1e-4,
  c2 = 0.9,
) {
  assert.ok(r.value <= phi0 + c1 * r.alpha * slope0, `sufficient decrease fails at α=${r.alpha}`);
  assert.ok(Math.abs(r.slope) <= -c2 * slope0, `curvature fails at α=${r.alpha}: φ'=${r.slope}`);
}

describe('cubicMinimizer', () => {
  it('finds the exact minimiser of a cubic from two points', () => {
    // φ(a) = a³ − 3a: φ' = 3a² − 3, local minimum at a = 1.
    const p = (a: number) => ({ alpha: a, value: a ** 3 - 3 * a, slope: 3 * a * a - 3 });
    assert.ok(Math.abs(cubicMinimizer(p(0), p(2)) - 1) < 1e-12);
    assert.ok(Math.abs(cubicMinimizer(p(2), p(0.5)) - 1) < 1e-12);
  });

  it('finds the minimiser of a quadratic (a cubic with zero leading term)', () => {
    // φ(a) = (a − 0.3)²
    const p = (a: number) => ({ alpha: a, value: (a - 0.3) ** 2, slope: 2 * (a - 0.3) });
    assert.ok(Math.abs(cubicMinimizer(p(0), p(1)) - 0.3) < 1e-12);
  });
});

describe('strongWolfeSearch', () => {
  it('accepts the unit step on a quadratic whose minimum is at α = 1', async () => {
    const f = line(
      (a) => (a - 1) ** 2,
      (a) => 2 * (a - 1),
    );
    const r = await strongWolfeSearch(f, 1, -2, 1);
    assert.ok(r !== null);
    assert.equal(r.alpha, 1);
    assert.equal(r.evaluations, 1);
    assert.equal(r.wolfe, true);
  });

  it('zooms in when the first step is far too long', async () => {
    // minimum at α = 0.01; the first trial α = 1 overshoots.
    const phi = (a: number) => (a - 0.01) ** 2;
    const dphi = (a: number) => 2 * (a - 0.01);
    const r = await strongWolfeSearch(line(phi, dphi), phi(0), dphi(0), 1);
    assert.ok(r !== null);
    assertWolfe(phi(0), dphi(0), r);
  });

  it('extrapolates when the first step is far too short', async () => {
    const phi = (a: number) => (a - 50) ** 2;
    const dphi = (a: number) => 2 * (a - 50);
    const r = await strongWolfeSearch(line(phi, dphi), phi(0), dphi(0), 1);
    assert.ok(r !== null);
    assertWolfe(phi(0), dphi(0), r);
    assert.ok(r.alpha > 1);
  });

  it('satisfies the strong Wolfe conditions on a non-convex line', async () => {
    // φ(a) = −a/(a² + 2)  (Moré & Thuente test function 1, β = 2): minimum at √2.
    const phi = (a: number) => -a / (a * a + 2);
    const dphi = (a: number) => (a * a - 2) / (a * a + 2) ** 2;
    for (const a1 of [1e-3, 1e-1, 10, 1000]) {
      const r = await strongWolfeSearch(line(phi, dphi), phi(0), dphi(0), a1, { c1: 1e-3, c2: 0.1 });
      assert.ok(r !== null, `no step from α1 = ${a1}`);
      assertWolfe(phi(0), dphi(0), r, 1e-3, 0.1);
    }
  });

  it('treats an overflow (non-finite value) as too long a step', async () => {
    const phi = (a: number) => (a > 0.5 ? Number.POSITIVE_INFINITY : (a - 0.2) ** 2);
    const dphi = (a: number) => (a > 0.5 ? Number.NaN : 2 * (a - 0.2));
    const r = await strongWolfeSearch(line(phi, dphi), phi(0), dphi(0), 1);
    assert.ok(r !== null);
    assert.ok(r.alpha < 0.5);
    assertWolfe(phi(0), dphi(0), r);
  });

  it('refuses a direction that is not a descent direction', async () => {
    const f = line(
      (a) => a * a,
      (a) => 2 * a,
    );
    assert.equal(await strongWolfeSearch(f, 0, 0, 1), null);
    assert.equal(f.calls, 0);
  });
});
