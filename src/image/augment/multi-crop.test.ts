import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/rng.js';
import { gaussianBlur, gaussianBlurBatch, multiCrop, swavCrops } from './multi-crop.js';
import { randomResizedCropBox } from './random-resized-crop.js';

before(async () => {
  await tf.setBackend('cpu');
});

test('swavCrops scales SwAV 2×224 + V×96 to the image', () => {
  assert.deepEqual(swavCrops(224, 6), [
    { size: 224, count: 2, scale: [0.14, 1] },
    { size: 96, count: 6, scale: [0.05, 0.14] },
  ]);
  assert.deepEqual(
    swavCrops(28, 2).map((g) => g.size),
    [28, 12],
  );
});

test('randomResizedCropBox stays inside the image, with an area within scale', () => {
  const rng = new Rng(3);
  for (let i = 0; i < 200; i++) {
    const [y1, x1, y2, x2] = randomResizedCropBox(rng, 50, 40, [0.05, 0.14]);
    assert.ok(y1 >= 0 && x1 >= 0 && y2 <= 1 && x2 <= 1 && y2 >= y1 && x2 >= x1);
    // Pixel area (h·w) within [0.05, 0.14] of 2000 up to rounding of the sides.
    const area = (Math.round(y2 * 49 - y1 * 49) + 1) * (Math.round(x2 * 39 - x1 * 39) + 1);
    assert.ok(area >= 0.05 * 2000 - 15 && area <= 0.14 * 2000 + 15, `area ${area}`);
  }
});

test('multiCrop: crop-major list of the group sizes, deterministic for a seed, normalised', () => {
  const x = tf.randomUniform([3, 20, 20, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const a = multiCrop(x, swavCrops(20, 2), new Rng(1));
  const b = multiCrop(x, swavCrops(20, 2), new Rng(1));
  assert.deepEqual(
    a.map((t) => t.shape),
    [
      [3, 20, 20, 3],
      [3, 20, 20, 3],
      [3, 9, 9, 3],
      [3, 9, 9, 3],
    ],
  );
  a.forEach((t, i) => {
    assert.deepEqual(Array.from(t.dataSync()), Array.from((b[i] as tf.Tensor).dataSync()));
  });
  // Values in [0, 1] map to [(0 − 0.485)/0.229, (1 − 0.406)/0.225].
  const all = tf.concat(a.map((t) => t.flatten()));
  assert.ok((all.min().dataSync()[0] as number) >= -0.485 / 0.229 - 1e-5);
  assert.ok((all.max().dataSync()[0] as number) <= 0.594 / 0.225 + 1e-5);
});

test('multiCrop with no photometric change and a full crop is the identity (then normalisation)', () => {
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 9) as tf.Tensor4D;
  const none = {
    jitterProbability: 0,
    jitter: [0, 0, 0, 0] as [number, number, number, number],
    grayscaleProbability: 0,
    blurProbability: 0,
    blurSigma: [1, 1] as [number, number],
    flipProbability: 0,
  };
  const [y] = multiCrop(x, [{ size: 8, count: 1, scale: [1, 1] }], new Rng(2), none);
  // scale [1, 1] with ratio sampling: only ratio 1 fits an 8×8 image, else the fallback is the full image.
  const expected = tf.div(tf.sub(x, tf.tensor1d([0.485, 0.456, 0.406])), tf.tensor1d([0.229, 0.224, 0.225]));
  assert.ok((tf.max(tf.abs(tf.sub(y as tf.Tensor, expected))).dataSync()[0] as number) < 1e-5);
});

test('gaussianBlurBatch equals per-image depthwise gaussianBlur (sigma per image, none, radius > side)', () => {
  const x = tf.randomUniform([4, 8, 6, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const sigmas = [0.3, null, 1.2, 3];
  const got = gaussianBlurBatch(x, sigmas);
  const parts = tf.split(x, 4, 0) as tf.Tensor4D[];
  const ref = tf.concat(parts.map((p, i) => (sigmas[i] === null ? p : gaussianBlur(p, sigmas[i] as number))));
  assert.deepEqual(got.shape, [4, 8, 6, 3]);
  assert.ok((tf.max(tf.abs(tf.sub(got, ref))).dataSync()[0] as number) < 1e-6);
});

test('gaussianBlurBatch of a centred impulse is the outer product of the normalised taps (hand values)', () => {
  // sigma 0.5: radius 2, weights exp(-2k²) for k = -2..2, normalised.
  const w = [-2, -1, 0, 1, 2].map((k) => Math.exp(-2 * k * k));
  const sum = w.reduce((a, b) => a + b, 0);
  const taps = w.map((v) => v / sum);
  const img = tf.buffer([1, 7, 7, 1]);
  img.set(1, 0, 3, 3, 0);
  const y = gaussianBlurBatch(img.toTensor() as tf.Tensor4D, [0.5]).dataSync();
  for (let i = 0; i < 7; i++)
    for (let j = 0; j < 7; j++) {
      const di = Math.abs(i - 3);
      const dj = Math.abs(j - 3);
      const expected = di <= 2 && dj <= 2 ? (taps[di + 2] as number) * (taps[dj + 2] as number) : 0;
      assert.ok(Math.abs((y[i * 7 + j] as number) - expected) < 1e-7, `(${i}, ${j})`);
    }
});
