import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../core/rng.js';
import { IMAGENET_MEAN, IMAGENET_STD } from '../../core/types.js';
import { type CropBox, randomResizedCropBox } from './random-resized-crop.js';

/** One group of crops of a multi-crop view set. */
export interface CropGroup {
  /** Output side in pixels. */
  size: number;
  /** How many crops of this kind per image. */
  count: number;
  /** RandomResizedCrop area fraction range. */
  scale: [number, number];
}

/** Photometric augmentation probabilities and strengths (SwAV/SimCLR defaults). */
export interface ColorAugment {
  /** Probability of colour jitter. Default 0.8. */
  jitterProbability: number;
  /** Brightness, contrast, saturation, hue strengths. Default 0.8, 0.8, 0.8, 0.2 (SwAV, s = 1). */
  jitter: [number, number, number, number];
  /** Probability of grayscale. Default 0.2. */
  grayscaleProbability: number;
  /** Probability of Gaussian blur. Default 0.5. */
  blurProbability: number;
  /** Blur sigma range for a 224-px crop; scaled by size/224. Default [0.1, 2]. */
  blurSigma: [number, number];
  /** Horizontal flip probability. Default 0.5. */
  flipProbability: number;
}

export const SWAV_COLOR: Readonly<ColorAugment> = Object.freeze({
  jitterProbability: 0.8,
  jitter: [0.8, 0.8, 0.8, 0.2] as [number, number, number, number],
  grayscaleProbability: 0.2,
  blurProbability: 0.5,
  blurSigma: [0.1, 2] as [number, number],
  flipProbability: 0.5,
});

/**
 * SwAV's multi-crop [arXiv:2006.09882 §3.2]: 2 × 224 px crops of scale [0.14, 1] and V × 96 px crops
 * of scale [0.05, 0.14], with sizes scaled to the image (global = image side up to 224, local ≈ 0.43 ×
 * global, at least 8 px).
 */
export function swavCrops(imageSize: number, localCount = 6): CropGroup[] {
  const global = Math.min(imageSize, 224);
  const local = Math.max(8, Math.round((global * 96) / 224));
  const groups: CropGroup[] = [{ size: global, count: 2, scale: [0.14, 1] }];
  if (localCount > 0) groups.push({ size: local, count: localCount, scale: [0.05, 0.14] });
  return groups;
}

/** Two views of scale [0.08, 1] (SimCLR, BYOL, Barlow Twins). */
export function twoViewCrops(imageSize: number): CropGroup[] {
  return [{ size: Math.min(imageSize, 224), count: 2, scale: [0.08, 1] }];
}

