/**
 * Defocus blur: convolution with an anti-aliased disk. The reference builds the disk on a grid,
 * blurs the kernel with a small Gaussian (OpenCV GaussianBlur, 3x3 for radii ≤ 8, else 5x5) and
 * filters with OpenCV filter2D (border BORDER_REFLECT_101).
 *
 * Speed: disk and Gaussian are both symmetric, and convolution with a symmetric kernel keeps a
 * mirror-extended signal mirror-symmetric, so filtering by the disk and then by the Gaussian equals
 * filtering by the blurred disk, borders included. The disk is applied with running sums along
 * each of its rows (O(radius) per pixel instead of O(radius²)).
 *
 * Scaling: at s ≥ 1 the radius is multiplied by s (the anti-aliasing sigma belongs to the pixel grid
 * and is kept); below 224 px the reference kernel is area-averaged onto the coarser grid.
 */
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';
import { gaussianKernelOfSize } from './kernels.js';
import { borderIndex, convolveSeparable } from './taps.js';

/** (disk radius in px at 224, anti-aliasing sigma) (reference: (3, .1), (4, .5), (6, .5), (8, .5), (10, .5)). */
export const DEFOCUS_PARAMS: readonly (readonly [number, number])[] = [
  [3, 0.1],
  [4, 0.5],
  [6, 0.5],
  [8, 0.5],
  [10, 0.5],
];

/**
 * Correlation with the aliased disk {(dx, dy): dx² + dy² ≤ r²} / count, mirror border.
 * @param src (height, width, channels) interleaved
 */
export function diskFilter(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  radius: number,
): Float32Array {
  const reach = Math.floor(radius);
  const halfWidths: number[] = [];
  let count = 0;
  for (let dy = -reach; dy <= reach; dy++) {
    let w = Math.floor(Math.sqrt(Math.max(0, radius * radius - dy * dy)));
    while ((w + 1) * (w + 1) + dy * dy <= radius * radius) w++;
    while (w > 0 && w * w + dy * dy > radius * radius) w--;
    halfWidths.push(w);
    count += 2 * w + 1;
  }
  const pad = reach;
  const paddedW = width + 2 * pad;
  // prefix[row][c][k] = Σ_{t < k} extended(row, t - pad) for channel c
  const stride = paddedW + 1;
  const prefix = new Float64Array(height * channels * stride);
  const xIndex = new Int32Array(paddedW);
  for (let t = 0; t < paddedW; t++) xIndex[t] = borderIndex(t - pad, width, 'mirror');
  for (let y = 0; y < height; y++) {
    for (let c = 0; c < channels; c++) {
      const base = (y * channels + c) * stride;
      let s = 0;
      for (let t = 0; t < paddedW; t++) {
        s += src[(y * width + (xIndex[t] as number)) * channels + c] as number;
        prefix[base + t + 1] = s;
      }
    }
  }
  const out = new Float32Array(src.length);
  const inv = 1 / count;
  for (let y = 0; y < height; y++) {
    for (let k = 0; k < halfWidths.length; k++) {
      const sy = borderIndex(y + k - reach, height, 'mirror');
      const w = halfWidths[k] as number;
      for (let c = 0; c < channels; c++) {
        const base = (sy * channels + c) * stride;
        for (let x = 0; x < width; x++) {
          // columns x - w .. x + w of the image are t = x + pad - w .. x + pad + w of the padded row
          const v = (prefix[base + x + pad + w + 1] as number) - (prefix[base + x + pad - w] as number);
          const o = (y * width + x) * channels + c;
          out[o] = (out[o] as number) + v * inv;
        }
      }
    }
  }
  return out;
}

/**
 * The reference's kernel (aliased disk, blurred by the anti-aliasing Gaussian with the OpenCV
 * kernel size), area-averaged onto a grid `scale` times as coarse: what blurring at 224 px and then
 * shrinking the image does. For scale 1 it is the reference kernel itself.
 * @returns (2k + 1, 2k + 1) row-major weights summing to 1, and k
 */
