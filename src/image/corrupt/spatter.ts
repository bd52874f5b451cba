/**
 * Spatter (held out): drops of water (severities 1-3) or mud (4-5) from a thresholded, smoothed
 * Gaussian noise layer.
 *
 * Water, as the reference: the drop layer is thresholded, its Canny edges (OpenCV thresholds 50 and
 * 150) give a distance-to-edge map truncated at 20 px, which is box-blurred, histogram-equalised,
 * embossed with a 3x3 kernel and blurred again; drop x distance, normalised to its maximum and
 * scaled, adds pale turquoise (175, 238, 238) to the image. Mud: the thresholded layer is blurred,
 * values under 0.8 are dropped, and the image is replaced by brown (63, 42, 20) in proportion.
 *
 * Scaling: at s ≥ 1 the smoothing sigmas and the distance truncation are multiplied by s, and the
 * noise's standard deviation is set so that the smoothed layer has the reference's per-pixel spread
 * (a smoothed noise field's spread falls as its sigma grows), so drops cover the same fraction of
 * the image at any resolution. Below 224 px the drops are drawn at the reference scale and
 * area-averaged down. The distance transform is exact where OpenCV's is a 5x5 chamfer.
 */
import type { Rng } from '../../core/rng.js';
import { gaussianFilter } from './blur.js';
import { canny } from './canny.js';
import { distanceTransform } from './distance.js';
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';
import { gaussianKernel, kernelNoiseGain2d } from './kernels.js';
import { applyTapsX, applyTapsY, convolutionTaps, resample } from './taps.js';

/**
 * (noise mean, noise sd, smoothing sigma px, threshold, intensity or mud sigma px, mud?)
 * (reference values).
 */
export const SPATTER_PARAMS: readonly (readonly [number, number, number, number, number, 0 | 1])[] = [
  [0.65, 0.3, 4, 0.69, 0.6, 0],
  [0.65, 0.3, 3, 0.68, 0.6, 0],
  [0.65, 0.3, 2, 0.68, 0.5, 0],
  [0.65, 0.3, 1, 0.65, 1.5, 1],
  [0.67, 0.4, 1, 0.65, 1.5, 1],
];

const WATER = [175 / 255, 238 / 255, 238 / 255] as const;
const MUD = [63 / 255, 42 / 255, 20 / 255] as const;
const DISTANCE_TRUNCATION = 20;
const EMBOSS = [-2, -1, 0, -1, 1, 1, 0, 1, 2] as const;

/** 3x3 normalised box filter (OpenCV blur, BORDER_REFLECT_101). */
function box3(src: Float32Array, width: number, height: number): Float32Array {
  const k = [1 / 3, 1 / 3, 1 / 3];
  const x = applyTapsX(src, height, 1, convolutionTaps(width, k, 'mirror'));
  return applyTapsY(x, width, 1, convolutionTaps(height, k, 'mirror'));
}

/** OpenCV equalizeHist on 8-bit values. */
export function equalizeHistogram(src: Uint8Array): Uint8Array {
  const hist = new Float64Array(256);
  for (const v of src) hist[v] = (hist[v] as number) + 1;
  let first = 0;
  while (first < 255 && hist[first] === 0) first++;
  const total = src.length;
  const out = new Uint8Array(src.length);
  if (hist[first] === total) return out.fill(first);
  const scale = 255 / (total - (hist[first] as number));
  const lut = new Uint8Array(256);
  let sum = 0;
  for (let i = first + 1; i < 256; i++) {
    sum += hist[i] as number;
    lut[i] = Math.min(255, Math.max(0, Math.round(sum * scale)));
  }
  for (let i = 0; i < src.length; i++) out[i] = lut[src[i] as number] as number;
  return out;
}

/** 3x3 correlation with EMBOSS, mirror border, saturated to 0..255 (OpenCV filter2D to CV_8U). */
function emboss(src: Uint8Array, width: number, height: number): Uint8Array {
  const out = new Uint8Array(src.length);
  const idx = (i: number, n: number) => (i < 0 ? (n > 1 ? 1 : 0) : i >= n ? (n > 1 ? n - 2 : 0) : i);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let ky = -1; ky <= 1; ky++) {
        const row = idx(y + ky, height) * width;
        for (let kx = -1; kx <= 1; kx++) {
          s += (EMBOSS[(ky + 1) * 3 + kx + 1] as number) * (src[row + idx(x + kx, width)] as number);
        }
      }
      out[y * width + x] = Math.min(255, Math.max(0, Math.round(s)));
    }
  }
  return out;
}

