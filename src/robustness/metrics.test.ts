import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type CorruptionErrors,
  corruptionError,
  effectiveRobustness,
  fitLogitLine,
  logit,
  meanCorruptionError,
  normalizedCorruptionError,
  relativeMeanCorruptionError,
  sigmoid,
} from './metrics.js';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

// Model: clean error 0.2. Baseline: clean error 0.4.
const model: CorruptionErrors = {
  clean: 0.2,
  bySeverity: new Map([
    ['gaussian_noise', [0.3, 0.4, 0.5, 0.6, 0.7]],
    ['fog', [0.25, 0.25, 0.3, 0.35, 0.4]],
  ]),
};
const base: CorruptionErrors = {
  clean: 0.4,
  bySeverity: new Map([
    ['gaussian_noise', [0.5, 0.6, 0.7, 0.8, 0.9]],
    ['fog', [0.45, 0.5, 0.55, 0.6, 0.65]],
  ]),
};

describe('corruption error', () => {
  it('sums errors over severities (unnormalised) and divides by the baseline sums', () => {
    // 0.3 + 0.4 + 0.5 + 0.6 + 0.7 = 2.5; fog 0.25 + 0.25 + 0.3 + 0.35 + 0.4 = 1.55
    close(corruptionError([0.3, 0.4, 0.5, 0.6, 0.7]), 2.5);
    // baseline sums 3.5 and 2.75
    close(normalizedCorruptionError([0.3, 0.4, 0.5, 0.6, 0.7], [0.5, 0.6, 0.7, 0.8, 0.9]), 2.5 / 3.5);
    // a severity not evaluated (NaN) is left out of both sums: (0.3 + 0.5) / (0.5 + 0.7)
    close(
      normalizedCorruptionError([0.3, Number.NaN, 0.5, Number.NaN, Number.NaN], [0.5, 0.6, 0.7, 0.8, 0.9]),
      0.8 / 1.2,
    );
  });

  it('gives mCE: the mean of CE over corruptions', () => {
    // unnormalised: (2.5 + 1.55) / 2 = 2.025
    close(meanCorruptionError(model, ['gaussian_noise', 'fog']), 2.025);
    // normalised: (2.5 / 3.5 + 1.55 / 2.75) / 2 = (0.714285714... + 0.563636363...) / 2
    close(meanCorruptionError(model, ['gaussian_noise', 'fog'], base), (2.5 / 3.5 + 1.55 / 2.75) / 2);
    assert.ok(Number.isNaN(meanCorruptionError(model, ['snow'])));
  });

  it('gives relative mCE: errors above the clean error, over the baseline`s', () => {
    // gaussian_noise: Σ(E - 0.2) = 2.5 - 5 · 0.2 = 1.5; baseline Σ(E - 0.4) = 3.5 - 2.0 = 1.5 -> 1
    // fog: 1.55 - 1.0 = 0.55; baseline 2.75 - 2.0 = 0.75 -> 0.7333...
    close(relativeMeanCorruptionError(model, ['gaussian_noise', 'fog'], base), (1 + 0.55 / 0.75) / 2);
    // unnormalised: (1.5 + 0.55) / 2 = 1.025
    close(relativeMeanCorruptionError(model, ['gaussian_noise', 'fog']), 1.025);
  });
});

describe('effective robustness', () => {
  it('fits the logit line exactly through collinear points', () => {
    // shift = sigmoid(logit(id) - 1): id 0.5 -> 1 / (1 + e); 0.8 -> 0.8 / (0.8 + 0.2e); 0.9 -> 0.9 / (0.9 + 0.1e)
    const e = Math.E;
    const fit = fitLogitLine([0.5, 0.8, 0.9], [1 / (1 + e), 0.8 / (0.8 + 0.2 * e), 0.9 / (0.9 + 0.1 * e)]);
    close(fit.slope, 1, 1e-12);
    close(fit.intercept, -1, 1e-12);
    // a model with id accuracy 0.75 is predicted sigmoid(ln 3 - 1) = 3 / (3 + e) on the shift;
    // at 0.6 its effective robustness is 0.6 - 3 / (3 + e) = 0.0753670...
    close(effectiveRobustness(fit, 0.75, 0.6), 0.6 - 3 / (3 + e), 1e-12);
  });

  it('is least squares in logit space', () => {
    // logits x = 0, 1, 2 and y = 0, 1, 3: slope = Σ(x - 1)(y - 4/3) / Σ(x - 1)² = (4/3 + 5/3) / 2 = 1.5,
    // intercept = 4/3 - 1.5 = -1/6
    const fit = fitLogitLine([sigmoid(0), sigmoid(1), sigmoid(2)], [sigmoid(0), sigmoid(1), sigmoid(3)]);
    close(fit.slope, 1.5, 1e-12);
    close(fit.intercept, -1 / 6, 1e-12);
    close(logit(0.75), Math.log(3));
  });

  it('is undefined with fewer than two distinct points', () => {
    assert.ok(Number.isNaN(fitLogitLine([0.7], [0.5]).slope));
    assert.ok(Number.isNaN(fitLogitLine([0.7, 0.7], [0.5, 0.6]).slope));
  });
});
