/**
 * Feature standardisation (z-scores) with statistics from the training rows only, stored with the
 * head so that inference applies exactly the same transform.
 */

/** Per-feature mean and scale; `std` is never 0 (constant features get 1, as sklearn's StandardScaler). */
export interface Standardizer {
  mean: Float64Array;
  std: Float64Array;
}

/**
 * Mean and population standard deviation (ddof 0) of each column, over the selected rows.
 * @param x (n, d) row-major
 * @param rows row indices to use; all rows when omitted
 */
export function fitStandardizer(x: Float32Array, n: number, d: number, rows?: Int32Array): Standardizer {
  const count = rows?.length ?? n;
  if (count === 0) throw new RangeError('fitStandardizer: no rows');
  const mean = new Float64Array(d);
  for (let r = 0; r < count; r++) {
    const o = (rows === undefined ? r : rows[r]) * d;
    for (let j = 0; j < d; j++) mean[j] += x[o + j];
  }
  for (let j = 0; j < d; j++) mean[j] /= count;
  // Two-pass variance: accurate when the mean is large relative to the spread.
  const std = new Float64Array(d);
  for (let r = 0; r < count; r++) {
    const o = (rows === undefined ? r : rows[r]) * d;
    for (let j = 0; j < d; j++) {
      const t = x[o + j] - mean[j];
      std[j] += t * t;
    }
  }
  for (let j = 0; j < d; j++) {
    const s = Math.sqrt(std[j] / count);
    std[j] = s > 0 && Number.isFinite(s) ? s : 1;
  }
  return { mean, std };
}

/**
 * Applies `gamma * (x - mean) / std + beta` to the selected rows (BatchNorm at inference when gamma
 * and beta are set; plain standardisation otherwise).
 * @param x (n, d) row-major
 * @param rows rows to transform, in output order; all rows when omitted
 * @returns (rows.length, d) row-major float32
 */
export function applyStandardizer(
  x: Float32Array,
  d: number,
  s: { mean: ArrayLike<number>; std: ArrayLike<number> },
  rows?: Int32Array,
  affine?: { gamma: ArrayLike<number>; beta: ArrayLike<number> },
): Float32Array {
  const count = rows?.length ?? x.length / d;
  const out = new Float32Array(count * d);
  const scale = new Float64Array(d);
  const shift = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    const g = affine === undefined ? 1 : affine.gamma[j];
    scale[j] = g / s.std[j];
    shift[j] = affine === undefined ? 0 : affine.beta[j];
  }
  for (let r = 0; r < count; r++) {
    const src = (rows === undefined ? r : rows[r]) * d;
    const dst = r * d;
    for (let j = 0; j < d; j++) out[dst + j] = (x[src + j] - s.mean[j]) * scale[j] + shift[j];
  }
  return out;
}