const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Random crops with photometric augmentation of a batch, SwAV/SimCLR style.
 *
 * Deviations from torchvision, for speed on a batch: the jitter factors are applied in a fixed
 * order (brightness, contrast, saturation, hue) rather than a random one; hue is a rotation of the
 * chroma plane in YIQ space (a linear approximation of HSV hue shift); blur is a separable Gaussian
 * of radius ⌈3σ⌉ with reflect-free zero padding, applied to the whole batch (`gaussianBlurBatch`).
 *
 * @param images (n, h, w, 3) values in [0, 1]
 * @returns one tensor per crop (crop-major: every image's crop 0, then crop 1, ...), each
 *          (n, size, size, 3), ImageNet-normalised
 */
export function multiCrop(
  images: tf.Tensor4D,
  groups: CropGroup[],
  rng: Rng,
  color: ColorAugment = SWAV_COLOR,
): tf.Tensor4D[] {
  const [n, h, w] = images.shape;
  const out: tf.Tensor4D[] = [];
  for (const g of groups) {
    for (let c = 0; c < g.count; c++) {
      const boxes: CropBox[] = [];
      for (let i = 0; i < n; i++) {
        const b = randomResizedCropBox(rng, h, w, g.scale);
        if (rng.next() < color.flipProbability) boxes.push([b[0], b[3], b[2], b[1]]);
        else boxes.push(b);
      }
      out.push(
        tf.tidy(() => {
          const crops = tf.image.cropAndResize(images, tf.tensor2d(boxes), tf.range(0, n, 1, 'int32'), [
            g.size,
            g.size,
          ]);
          return normalize(photometric(crops, g.size, rng, color));
        }),
      );
    }
  }
  return out;
}

/** Colour jitter, grayscale and blur with per-image random parameters. @param x (n, s, s, 3) */
function photometric(x: tf.Tensor4D, size: number, rng: Rng, color: ColorAugment): tf.Tensor4D {
  const n = x.shape[0];
  const [bj, cj, sj, hj] = color.jitter;
  const brightness: number[] = [];
  const contrast: number[] = [];
  const saturation: number[] = [];
  const hue: number[] = [];
  const gray: number[] = [];
  for (let i = 0; i < n; i++) {
    const on = rng.next() < color.jitterProbability;
    brightness.push(on ? rng.uniform(Math.max(0, 1 - bj), 1 + bj) : 1);
    contrast.push(on ? rng.uniform(Math.max(0, 1 - cj), 1 + cj) : 1);
    saturation.push(on ? rng.uniform(Math.max(0, 1 - sj), 1 + sj) : 1);
    hue.push(on ? rng.uniform(-hj, hj) : 0);
    gray.push(rng.next() < color.grayscaleProbability ? 1 : 0);
  }
  const col = (v: number[]) => tf.tensor4d(v, [n, 1, 1, 1]);
  const luma = (t: tf.Tensor4D) => tf.sum(tf.mul(t, tf.tensor1d([...LUMA])), 3, true); // (n, s, s, 1)
  let y = tf.clipByValue(tf.mul(x, col(brightness)), 0, 1) as tf.Tensor4D;
  const meanLuma = tf.mean(luma(y), [1, 2, 3], true);
  y = tf.clipByValue(tf.add(tf.mul(tf.sub(y, meanLuma), col(contrast)), meanLuma), 0, 1) as tf.Tensor4D;
  const l = luma(y);
  y = tf.clipByValue(tf.add(tf.mul(tf.sub(y, l), col(saturation)), l), 0, 1) as tf.Tensor4D;
  // Hue: RGB → YIQ, rotate (I, Q) by 2π·h, back to RGB; one 3×3 matrix per image.
  const mats = hue.flatMap((hh) => hueMatrix(hh));
  const flat = tf.reshape(y, [n, -1, 3]);
  y = tf.clipByValue(tf.reshape(tf.matMul(flat, tf.tensor3d(mats, [n, 3, 3])), y.shape), 0, 1) as tf.Tensor4D;
  const g = col(gray);
  y = tf.add(tf.mul(y, tf.sub(1, g)), tf.mul(luma(y), g)) as tf.Tensor4D; // luma broadcasts over channels
  // Blur: a per-image sigma (null: not blurred), applied to the whole batch at once.
  const sigmas: (number | null)[] = [];
  for (let i = 0; i < n; i++)
    sigmas.push(
      rng.next() < color.blurProbability
        ? (rng.uniform(color.blurSigma[0], color.blurSigma[1]) * size) / 224
        : null,
    );
  return gaussianBlurBatch(y, sigmas);
}

/** Row-vector matrix M with rgb' = rgb · M rotating the YIQ chroma by 2π·h. */
function hueMatrix(h: number): number[] {
  const toYiq = [
    [0.299, 0.587, 0.114],
    [0.596, -0.274, -0.322],
    [0.211, -0.523, 0.312],
  ];
  const toRgb = inverse3(toYiq); // exact inverse, so h = 0 is the identity
  const c = Math.cos(2 * Math.PI * h);
  const s = Math.sin(2 * Math.PI * h);
  const rot = [
    [1, 0, 0],
    [0, c, -s],
    [0, s, c],
  ];
  const mul = (a: number[][], b: number[][]) =>
    a.map(
      (row) => b[0]?.map((_, j) => row.reduce((acc, v, k) => acc + v * (b[k]?.[j] as number), 0)) as number[],
    );
  const m = mul(toRgb, mul(rot, toYiq)); // column-vector form: rgb' = m · rgb
  return [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => m[j]?.[i] as number)); // transpose
}

