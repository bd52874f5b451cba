/**
 * Motion blur as ImageMagick's MotionBlurImage (which the reference calls through Wand): a
 * one-sided Gaussian of 2·ceil(radius) + 1 taps, weight exp(-i² / 2σ²) at i px along the direction
 * `angle` (offsets rounded half down), edge pixels repeated outside the image. The reference draws
 * the angle uniformly in [-45°, 45°].
 *
 * Scaling: radius and sigma are multiplied by s.
 */
import type { Rng } from '../../core/rng.js';
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';

/** (radius px, sigma px) at 224 px (reference: (10, 3), (15, 5), (15, 8), (15, 12), (20, 15)). */
export const MOTION_PARAMS: readonly (readonly [number, number])[] = [
  [10, 3],
  [15, 5],
  [15, 8],
  [15, 12],
  [20, 15],
];

/**
 * ImageMagick's motion blur of an interleaved image.
 * @param data (height, width, channels)
 * @param angleDegrees direction of the smear, 0 = towards +x, 90 = towards +y
 */
export function motionBlurFilter(
  data: Float32Array,
  width: number,
  height: number,
  channels: number,
  radius: number,
  sigma: number,
  angleDegrees: number,
): Float32Array {
  const taps = radius > 0 ? 2 * Math.ceil(radius) + 1 : 3;
  const kernel = new Float64Array(taps);
  let total = 0;
  for (let i = 0; i < taps; i++) {
    kernel[i] = sigma > 0 ? Math.exp(-(i * i) / (2 * sigma * sigma)) : i === 0 ? 1 : 0;
    total += kernel[i] as number;
  }
  const theta = (angleDegrees * Math.PI) / 180;
  const cos = Math.cos(theta);
  const sin = Math.sin(theta);
  const out = new Float64Array(data.length);
  const xIndex = new Int32Array(width);
  const rowLen = width * channels;
  for (let i = 0; i < taps; i++) {
    const w = (kernel[i] as number) / total;
    const ox = Math.ceil(i * cos - 0.5);
    const oy = Math.ceil(i * sin - 0.5);
    for (let x = 0; x < width; x++) xIndex[x] = Math.min(width - 1, Math.max(0, x + ox)) * channels;
    for (let y = 0; y < height; y++) {
      const src = Math.min(height - 1, Math.max(0, y + oy)) * rowLen;
      const dst = y * rowLen;
      for (let x = 0; x < width; x++) {
        const s = src + (xIndex[x] as number);
        const d = dst + x * channels;
        for (let c = 0; c < channels; c++) out[d + c] = (out[d + c] as number) + w * (data[s + c] as number);
      }
    }
  }
  return new Float32Array(out);
}

/** Motion blur along a random angle in [-45°, 45°]. */
export function motionBlur(img: FloatRgbImage, severity: Severity, rng: Rng, scale: number): FloatRgbImage {
  const [radius, sigma] = MOTION_PARAMS[severity - 1] as readonly [number, number];
  const angle = rng.uniform(-45, 45);
  const out = motionBlurFilter(img.data, img.width, img.height, 3, radius * scale, sigma * scale, angle);
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, out[i] as number));
  return { data: out, width: img.width, height: img.height };
}
