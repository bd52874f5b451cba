/**
 * Zoom blur: the mean of the image and its centre zooms by each factor of a range. Zoom factors are
 * relative to the image, so nothing is scaled with resolution.
 *
 * `clippedZoom` follows the reference: crop the centre ceil(n / z) pixels of each axis, enlarge it by
 * z with scipy.ndimage.zoom (order 1: linear, corners aligned: output o samples input
 * o · (in - 1) / (out - 1), output size round(in · z)), and keep the centre n pixels.
 */
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';

/**
 * Zoom factors 1, 1 + step, ... (count values) at each severity. The reference writes them as
 * np.arange(1, 1.11, .01), (1, 1.16, .01), (1, 1.21, .02), (1, 1.26, .02), (1, 1.31, .03); float
 * rounding makes the first arange include 1.11, hence 12 values there.
 */
export const ZOOM_FACTORS: readonly { step: number; count: number }[] = [
  { step: 0.01, count: 12 },
  { step: 0.01, count: 16 },
  { step: 0.02, count: 11 },
  { step: 0.02, count: 13 },
  { step: 0.03, count: 11 },
];

/** Python's round(): halves to even. */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** Linear interpolation table of one axis: output i reads src[lower]·(1 - frac) + src[upper]·frac. */
export interface AxisTable {
  lower: Int32Array;
  upper: Int32Array;
  frac: Float64Array;
}

/**
 * One axis of a zoom: `crop` input pixels starting at `offset` are enlarged by `zoom` (scipy.ndimage.zoom,
 * order 1, output size round(crop · zoom)) and the centre `n` outputs are kept.
 */
export function zoomAxis(n: number, crop: number, offset: number, zoom: number): AxisTable {
  const zoomedSize = roundHalfEven(crop * zoom);
  const trim = Math.floor((zoomedSize - n) / 2);
  const step = zoomedSize > 1 ? (crop - 1) / (zoomedSize - 1) : 0;
  const lower = new Int32Array(n);
  const upper = new Int32Array(n);
  const frac = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const coord = Math.min(crop - 1, Math.max(0, (i + trim) * step));
    const lo = Math.floor(coord);
    lower[i] = offset + lo;
    upper[i] = offset + Math.min(crop - 1, lo + 1);
    frac[i] = coord - lo;
  }
  return { lower, upper, frac };
}

/**
 * Samples an interleaved image through two axis tables.
 * @param data (rows, width, channels)
 * @returns (ys.length, xs.length, channels)
 */
export function sampleAxes(
  data: Float32Array,
  width: number,
  channels: number,
  ys: AxisTable,
  xs: AxisTable,
): Float32Array {
  const outH = ys.lower.length;
  const outW = xs.lower.length;
  const out = new Float32Array(outH * outW * channels);
  const rowLen = width * channels;
  for (let y = 0; y < outH; y++) {
    const a = (ys.lower[y] as number) * rowLen;
    const b = (ys.upper[y] as number) * rowLen;
    const fy = ys.frac[y] as number;
    for (let x = 0; x < outW; x++) {
      const x0 = (xs.lower[x] as number) * channels;
      const x1 = (xs.upper[x] as number) * channels;
      const fx = xs.frac[x] as number;
      for (let c = 0; c < channels; c++) {
        const top = (data[a + x0 + c] as number) * (1 - fx) + (data[a + x1 + c] as number) * fx;
        const bottom = (data[b + x0 + c] as number) * (1 - fx) + (data[b + x1 + c] as number) * fx;
        out[(y * outW + x) * channels + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return out;
}

/** The reference's clipped zoom of one axis of n pixels (zoom ≥ 1). */
function clippedAxis(n: number, zoom: number): AxisTable {
  const crop = Math.ceil(n / zoom);
  return zoomAxis(n, crop, Math.floor((n - crop) / 2), zoom);
}

/**
 * Centre zoom of an interleaved image by `zoom` ≥ 1 on both axes (reference clipped_zoom).
 * @param data (height, width, channels)
 */
export function clippedZoom(
  data: Float32Array,
  width: number,
  height: number,
  channels: number,
  zoom: number,
): Float32Array {
  if (!(zoom >= 1)) throw new RangeError(`clippedZoom: zoom must be ≥ 1, got ${zoom}`);
  return sampleAxes(data, width, channels, clippedAxis(height, zoom), clippedAxis(width, zoom));
}

/** (x + Σ_z zoom_z(x)) / (count + 1), clipped. */
export function zoomBlur(img: FloatRgbImage, severity: Severity): FloatRgbImage {
  const { step, count } = ZOOM_FACTORS[severity - 1] as { step: number; count: number };
  const acc = new Float64Array(img.data);
  for (let i = 0; i < count; i++) {
    const z = clippedZoom(img.data, img.width, img.height, 3, 1 + i * step);
    for (let k = 0; k < acc.length; k++) acc[k] = (acc[k] as number) + (z[k] as number);
  }
  const out = new Float32Array(acc.length);
  for (let k = 0; k < acc.length; k++) out[k] = Math.min(255, Math.max(0, (acc[k] as number) / (count + 1)));
  return { data: out, width: img.width, height: img.height };
}
