import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.js';
import { IMAGENET_MEAN, IMAGENET_STD } from '../core/types.js';
import { multiCrop, swavCrops } from '../image/augment/multi-crop.js';
import { augmentProblems, colorAugmentOf, cropsOf } from './augment.js';

test('no augment config is SwAV’s recipe (arXiv:2006.09882 / SimCLR s = 1)', () => {
  // SwAV's main_swav.py: ColorJitter(0.8s, 0.8s, 0.8s, 0.2s) with p 0.8, RandomGrayscale(p 0.2),
  // PILRandomGaussianBlur(p 0.5, radius 0.1-2), flip p 0.5.
  const swav = {
    jitterProbability: 0.8,
    jitter: [0.8, 0.8, 0.8, 0.2],
    grayscaleProbability: 0.2,
    blurProbability: 0.5,
    blurSigma: [0.1, 2],
    flipProbability: 0.5,
  };
  assert.deepEqual(colorAugmentOf(undefined), swav);
  assert.deepEqual(colorAugmentOf({}), swav);
});

test('colorStrength scales every jitter factor; blur and grayscale set their probabilities', () => {
  const c = colorAugmentOf({ colorStrength: 0.25, blur: 0, grayscale: 0.1 });
  // 0.8 × 0.25 = 0.2 and 0.2 × 0.25 = 0.05
  assert.deepEqual(c.jitter, [0.2, 0.2, 0.2, 0.05]);
  assert.equal(c.jitterProbability, 0.8);
  assert.equal(c.blurProbability, 0);
  assert.equal(c.grayscaleProbability, 0.1);
});

test('minScale replaces the lower scale of the high-resolution crops only, without mutating', () => {
  const crops = swavCrops(32, 2);
  assert.deepEqual(cropsOf(crops, { minScale: 0.5 }), [
    { size: 32, count: 2, scale: [0.5, 1] },
    { size: 14, count: 2, scale: [0.05, 0.14] },
  ]);
  assert.deepEqual(crops[0]?.scale, [0.14, 1]);
  assert.deepEqual(cropsOf(crops, undefined), crops);
});

test('augmentProblems names each out-of-range field', () => {
  assert.deepEqual(augmentProblems({ colorStrength: 0.5, blur: 0, grayscale: 1, minScale: 1 }), []);
  assert.deepEqual(
    augmentProblems({ colorStrength: -1, blur: 1.5, grayscale: Number.NaN, minScale: 0 }).map((p) => p.field),
    ['colorStrength', 'blur', 'grayscale', 'minScale'],
  );
});

test('strength 0, no blur, no grayscale and min scale 1 leave each view the image or its mirror', () => {
  tf.setBackend('cpu');
  const n = 6;
  const size = 12;
  const pixels = Float32Array.from({ length: n * size * size * 3 }, (_, i) => ((i * 37) % 101) / 100);
  const images = tf.tensor4d(pixels, [n, size, size, 3]);
  const color = colorAugmentOf({ colorStrength: 0, blur: 0, grayscale: 0 });
  const views = multiCrop(
    images,
    cropsOf([{ size, count: 2, scale: [0.14, 1] }], { minScale: 1 }),
    new Rng(4),
    color,
  );
  const mirrored = tf.reverse(images, 2);
  let flips = 0;
  for (const v of views) {
    // Undo the ImageNet normalisation by hand: x·std + mean.
    const back = tf.add(tf.mul(v, tf.tensor1d(IMAGENET_STD)), tf.tensor1d(IMAGENET_MEAN));
    for (let i = 0; i < n; i++) {
      const got = back.slice([i], [1]);
      const plain = tf.max(tf.abs(tf.sub(got, images.slice([i], [1])))).dataSync()[0] as number;
      const flip = tf.max(tf.abs(tf.sub(got, mirrored.slice([i], [1])))).dataSync()[0] as number;
      assert.ok(Math.min(plain, flip) < 1e-5, `view of image ${i}: off by ${Math.min(plain, flip)}`);
      if (flip < plain) flips++;
    }
  }
  assert.ok(flips > 0 && flips < 2 * n, `some views flipped, some not (${flips} of ${2 * n})`);
});
