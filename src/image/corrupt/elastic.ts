/**
 * Elastic transform: a random affine warp (three control points moved by up to `affine` px), then a
 * smooth random displacement field (uniform noise smoothed with a Gaussian of `sigma` px, truncated
 * at 3 sigma, times `alpha`), both with bilinear sampling. Borders: the affine warp mirrors about
 * the edge pixel (OpenCV BORDER_REFLECT_101), the displacement mirrors about the edge (scipy
 * 'reflect').
 *
 * The reference writes its parameters as multiples of 244 ("should have been 224"); they are kept.
 * Its severities 1-2 are large smooth warps and 3-5 small local ones, so the pixel change is not
 * monotone from severity 2 to 3 (only within 1-2 and within 3-5).
 *
 * Scaling: sigma and the affine displacement are multiplied by s; alpha is multiplied by s and by
 * the ratio of the smoothed noise's spread at the reference sigma to its spread at the scaled sigma,
 * so displacements are the same fraction of the image at any resolution.
 */
import type { Rng } from '../../core/rng.js';
import { gaussianFilter } from './blur.js';
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';
import { gaussianKernel, kernelNoiseGain2d } from './kernels.js';
import { type Border, borderIndex } from './taps.js';

/** (alpha, sigma px, affine px) at 224 px (reference values, written as 244 · fraction). */
export const ELASTIC_PARAMS: readonly (readonly [number, number, number])[] = [
  [244 * 2, 244 * 0.7, 244 * 0.1],
  [244 * 2, 244 * 0.08, 244 * 0.2],
  [244 * 0.05, 244 * 0.01, 244 * 0.02],
  [244 * 0.07, 244 * 0.01, 244 * 0.02],
  [244 * 0.12, 244 * 0.01, 244 * 0.02],
];

/** Bilinear sample of channel-interleaved data at (x, y) with a border rule. */
function sampleInto(
  out: Float32Array,
  o: number,
  data: Float32Array,
  width: number,
  height: number,
  x: number,
  y: number,
  border: Border,
): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  const xa = borderIndex(x0, width, border) * 3;
  const xb = borderIndex(x0 + 1, width, border) * 3;
  const ya = borderIndex(y0, height, border) * width * 3;
  const yb = borderIndex(y0 + 1, height, border) * width * 3;
  for (let c = 0; c < 3; c++) {
    const top = (data[ya + xa + c] as number) * (1 - fx) + (data[ya + xb + c] as number) * fx;
    const bottom = (data[yb + xa + c] as number) * (1 - fx) + (data[yb + xb + c] as number) * fx;
    out[o + c] = top * (1 - fy) + bottom * fy;
  }
}

/**
 * The affine map taking three source points to three destination points, as [a, b, c, d, e, f]
 * with x' = a x + b y + c, y' = d x + e y + f.
 */
export function affineFromPoints(
  src: readonly [number, number][],
  dst: readonly [number, number][],
): number[] {
  const [[x0, y0], [x1, y1], [x2, y2]] = src as [[number, number], [number, number], [number, number]];
  const det = x0 * (y1 - y2) - y0 * (x1 - x2) + (x1 * y2 - x2 * y1);
  if (Math.abs(det) < 1e-12) throw new RangeError('affineFromPoints: source points are collinear');
  const solve = (v0: number, v1: number, v2: number) => [
    (v0 * (y1 - y2) - y0 * (v1 - v2) + (v1 * y2 - v2 * y1)) / det,
    (x0 * (v1 - v2) - v0 * (x1 - x2) + (x1 * v2 - x2 * v1)) / det,
    (x0 * (y1 * v2 - y2 * v1) - y0 * (x1 * v2 - x2 * v1) + v0 * (x1 * y2 - x2 * y1)) / det,
  ];
  const [a, b, c] = solve(...(dst.map((p) => p[0]) as [number, number, number])) as [number, number, number];
  const [d, e, f] = solve(...(dst.map((p) => p[1]) as [number, number, number])) as [number, number, number];
  return [a, b, c, d, e, f];
}

/** A smoothed uniform(-1, 1) field times alpha. */
function displacementField(
  width: number,
  height: number,
  rng: Rng,
  sigma: number,
  alpha: number,
): Float32Array {
  const noise = new Float32Array(width * height);
  for (let i = 0; i < noise.length; i++) noise[i] = rng.uniform(-1, 1);
  const field = gaussianFilter(noise, width, height, 1, sigma, 'reflect', 3);
  for (let i = 0; i < field.length; i++) field[i] = (field[i] as number) * alpha;
  return field;
}

export function elasticTransform(
  img: FloatRgbImage,
  severity: Severity,
  rng: Rng,
  scale: number,
): FloatRgbImage {
  const [alpha0, sigma0, affine0] = ELASTIC_PARAMS[severity - 1] as readonly [number, number, number];
  const { width, height, data } = img;
  const sigma = sigma0 * scale;
  const affine = affine0 * scale;
  const gainRatio =
    kernelNoiseGain2d(gaussianKernel(sigma0, 3)) / kernelNoiseGain2d(gaussianKernel(sigma, 3));
  const alpha = alpha0 * scale * gainRatio;

  // Random affine: three points around the centre, each coordinate moved by U(-affine, affine).
  const cx = Math.floor(width / 2);
  const cy = Math.floor(height / 2);
  const square = Math.floor(Math.min(width, height) / 3);
  const src: [number, number][] = [
    [cx + square, cy + square],
    [cx + square, cy - square],
    [cx - square, cy - square],
  ];
  const dst = src.map(([x, y]): [number, number] => [
    x + rng.uniform(-affine, affine),
    y + rng.uniform(-affine, affine),
  ]);
  // Output pixel p reads the source at the inverse map (OpenCV warpAffine without WARP_INVERSE_MAP).
  const [a, b, c, d, e, f] = affineFromPoints(dst, src) as [number, number, number, number, number, number];
  const warped = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      sampleInto(
        warped,
        (y * width + x) * 3,
        data,
        width,
        height,
        a * x + b * y + c,
        d * x + e * y + f,
        'mirror',
      );
    }
  }

  const dx = displacementField(width, height, rng, sigma, alpha);
  const dy = displacementField(width, height, rng, sigma, alpha);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      sampleInto(out, i * 3, warped, width, height, x + (dx[i] as number), y + (dy[i] as number), 'reflect');
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, out[i] as number));
  return { data: out, width, height };
}
