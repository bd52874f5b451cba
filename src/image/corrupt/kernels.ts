/** Gaussian kernels as the reference's libraries build them. */

/**
 * scipy.ndimage.gaussian_filter1d's kernel (what skimage.filters.gaussian uses): radius
 * floor(truncate · sigma + 0.5), weights exp(-x² / 2σ²) normalised to sum 1.
 * @returns (2r + 1) weights; [1] when sigma ≤ 0
 */
export function gaussianKernel(sigma: number, truncate = 4): Float64Array {
  if (!(sigma > 0)) return Float64Array.of(1);
  const r = Math.floor(truncate * sigma + 0.5);
  return gaussianWeights(sigma, r);
}

/** OpenCV getGaussianKernel(ksize, sigma) for odd ksize: the same weights on a fixed support. */
export function gaussianKernelOfSize(ksize: number, sigma: number): Float64Array {
  if (!Number.isInteger(ksize) || ksize < 1 || ksize % 2 === 0) {
    throw new RangeError(`gaussianKernelOfSize: ksize must be a positive odd integer, got ${ksize}`);
  }
  if (!(sigma > 0)) throw new RangeError(`gaussianKernelOfSize: sigma must be > 0, got ${sigma}`);
  return gaussianWeights(sigma, (ksize - 1) / 2);
}

function gaussianWeights(sigma: number, r: number): Float64Array {
  const w = new Float64Array(2 * r + 1);
  let total = 0;
  for (let x = -r; x <= r; x++) {
    const v = Math.exp((-0.5 * x * x) / (sigma * sigma));
    w[x + r] = v;
    total += v;
  }
  for (let i = 0; i < w.length; i++) w[i] = (w[i] as number) / total;
  return w;
}

/**
 * L2 norm of the 2-D separable kernel k ⊗ k: the standard deviation that filtering unit-variance
 * white noise with it leaves (away from borders). Used to keep smoothed-noise layers statistically
 * the same when their sigma is scaled with the image.
 */
export function kernelNoiseGain2d(kernel: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < kernel.length; i++) s += (kernel[i] as number) ** 2;
  return s; // sqrt(s) per axis, squared for two axes
}
