/**
 * Golden tests against sklearn 1.2 (tools/probe_reference.py → test/fixtures/probe/sklearn_logreg.json):
 * the same data, the same objective (C = 1/(n·λ)), fitted by sklearn's lbfgs to convergence.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { type LinearHead, predictLogits, predictLogitsWith } from './head.js';
import { jsProducts } from './products.js';
import { softmaxObjective } from './softmax-objective.js';
import { applyStandardizer, fitStandardizer } from './standardize.js';
import { resolveProbeOptions, stratifiedSplit, trainLinearProbe } from './train.js';

interface SklearnFit {
  l2: number;
  C: number;
  coef: number[][];
  intercept: number[];
  train_accuracy: number;
  test_accuracy: number;
  test_proba: number[][];
  gradient_max_abs: number;
}

const fixture = JSON.parse(
  readFileSync(new URL('../../test/fixtures/probe/sklearn_logreg.json', import.meta.url), 'utf8'),
) as {
  n_train: number;
  n_test: number;
  d: number;
  classes: number;
  x_train: number[][];
  y_train: number[];
  x_test: number[][];
  y_test: number[];
  fits: SklearnFit[];
};
const { n_train: nTrain, n_test: nTest, d, classes: c } = fixture;
const xTrain = Float32Array.from(fixture.x_train.flat());
const yTrain = Int32Array.from(fixture.y_train);
const xTest = Float32Array.from(fixture.x_test.flat());

function softmaxRows(z: ArrayLike<number>, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => {
    const row = Array.from({ length: c }, (_, k) => z[i * c + k]);
    const m = Math.max(...row);
    const e = row.map((v) => Math.exp(v - m));
    const s = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / s);
  });
}

function accuracy(z: ArrayLike<number>, n: number, labels: number[]): number {
  let hits = 0;
  for (let i = 0; i < n; i++) {
    let best = 0;
    for (let k = 1; k < c; k++) if (z[i * c + k] > z[i * c + best]) best = k;
    if (best === labels[i]) hits++;
  }
  return hits / n;
}

function probabilityGap(head: LinearHead, fit: SklearnFit): { mean: number; max: number } {
  const p = softmaxRows(predictLogits(head, xTest, nTest), nTest);
  let sum = 0;
  let max = 0;
  p.forEach((row, i) => {
    row.forEach((v, k) => {
      const diff = Math.abs(v - fit.test_proba[i][k]);
      sum += diff;
      max = Math.max(max, diff);
    });
  });
  return { mean: sum / (nTest * c), max };
}

/** Our objective (mean CE + λ/2‖W‖²) at a parameter vector, on the standardised training set. */
async function objectiveAt(l2: number, params: Float64Array): Promise<number> {
  const s = fitStandardizer(xTrain, nTrain, d);
  const x = applyStandardizer(xTrain, d, s);
  const f = softmaxObjective({ products: jsProducts(x, nTrain, d), labels: yTrain, numClasses: c, l2 });
  return f.evaluate(params, new Float64Array(f.size));
}

function paramsOf(weights: ArrayLike<number>, bias: ArrayLike<number>): Float64Array {
  const p = new Float64Array(c * d + c);
  p.set(Array.from(weights));
  p.set(Array.from(bias), c * d);
  return p;
}

describe('trainLinearProbe (L-BFGS) against sklearn LogisticRegression(multinomial, lbfgs)', () => {
  for (const fit of fixture.fits) {
    for (const backend of ['js', 'onnx'] as const) {
      it(`λ = ${fit.l2} (C = ${fit.C.toPrecision(3)}), ${backend} products`, async () => {
        const head = await trainLinearProbe(xTrain, nTrain, d, yTrain, c, {
          l2: fit.l2,
          backend,
          tolerance: 1e-8,
        });
        assert.equal(head.metrics.converged, true, `stopped by ${head.metrics.stop}`);
        const z = predictLogits(head, xTest, nTest);
        assert.ok(Math.abs(accuracy(z, nTest, fixture.y_test) - fit.test_accuracy) <= 0.01, 'test accuracy');
        assert.ok(Math.abs(head.metrics.trainAccuracy - fit.train_accuracy) <= 0.01, 'train accuracy');
        const gap = probabilityGap(head, fit);
        assert.ok(gap.mean < 1e-4, `mean |p − p_sklearn| = ${gap.mean}`);
        assert.ok(gap.max < 1e-3, `max |p − p_sklearn| = ${gap.max}`);
        // Same objective: ours is no worse than sklearn's solution (up to float32 storage).
        const ours = await objectiveAt(fit.l2, paramsOf(head.weights, head.bias));
        const theirs = await objectiveAt(fit.l2, paramsOf(fit.coef.flat(), fit.intercept));
        assert.ok(ours <= theirs + 1e-7, `f(ours) = ${ours} > f(sklearn) = ${theirs}`);
        // And so are the coefficients.
        const scale = Math.max(...fit.coef.flat().map(Math.abs));
        fit.coef.flat().forEach((w, i) => {
          assert.ok(Math.abs(head.weights[i] - w) < 2e-3 * scale, `W[${i}]: ${head.weights[i]} vs ${w}`);
        });
      });
    }
  }
});