/** Inverse of a 3×3 matrix (adjugate / determinant). */
function inverse3(m: number[][]): number[][] {
  const a = (i: number, j: number) => m[i]?.[j] as number;
  const cof = (i: number, j: number) =>
    a((i + 1) % 3, (j + 1) % 3) * a((i + 2) % 3, (j + 2) % 3) -
    a((i + 1) % 3, (j + 2) % 3) * a((i + 2) % 3, (j + 1) % 3);
  const det = a(0, 0) * cof(0, 0) + a(0, 1) * cof(0, 1) + a(0, 2) * cof(0, 2);
  return [0, 1, 2].map((i) => [0, 1, 2].map((j) => cof(j, i) / det));
}

/** Separable Gaussian blur. @param x (1, s, s, 3) */
export function gaussianBlur(x: tf.Tensor4D, sigma: number): tf.Tensor4D {
  const taps = gaussianTaps(sigma);
  const kernel = tf.tensor1d(taps);
  const horiz = tf.tile(tf.reshape(kernel, [1, taps.length, 1, 1]), [1, 1, 3, 1]) as tf.Tensor4D;
  const vert = tf.tile(tf.reshape(kernel, [taps.length, 1, 1, 1]), [1, 1, 3, 1]) as tf.Tensor4D;
  return tf.depthwiseConv2d(tf.depthwiseConv2d(x, horiz, 1, 'same'), vert, 1, 'same');
}

/** Normalised Gaussian taps of radius ⌈3σ⌉ (at least 1). */
function gaussianTaps(sigma: number): number[] {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const k = Array.from({ length: 2 * radius + 1 }, (_, i) =>
    Math.exp(-((i - radius) ** 2) / (2 * sigma * sigma)),
  );
  const sum = k.reduce((a, b) => a + b, 0);
  return k.map((v) => v / sum);
}

/**
 * `gaussianBlur` of every image of a batch with its own sigma, as a sum of shifted copies weighted
 * by per-image taps (identity taps for unblurred images), first along the height, then the width:
 * the same result as per-image depthwise convolutions with zero padding, with a few batch-wide
 * ops instead of a dispatch chain per image (radius 1 for crops up to 37 px).
 * @param x (n, h, w, c)
 * @param sigmas n values; null leaves that image unchanged
 */
export function gaussianBlurBatch(x: tf.Tensor4D, sigmas: (number | null)[]): tf.Tensor4D {
  const [n, , , c] = x.shape;
  if (sigmas.length !== n) throw new Error(`gaussianBlurBatch: ${sigmas.length} sigmas for ${n} images`);
  if (sigmas.every((s) => s === null)) return x.clone();
  const taps = sigmas.map((s) => (s === null ? [1] : gaussianTaps(s)));
  const r = Math.max(...taps.map((t) => (t.length - 1) / 2));
  // weights[t][i]: tap t (offset t − r) of image i, zero outside its own radius.
  const weights = Array.from({ length: 2 * r + 1 }, (_, t) =>
    taps.map((k) => k[t - r + (k.length - 1) / 2] ?? 0),
  );
  return tf.tidy(() => {
    const coef = weights.map((wt) => tf.tensor4d(wt, [n, 1, 1, 1]));
    // Shift by t − r with zero fill: a depthwise conv with a one-hot kernel (slices are slow on wasm).
    const pass = (v: tf.Tensor4D, axis: 1 | 2): tf.Tensor4D => {
      let out: tf.Tensor4D | null = null;
      for (let t = 0; t <= 2 * r; t++) {
        const oneHot = tf.buffer<tf.Rank.R4>(axis === 1 ? [2 * r + 1, 1, c, 1] : [1, 2 * r + 1, c, 1]);
        for (let ch = 0; ch < c; ch++) oneHot.set(1, axis === 1 ? t : 0, axis === 1 ? 0 : t, ch, 0);
        const shifted = tf.depthwiseConv2d(v, oneHot.toTensor(), 1, 'same');
        const term = tf.mul(shifted, coef[t] as tf.Tensor4D) as tf.Tensor4D;
        out = out === null ? term : (tf.add(out, term) as tf.Tensor4D);
      }
      return out as tf.Tensor4D;
    };
    return pass(pass(x, 1), 2);
  });
}

/** ToTensor values → ImageNet mean/std (protocols.md 9.1). */
export function normalize(x: tf.Tensor4D): tf.Tensor4D {
  return tf.div(tf.sub(x, tf.tensor1d(IMAGENET_MEAN)), tf.tensor1d(IMAGENET_STD));
}
