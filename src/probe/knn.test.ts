import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../core/rng.js';
import { knnPredict } from './knn.js';

/**
 * The slow reference: normalise in float64, rank every bank row by (−similarity, row), keep k, sum
 * exp(sim/T) per class, take the best class (lowest index on ties).
 */
function bruteForce(
  bank: Float32Array,
  nBank: number,
  d: number,
  labels: Int32Array,
  c: number,
  queries: Float32Array,
  nQuery: number,
  k: number,
  t: number,
  exclude?: Int32Array,
) {
  const unit = (x: Float32Array, i: number) => {
    const row = Array.from(x.subarray(i * d, (i + 1) * d));
    const norm = Math.sqrt(row.reduce((s, v) => s + v * v, 0));
    return row.map((v) => v / norm);
  };
  const bankRows = Array.from({ length: nBank }, (_, b) => unit(bank, b));
  return Array.from({ length: nQuery }, (_, q) => {
    const qv = unit(queries, q);
    const ranked = bankRows
      .map((bv, b) => ({ b, sim: bv.reduce((s, v, j) => s + v * qv[j], 0) }))
      .filter((e) => e.b !== exclude?.[q])
      .sort((x, y) => y.sim - x.sim || x.b - y.b)
      .slice(0, k);
    const scores = new Array<number>(c).fill(0);
    for (const e of ranked) scores[labels[e.b]] += Math.exp(e.sim / t);
    let best = 0;
    for (let cl = 1; cl < c; cl++) if (scores[cl] > scores[best]) best = cl;
    return { neighbors: ranked.map((e) => e.b), scores, prediction: best };
  });
}

function randomData(seed: number, nBank: number, nQuery: number, d: number, c: number) {
  const rng = new Rng(seed);
  const bank = Float32Array.from({ length: nBank * d }, () => rng.normal());
  // Duplicated bank rows make exact similarity ties: the lower row must come first.
  for (let b = 0; b + 1 < nBank; b += 5) bank.copyWithin((b + 1) * d, b * d, (b + 1) * d);
  const labels = Int32Array.from({ length: nBank }, () => rng.int(c));
  const queries = Float32Array.from({ length: nQuery * d }, () => rng.normal());
  return { bank, labels, queries };
}

