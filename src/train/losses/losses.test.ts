/**
 * Golden tests: every loss and its input gradient against PyTorch reference implementations
 * (tools/losses_reference.py → test/fixtures/train/losses.json), on the tfjs cpu backend.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { assertClose } from '../testing/close.js';
import { barlowTwinsLoss } from './barlow-twins.js';
import { byolLoss, byolSymmetricLoss } from './byol.js';
import { dinoLoss, updateDinoCenter } from './dino.js';
import { ntXentLoss } from './nt-xent.js';
import { sinkhornKnopp } from './sinkhorn.js';
import { swavLoss } from './swav.js';

type M = number[][];
// biome-ignore lint/suspicious/noExplicitAny: JSON fixture
const fx: any = JSON.parse(
  readFileSync(new URL('../../../test/fixtures/train/losses.json', import.meta.url), 'utf8'),
);
const REL = 1e-5;
const T = (x: M) => tf.tensor2d(x);

before(async () => {
  await tf.setBackend('cpu');
});

describe('sinkhornKnopp', () => {
  for (const [i, c] of (
    fx.sinkhorn as { scores: M; epsilon: number; iterations: number; codes: M }[]
  ).entries()) {
    test(`matches vissl (case ${i}: eps ${c.epsilon}, ${c.iterations} iterations)`, () => {
      const q = sinkhornKnopp(T(c.scores), { epsilon: c.epsilon, iterations: c.iterations });
      assertClose(q.dataSync(), c.codes, REL, 'codes');
      // Rows are distributions.
      for (const r of q.sum(1).dataSync()) assert.ok(Math.abs(r - 1) < 1e-5);
    });
  }
  test('is invariant to a constant shift of the scores (the max subtraction is exact)', () => {
    const s = T(fx.sinkhorn[0].scores);
    const a = sinkhornKnopp(s).dataSync();
    const b = sinkhornKnopp(s.add(3)).dataSync();
    assertClose(b, Array.from(a), 1e-6, 'shifted');
  });
  test('rejects a 1-D input, naming the function', () => {
    assert.throws(() => sinkhornKnopp(tf.tensor1d([1, 2])), /sinkhornKnopp\(scores\): expected a 2-D tensor/);
  });
});

describe('swavLoss', () => {
  for (const [i, c] of (fx.swav as Record<string, unknown>[]).entries()) {
    const g = c.global as M[];
    const l = c.local as M[];
    test(`loss and gradients match vissl (case ${i}: ${g.length}+${l.length} crops${c.queue ? ', queue' : ''})`, () => {
      const queue = c.queue ? (c.queue as M[]).map(T) : undefined;
      const opts = {
        temperature: c.temperature as number,
        epsilon: c.epsilon as number,
        iterations: c.iterations as number,
        queue,
      };
      const f = (...xs: tf.Tensor[]) =>
        swavLoss({ global: xs.slice(0, g.length), local: xs.slice(g.length) }, opts);
      const inputs = [...g, ...l].map(T);
      const { value, grads } = tf.valueAndGrads(f)(inputs);
      assertClose(value.dataSync(), [c.loss as number], REL, 'loss');
      const expected = [...(c.gradGlobal as M[]), ...(c.gradLocal as M[])];
      grads.forEach((gr, j) => {
        assertClose(gr.dataSync(), expected[j] as M, REL, `grad crop ${j}`);
      });
    });
  }
  test('needs a global crop and at least two crops', () => {
    const s = T(fx.swav[0].global[0]);
    assert.throws(() => swavLoss({ global: [], local: [s, s] }), /at least one global crop/);
    assert.throws(() => swavLoss({ global: [s], local: [] }), /at least 2 crops/);
  });
});

describe('ntXentLoss', () => {
  for (const [i, c] of (fx.ntXent as Record<string, unknown>[]).entries()) {
    test(`loss and gradients match a slow SimCLR Algorithm 1 loop (case ${i}, τ=${c.temperature})`, () => {
      const f = (a: tf.Tensor, b: tf.Tensor) => ntXentLoss(a, b, { temperature: c.temperature as number });
      const { value, grads } = tf.valueAndGrads(f)([T(c.z1 as M), T(c.z2 as M)]);
      assertClose(value.dataSync(), [c.loss as number], REL, 'loss');
      assertClose(grads[0]?.dataSync() ?? [], c.gradZ1 as M, REL, 'grad z1');
      assertClose(grads[1]?.dataSync() ?? [], c.gradZ2 as M, REL, 'grad z2');
    });
  }
  test('closed form: identical unit views, orthogonal across the batch', () => {
    // z = e_b: sim(i, pos) = 1, sim(i, j) = 0 for the other 2B − 2; ℓ = −log(e^{1/τ} / (e^{1/τ} + 2B − 2)).
    const b = 3;
    const tau = 0.5;
    const z = tf.eye(b);
    const expected = -Math.log(Math.exp(1 / tau) / (Math.exp(1 / tau) + 2 * b - 2));
    assertClose(ntXentLoss(z, z, { temperature: tau }).dataSync(), [expected], 1e-6, 'loss');
  });
});

describe('byolLoss', () => {
  test('loss and gradient w.r.t. p match PyTorch; z gets no gradient', () => {
    const c = fx.byol;
    const { value, grads } = tf.valueAndGrads((p: tf.Tensor, z: tf.Tensor) => byolLoss(p, z))([
      T(c.p),
      T(c.z),
    ]);
    assertClose(value.dataSync(), [c.loss], REL, 'loss');
    assertClose(grads[0]?.dataSync() ?? [], c.gradP, REL, 'grad p');
    assert.ok((grads[1]?.abs().max().dataSync()[0] ?? 1) === 0, 'target gets zero gradient');
  });
  test('closed forms: 0 for equal directions, 4 for opposite ones; symmetric = sum of both', () => {
    const p = tf.tensor2d([
      [1, 2],
      [3, -1],
    ]);
    assert.ok(Math.abs(byolLoss(p, p.mul(5)).dataSync()[0] as number) < 1e-6, 'same');
    assertClose(byolLoss(p, p.neg()).dataSync(), [4], 1e-6, 'opposite');
    assertClose(byolSymmetricLoss(p, p, p, p.neg()).dataSync(), [4], 1e-6, 'symmetric');
  });
});

describe('dinoLoss', () => {
  test('loss, student gradients and the center update match the official DINOLoss', () => {
    const c = fx.dino;
    const teacher = (c.teacher as M[]).map(T);
    const center = T(c.center);
    const f = (...s: tf.Tensor[]) =>
      dinoLoss(s, teacher, center, { studentTemp: c.studentTemp, teacherTemp: c.teacherTemp });
    const { value, grads } = tf.valueAndGrads(f)((c.student as M[]).map(T));
    assertClose(value.dataSync(), [c.loss], REL, 'loss');
    grads.forEach((g, j) => {
      assertClose(g.dataSync(), c.gradStudent[j], REL, `grad student ${j}`);
    });
    assertClose(updateDinoCenter(center, teacher, 0.9).dataSync(), c.newCenter, REL, 'center');
  });
});

describe('barlowTwinsLoss', () => {
  test('loss and gradients match the official BarlowTwins forward', () => {
    const c = fx.barlowTwins;
    const f = (a: tf.Tensor, b: tf.Tensor) => barlowTwinsLoss(a, b, { lambda: c.lambda });
    const { value, grads } = tf.valueAndGrads(f)([T(c.z1), T(c.z2)]);
    assertClose(value.dataSync(), [c.loss], REL, 'loss');
    assertClose(grads[0]?.dataSync() ?? [], c.gradZ1, REL, 'grad z1');
    assertClose(grads[1]?.dataSync() ?? [], c.gradZ2, REL, 'grad z2');
  });
});