export function scaledDefocusKernel(
  radius: number,
  alias: number,
  scale: number,
): { weights: Float64Array; reach: number } {
  const ksize = radius <= 8 ? 3 : 5;
  const g = gaussianKernelOfSize(ksize, alias);
  const gr = (ksize - 1) / 2;
  const fineReach = Math.floor(radius) + gr;
  const fineSide = 2 * fineReach + 1;
  // fine kernel: aliased disk convolved with the Gaussian (full convolution, no clipping)
  const fine = new Float64Array(fineSide * fineSide);
  let count = 0;
  for (let v = -Math.floor(radius); v <= Math.floor(radius); v++) {
    for (let u = -Math.floor(radius); u <= Math.floor(radius); u++)
      if (u * u + v * v <= radius * radius) count++;
  }
  for (let v = -Math.floor(radius); v <= Math.floor(radius); v++) {
    for (let u = -Math.floor(radius); u <= Math.floor(radius); u++) {
      if (u * u + v * v > radius * radius) continue;
      for (let a = -gr; a <= gr; a++) {
        for (let b = -gr; b <= gr; b++) {
          const i = (v + a + fineReach) * fineSide + (u + b + fineReach);
          fine[i] = (fine[i] as number) + ((g[a + gr] as number) * (g[b + gr] as number)) / count;
        }
      }
    }
  }
  // overlap of fine pixel [t - 0.5, t + 0.5] · scale with coarse pixel [c - 0.5, c + 0.5]
  const reach = Math.ceil((fineReach + 0.5) * scale - 0.5);
  const side = 2 * reach + 1;
  const overlap = (t: number, c: number) =>
    Math.max(0, Math.min((t + 0.5) * scale, c + 0.5) - Math.max((t - 0.5) * scale, c - 0.5));
  const weights = new Float64Array(side * side);
  let total = 0;
  for (let v = -fineReach; v <= fineReach; v++) {
    for (let u = -fineReach; u <= fineReach; u++) {
      const w = fine[(v + fineReach) * fineSide + (u + fineReach)] as number;
      if (w === 0) continue;
      for (let j = -reach; j <= reach; j++) {
        const oy = overlap(v, j);
        if (oy === 0) continue;
        for (let i = -reach; i <= reach; i++) {
          const ox = overlap(u, i);
          if (ox === 0) continue;
          weights[(j + reach) * side + (i + reach)] =
            (weights[(j + reach) * side + (i + reach)] as number) + w * ox * oy;
          total += w * ox * oy;
        }
      }
    }
  }
  for (let i = 0; i < weights.length; i++) weights[i] = (weights[i] as number) / total;
  return { weights, reach };
}

/**
 * Correlation with a square kernel, mirror border (OpenCV filter2D, BORDER_REFLECT_101).
 * @param kernel (2k + 1, 2k + 1) row-major
 */
export function filter2d(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  kernel: Float64Array,
  reach: number,
): Float32Array {
  const side = 2 * reach + 1;
  const taps: { dx: number; dy: number; w: number }[] = [];
  for (let j = 0; j < side; j++) {
    for (let i = 0; i < side; i++) {
      const w = kernel[j * side + i] as number;
      if (w !== 0) taps.push({ dx: i - reach, dy: j - reach, w });
    }
  }
  const out = new Float64Array(src.length);
  const xIndex = new Int32Array(width);
  for (const { dx, dy, w } of taps) {
    for (let x = 0; x < width; x++) xIndex[x] = borderIndex(x + dx, width, 'mirror') * channels;
    for (let y = 0; y < height; y++) {
      const row = borderIndex(y + dy, height, 'mirror') * width * channels;
      const dst = y * width * channels;
      for (let x = 0; x < width; x++) {
        const s = row + (xIndex[x] as number);
        const d = dst + x * channels;
        for (let c = 0; c < channels; c++) out[d + c] = (out[d + c] as number) + w * (src[s + c] as number);
      }
    }
  }
  return new Float32Array(out);
}

/**
 * Defocus blur, clipped to [0, 255]. At s ≥ 1: the disk of radius r · s (running sums) then the
 * anti-aliasing Gaussian. Below 224 px a lattice disk of radius under a few pixels degenerates (a
 * radius under 1 is a single pixel, no blur at all), so the reference kernel is area-averaged onto
 * the coarser grid instead (scaledDefocusKernel).
 */
export function defocusBlur(img: FloatRgbImage, severity: Severity, scale: number): FloatRgbImage {
  const [radius, alias] = DEFOCUS_PARAMS[severity - 1] as readonly [number, number];
  let out: Float32Array;
  if (scale >= 1) {
    const disk = diskFilter(img.data, img.width, img.height, 3, radius * scale);
    const kernel = gaussianKernelOfSize(radius <= 8 ? 3 : 5, alias);
    out = convolveSeparable(disk, img.width, img.height, 3, kernel, 'mirror');
  } else {
    const { weights, reach } = scaledDefocusKernel(radius, alias, scale);
    out = filter2d(img.data, img.width, img.height, 3, weights, reach);
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.min(255, Math.max(0, out[i] as number));
  return { data: out, width: img.width, height: img.height };
}
