/**
 * Snow: a layer of thresholded Gaussian noise, enlarged so that flakes span several pixels,
 * motion-blurred into streaks at a random angle in [-135°, -45°], added twice (once rotated by
 * 180°) to an image brightened towards its grey level.
 *
 * Scaling: the flake zoom and the streak radius and sigma are multiplied by s. The noise grid is
 * drawn at the size the zoom needs (ceil(side / zoom)), which for zoom ≥ 1 is what the reference's
 * centre crop keeps, and for zoom < 1 (images below 224 / zoom px) makes flakes under one pixel.
 * The streak layer is rounded to 8 bits as the reference's PNG round trip does.
 */
import type { Rng } from '../../core/rng.js';
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';
import { motionBlurFilter } from './motion.js';
import { sampleAxes, zoomAxis } from './zoom.js';

/**
 * (noise mean, noise sd, flake zoom, threshold, streak radius px, streak sigma px, image weight)
 * (reference values).
 */
export const SNOW_PARAMS: readonly (readonly [number, number, number, number, number, number, number])[] = [
  [0.1, 0.3, 3, 0.5, 10, 4, 0.8],
  [0.2, 0.3, 2, 0.5, 12, 4, 0.7],
  [0.55, 0.3, 4, 0.9, 12, 8, 0.7],
  [0.55, 0.3, 4.5, 0.85, 12, 8, 0.65],
  [0.55, 0.3, 2.5, 0.85, 12, 12, 0.55],
];

export function snow(img: FloatRgbImage, severity: Severity, rng: Rng, scale: number): FloatRgbImage {
  const [mean, sd, zoom0, threshold, radius, sigma, weight] = SNOW_PARAMS[
    severity - 1
  ] as readonly number[] as [number, number, number, number, number, number, number];
  const { width, height } = img;
  const zoom = zoom0 * scale;
  const gridW = Math.ceil(width / zoom);
  const gridH = Math.ceil(height / zoom);
  const grid = new Float32Array(gridW * gridH);
  for (let i = 0; i < grid.length; i++) grid[i] = mean + sd * rng.normal();
  const layer = sampleAxes(grid, gridW, 1, zoomAxis(height, gridH, 0, zoom), zoomAxis(width, gridW, 0, zoom));
  for (let i = 0; i < layer.length; i++) {
    const v = layer[i] as number;
    layer[i] = v < threshold ? 0 : Math.floor(Math.min(1, Math.max(0, v)) * 255);
  }
  const angle = rng.uniform(-135, -45);
  const streaks = motionBlurFilter(layer, width, height, 1, radius * scale, sigma * scale, angle);
  const n = width * height;
  const out = new Float32Array(img.data.length);
  for (let p = 0; p < n; p++) {
    const r = (img.data[3 * p] as number) / 255;
    const g = (img.data[3 * p + 1] as number) / 255;
    const b = (img.data[3 * p + 2] as number) / 255;
    const grey = 0.299 * r + 0.587 * g + 0.114 * b;
    const lifted = grey * 1.5 + 0.5;
    const flakes = (Math.round(streaks[p] as number) + Math.round(streaks[n - 1 - p] as number)) / 255;
    for (let c = 0; c < 3; c++) {
      const x = (img.data[3 * p + c] as number) / 255;
      const v = weight * x + (1 - weight) * Math.max(x, lifted) + flakes;
      out[3 * p + c] = Math.min(1, Math.max(0, v)) * 255;
    }
  }
  return { data: out, width, height };
}
