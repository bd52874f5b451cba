/**
 * Gaussian blur (held out) and the blur helpers other corruptions share. Gaussian sigmas are in
 * pixels and are scaled with the resolution (image.ts).
 */
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';
import { gaussianKernel } from './kernels.js';
import { type Border, convolveSeparable } from './taps.js';

/** Sigma in pixels at 224 px (reference: [1, 2, 3, 4, 6]). */
export const GAUSSIAN_BLUR_SIGMA = [1, 2, 3, 4, 6] as const;

/**
 * skimage.filters.gaussian on an interleaved image: each channel blurred alone with scipy's kernel
 * (truncate 4 unless given) and border rule ('nearest' by default, as skimage).
 */
export function gaussianFilter(
  data: Float32Array,
  width: number,
  height: number,
  channels: number,
  sigma: number,
  border: Border = 'nearest',
  truncate = 4,
): Float32Array {
  if (!(sigma > 0)) return new Float32Array(data);
  return convolveSeparable(data, width, height, channels, gaussianKernel(sigma, truncate), border);
}

/** x ← clip(gaussian(x, σ · s)). */
export function gaussianBlur(img: FloatRgbImage, severity: Severity, scale: number): FloatRgbImage {
  const sigma = (GAUSSIAN_BLUR_SIGMA[severity - 1] as number) * scale;
  const out = gaussianFilter(img.data, img.width, img.height, 3, sigma);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, out[i] as number));
  return { data: out, width: img.width, height: img.height };
}