describe('knnPredict', () => {
  it('weights votes by exp(sim / T): a hand-computed case', async () => {
    // Bank: e1 (class 0), e2 (class 1), (e1+e2)/√2 (class 1). Query e1, k = 2, T = 0.5.
    // Similarities 1, 0, 1/√2: neighbours row 0 (class 0) and row 2 (class 1).
    const bank = Float32Array.of(1, 0, 0, 1, 1, 1);
    const r = await knnPredict(bank, 3, 2, Int32Array.of(0, 1, 1), 2, Float32Array.of(3, 0), 1, {
      k: 2,
      temperature: 0.5,
      backend: 'js',
    });
    assert.deepEqual(Array.from(r.neighbors), [0, 2]);
    assert.ok(Math.abs(r.scores[0] - Math.exp(2)) < 1e-12);
    assert.ok(Math.abs(r.scores[1] - Math.exp(Math.SQRT2)) < 1e-6);
    assert.equal(r.predictions[0], 0);
  });

  it('breaks similarity ties by bank row and score ties by class index', async () => {
    // Four identical bank rows, labels 1, 0, 1, 0; k = 2 takes rows 0 and 1: one vote each, equal
    // scores, so class 0 wins.
    const bank = Float32Array.of(1, 1, 1, 1, 1, 1, 1, 1);
    const r = await knnPredict(bank, 4, 2, Int32Array.of(1, 0, 1, 0), 2, Float32Array.of(2, 2), 1, {
      k: 2,
      backend: 'js',
    });
    assert.deepEqual(Array.from(r.neighbors), [0, 1]);
    assert.equal(r.scores[0], r.scores[1]);
    assert.equal(r.predictions[0], 0);
  });

  it('matches the brute-force reference (TypeScript path)', async () => {
    const [nBank, nQuery, d, c, k, t] = [120, 40, 8, 5, 20, 0.07];
    const { bank, labels, queries } = randomData(11, nBank, nQuery, d, c);
    const r = await knnPredict(bank, nBank, d, labels, c, queries, nQuery, {
      k,
      temperature: t,
      backend: 'js',
    });
    const ref = bruteForce(bank, nBank, d, labels, c, queries, nQuery, k, t);
    ref.forEach((e, q) => {
      assert.deepEqual(
        Array.from(r.neighbors.subarray(q * k, (q + 1) * k)),
        e.neighbors,
        `neighbours of query ${q}`,
      );
      assert.equal(r.predictions[q], e.prediction);
      e.scores.forEach((s, cl) => {
        // Normalised rows are stored as float32: sims differ by ~1e-7, amplified by 1/T in exp.
        assert.ok(Math.abs(r.scores[q * c + cl] - s) <= 1e-5 * Math.max(1, s), `score ${q},${cl}`);
      });
    });
  });

  it('leaves out the excluded bank row of each query (leave-one-out)', async () => {
    const [nBank, d, c, k, t] = [60, 6, 3, 7, 0.1];
    const { bank, labels } = randomData(12, nBank, 0, d, c);
    // Queries are bank rows 0..9; each excludes itself.
    const queries = bank.slice(0, 10 * d);
    const exclude = Int32Array.from({ length: 10 }, (_, i) => i);
    const r = await knnPredict(bank, nBank, d, labels, c, queries, 10, {
      k,
      temperature: t,
      excludeBankRow: exclude,
      backend: 'js',
    });
    const ref = bruteForce(bank, nBank, d, labels, c, queries, 10, k, t, exclude);
    ref.forEach((e, q) => {
      const got = Array.from(r.neighbors.subarray(q * k, (q + 1) * k));
      assert.ok(!got.includes(q));
      assert.deepEqual(got, e.neighbors);
      assert.equal(r.predictions[q], e.prediction);
    });
  });

  it('onnxruntime path agrees with the reference (float32 similarities)', async () => {
    const [nBank, nQuery, d, c, k, t] = [300, 50, 16, 6, 20, 0.07];
    const { bank, labels, queries } = randomData(13, nBank, nQuery, d, c);
    const exclude = Int32Array.from({ length: nQuery }, (_, i) => (i % 2 === 0 ? i : -1));
    const r = await knnPredict(bank, nBank, d, labels, c, queries, nQuery, {
      k,
      temperature: t,
      excludeBankRow: exclude,
      backend: 'onnx',
      threads: 1,
    });
    const ref = bruteForce(bank, nBank, d, labels, c, queries, nQuery, k, t, exclude);
    ref.forEach((e, q) => {
      assert.deepEqual(
        Array.from(r.neighbors.subarray(q * k, (q + 1) * k)),
        e.neighbors,
        `neighbours of query ${q}`,
      );
      assert.equal(r.predictions[q], e.prediction);
      e.scores.forEach((s, cl) => {
        assert.ok(Math.abs(r.scores[q * c + cl] - s) <= 1e-4 * Math.max(1, s), `score ${q},${cl}`);
      });
    });
  });

  it('uses every bank row when the bank is smaller than k', async () => {
    const r = await knnPredict(
      Float32Array.of(1, 0, 0, 1),
      2,
      2,
      Int32Array.of(0, 1),
      2,
      Float32Array.of(1, 0.5),
      1,
      {
        k: 5,
        backend: 'js',
      },
    );
    assert.deepEqual(Array.from(r.neighbors), [0, 1, -1, -1, -1]);
  });

  it('rejects bad arguments with the value', async () => {
    const bank = Float32Array.of(1, 0);
    await assert.rejects(
      knnPredict(bank, 1, 2, Int32Array.of(0), 1, bank, 1, { k: 0 }),
      /k must be a positive integer, got 0/,
    );
    await assert.rejects(knnPredict(bank, 1, 2, Int32Array.of(3), 2, bank, 1), /bankLabels\[0\] = 3/);
  });
});
