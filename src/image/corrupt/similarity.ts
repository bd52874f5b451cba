/**
 * How far a corrupted image is from its original: mean absolute difference and SSIM (Wang et al.
 * 2004: Gaussian window sigma 1.5, C1 = (0.01 · 255)², C2 = (0.03 · 255)², mean over pixels and
 * channels). Used by the tests and the benchmark to check that severities order the damage.
 */
import type { PixelImage } from './image.js';
import { gaussianKernel } from './kernels.js';
import { convolveSeparable } from './taps.js';

function checkSameSize(a: PixelImage, b: PixelImage): void {
  if (a.width !== b.width || a.height !== b.height || a.data.length !== b.data.length) {
    throw new RangeError(`images differ in size: ${a.width}x${a.height} and ${b.width}x${b.height}`);
  }
}

/** Mean over values of |a - b|, on the 0..255 scale. */
export function meanAbsoluteDifference(a: PixelImage, b: PixelImage): number {
  checkSameSize(a, b);
  let s = 0;
  for (let i = 0; i < a.data.length; i++) s += Math.abs((a.data[i] as number) - (b.data[i] as number));
  return s / a.data.length;
}

/** Structural similarity in [-1, 1] (1 for identical images). */
export function ssim(a: PixelImage, b: PixelImage): number {
  checkSameSize(a, b);
  const { width, height } = a;
  const n = a.data.length;
  const x = new Float32Array(a.data);
  const y = new Float32Array(b.data);
  const xx = new Float32Array(n);
  const yy = new Float32Array(n);
  const xy = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = (x[i] as number) * (x[i] as number);
    yy[i] = (y[i] as number) * (y[i] as number);
    xy[i] = (x[i] as number) * (y[i] as number);
  }
  const k = gaussianKernel(1.5, 3.5);
  const blur = (v: Float32Array) => convolveSeparable(v, width, height, 3, k, 'reflect');
  const mx = blur(x);
  const my = blur(y);
  const sxx = blur(xx);
  const syy = blur(yy);
  const sxy = blur(xy);
  const c1 = (0.01 * 255) ** 2;
  const c2 = (0.03 * 255) ** 2;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const ux = mx[i] as number;
    const uy = my[i] as number;
    const vx = (sxx[i] as number) - ux * ux;
    const vy = (syy[i] as number) - uy * uy;
    const cxy = (sxy[i] as number) - ux * uy;
    total += ((2 * ux * uy + c1) * (2 * cxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
  }
  return total / n;
}