describe('trainLinearProbe (SGD and BatchNorm+linear)', () => {
  const fit = fixture.fits[0];

  it('SGD with momentum and a cosine schedule approaches the same optimum', async () => {
    const head = await trainLinearProbe(xTrain, nTrain, d, yTrain, c, {
      optimizer: 'sgd',
      l2: fit.l2,
      valFraction: 0,
      maxIter: 150,
      backend: 'js',
    });
    assert.equal(head.metrics.stop, 'epochs');
    assert.equal(head.metrics.iterations, 150);
    const z = predictLogits(head, xTest, nTest);
    assert.ok(Math.abs(accuracy(z, nTest, fixture.y_test) - fit.test_accuracy) <= 0.02);
    const gap = probabilityGap(head, fit);
    assert.ok(gap.mean < 5e-3, `mean |p − p_sklearn| = ${gap.mean}`);
  });

  it('SGD early-stops on the validation loss and keeps the best epoch', async () => {
    const head = await trainLinearProbe(xTrain, nTrain, d, yTrain, c, {
      optimizer: 'sgd',
      l2: 0,
      learningRate: 1,
      patience: 3,
      maxIter: 200,
      backend: 'js',
    });
    assert.equal(head.metrics.stop, 'early-stopping');
    assert.equal(head.metrics.valCount, Math.round(0.1 * 120) * 4);
    assert.ok((head.metrics.bestEpoch ?? 0) <= head.metrics.iterations - 3);
  });

  it('SGD is deterministic for a seed and depends on it', async () => {
    const opts = { optimizer: 'sgd' as const, maxIter: 5, backend: 'js' as const };
    const a = await trainLinearProbe(xTrain, nTrain, d, yTrain, c, { ...opts, seed: 1 });
    const b = await trainLinearProbe(xTrain, nTrain, d, yTrain, c, { ...opts, seed: 1 });
    const other = await trainLinearProbe(xTrain, nTrain, d, yTrain, c, { ...opts, seed: 2 });
    assert.deepEqual(a.weights, b.weights);
    assert.notDeepEqual(a.weights, other.weights);
  });

  it('bn-linear reaches sklearn-level accuracy and applies BatchNorm in eval mode at inference', async () => {
    const head = await trainLinearProbe(xTrain, nTrain, d, yTrain, c, { head: 'bn-linear', l2: fit.l2 });
    assert.equal(head.head, 'bn-linear');
    assert.equal(head.options.optimizer, 'sgd');
    const gamma = head.gamma as Float32Array;
    const beta = head.beta as Float32Array;
    assert.ok(gamma !== undefined && beta !== undefined);
    const z = predictLogits(head, xTest, nTest);
    assert.ok(Math.abs(accuracy(z, nTest, fixture.y_test) - fit.test_accuracy) <= 0.04);
    // z_k = Σ_j W_kj·(γ_j·(x_j − μ_j)/σ_j + β_j) + b_k, by a plain loop.
    for (let i = 0; i < nTest; i += 17) {
      for (let k = 0; k < c; k++) {
        let s = head.bias[k];
        for (let j = 0; j < d; j++) {
          const h = (gamma[j] * (xTest[i * d + j] - head.mean[j])) / head.std[j] + beta[j];
          s += head.weights[k * d + j] * h;
        }
        assert.ok(Math.abs(z[i * c + k] - s) < 1e-4 * Math.max(1, Math.abs(s)));
      }
    }
  });

  it('bn-linear refuses L-BFGS (BatchNorm needs mini-batch statistics)', () => {
    assert.throws(() => resolveProbeOptions({ head: 'bn-linear', optimizer: 'lbfgs' }), /optimizer "sgd"/);
  });
});

describe('predictLogitsWith', () => {
  it('onnxruntime and TypeScript scores agree', async () => {
    const head = await trainLinearProbe(xTrain, nTrain, d, yTrain, c, { l2: 1e-2, backend: 'js' });
    const a = predictLogits(head, xTest, nTest);
    const b = await predictLogitsWith(head, xTest, nTest, 'onnx', 1);
    for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-4 * Math.max(1, Math.abs(a[i])));
  });
});

describe('stratifiedSplit', () => {
  it('takes round(fraction·count) of each class, disjoint, covering every row, seeded', () => {
    const labels = Int32Array.from({ length: 53 }, (_, i) => (i < 30 ? 0 : i < 50 ? 1 : 2));
    const a = stratifiedSplit(labels, 3, 0.25, 7);
    const counts = [0, 0, 0];
    for (const i of a.val) counts[labels[i]]++;
    assert.deepEqual(counts, [Math.round(7.5), 5, Math.round(0.75)]);
    assert.deepEqual(
      [...a.train, ...a.val].sort((x, y) => x - y),
      Array.from(labels.keys()),
    );
    assert.deepEqual(stratifiedSplit(labels, 3, 0.25, 7), a);
    assert.notDeepEqual(stratifiedSplit(labels, 3, 0.25, 8).val, a.val);
    assert.equal(stratifiedSplit(labels, 3, 0, 7).val.length, 0);
  });
});

describe('trainLinearProbe input checks', () => {
  it('names a label outside the class range', async () => {
    await assert.rejects(
      trainLinearProbe(new Float32Array(4), 2, 2, Int32Array.of(0, 3), 2),
      /labels\[1\] = 3 is outside \[0, 2\)/,
    );
  });
  it('names a wrong feature count', async () => {
    await assert.rejects(
      trainLinearProbe(new Float32Array(5), 2, 2, Int32Array.of(0, 1), 2),
      /expected n·d = 2·2/,
    );
  });
});