/** The smoothed noise layer, thresholded; its spread matches the reference at any scale. */
function dropLayer(
  width: number,
  height: number,
  rng: Rng,
  mean: number,
  sd: number,
  sigma0: number,
  scale: number,
  threshold: number,
): Float32Array {
  const sigma = sigma0 * scale;
  const spread = sd * (kernelNoiseGain2d(gaussianKernel(sigma0)) / kernelNoiseGain2d(gaussianKernel(sigma)));
  const noise = new Float32Array(width * height);
  for (let i = 0; i < noise.length; i++) noise[i] = mean + spread * rng.normal();
  const layer = gaussianFilter(noise, width, height, 1, sigma);
  for (let i = 0; i < layer.length; i++) if ((layer[i] as number) < threshold) layer[i] = 0;
  return layer;
}

/**
 * Per-pixel weight of the water colour (added) or of the mud colour (blended in), at the image's
 * resolution and with parameters scaled by `scale` ≥ 1.
 */
function spatterWeights(
  width: number,
  height: number,
  severity: Severity,
  rng: Rng,
  scale: number,
): Float32Array {
  const [mean, sd, sigma0, threshold, strength, mud] = SPATTER_PARAMS[severity - 1] as readonly [
    number,
    number,
    number,
    number,
    number,
    0 | 1,
  ];
  const n = width * height;
  const layer = dropLayer(width, height, rng, mean, sd, sigma0, scale, threshold);
  if (mud === 1) {
    const mask = new Float32Array(n);
    for (let i = 0; i < n; i++) mask[i] = (layer[i] as number) > threshold ? 1 : 0;
    const m = gaussianFilter(mask, width, height, 1, strength * scale);
    for (let i = 0; i < n; i++) if ((m[i] as number) < 0.8) m[i] = 0;
    return m;
  }
  const layer8 = new Uint8Array(n);
  for (let i = 0; i < n; i++) layer8[i] = Math.min(255, Math.floor((layer[i] as number) * 255));
  const edges = canny(layer8, width, height, 50, 150);
  const distance = distanceTransform(edges, width, height);
  const truncation = DISTANCE_TRUNCATION * scale;
  const truncated = new Float32Array(n);
  for (let i = 0; i < n; i++) truncated[i] = Math.min(distance[i] as number, truncation);
  const smoothed = box3(truncated, width, height);
  const blurred = new Uint8Array(n);
  for (let i = 0; i < n; i++) blurred[i] = Math.min(255, Math.floor(smoothed[i] as number));
  const embossed = emboss(equalizeHistogram(blurred), width, height);
  const shade = box3(new Float32Array(embossed), width, height);
  const m = new Float32Array(n);
  let maxM = 0;
  for (let i = 0; i < n; i++) {
    m[i] = (layer[i] as number) * Math.round(shade[i] as number);
    if ((m[i] as number) > maxM) maxM = m[i] as number;
  }
  const k = maxM > 0 ? strength / maxM : 0;
  for (let i = 0; i < n; i++) m[i] = (m[i] as number) * k;
  return m;
}

/**
 * Spatter. Below 224 px the drop weights are computed at the reference scale (the image size
 * divided by s) and area-averaged down, since drop outlines and Canny edges of a few pixels do not
 * survive a smaller grid.
 */
export function spatter(img: FloatRgbImage, severity: Severity, rng: Rng, scale: number): FloatRgbImage {
  const { width, height } = img;
  const n = width * height;
  let weights: Float32Array;
  if (scale >= 1) weights = spatterWeights(width, height, severity, rng, scale);
  else {
    const bigW = Math.round(width / scale);
    const bigH = Math.round(height / scale);
    weights = resample(spatterWeights(bigW, bigH, severity, rng, 1), bigW, bigH, 1, width, height, 'box');
  }
  const mud = (SPATTER_PARAMS[severity - 1] as readonly number[])[5] === 1;
  const out = new Float32Array(img.data.length);
  for (let p = 0; p < n; p++) {
    const w = weights[p] as number;
    for (let c = 0; c < 3; c++) {
      const x = (img.data[3 * p + c] as number) / 255;
      const v = mud ? x * (1 - w) + w * (MUD[c] as number) : x + w * (WATER[c] as number);
      out[3 * p + c] = Math.min(1, Math.max(0, v)) * 255;
    }
  }
  return { data: out, width, height };
}
