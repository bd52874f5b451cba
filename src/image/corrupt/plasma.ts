/**
 * Plasma fractal (diamond-square on a torus), the fog layer of the reference. A size x size height
 * map (size a power of two), normalised to [0, 1]. At each level the new points are the mean of
 * their four neighbours plus wibble · U(-wibble, wibble) (the reference multiplies twice, so the
 * perturbation scales with wibble²), and wibble is divided by `decay` after each level.
 */
import type { Rng } from '../../core/rng.js';

/**
 * @returns (size, size) row-major values in [0, 1]
 */
export function plasmaFractal(size: number, decay: number, rng: Rng): Float64Array {
  if (!Number.isInteger(Math.log2(size)) || size < 2) {
    throw new RangeError(`plasmaFractal: size must be a power of two ≥ 2, got ${size}`);
  }
  const map = new Float64Array(size * size);
  const mask = size - 1;
  // size is a power of two: (i & mask) wraps negative and overflowing indices onto the torus
  const at = (r: number, c: number) => map[(r & mask) * size + (c & mask)] as number;
  let step = size;
  let wibble = 100;
  while (step >= 2) {
    const half = step / 2;
    // squares: centre of each square of corners
    for (let r = 0; r < size; r += step) {
      for (let c = 0; c < size; c += step) {
        const sum = at(r, c) + at(r + step, c) + at(r, c + step) + at(r + step, c + step);
        map[(r + half) * size + c + half] = sum / 4 + wibble * rng.uniform(-wibble, wibble);
      }
    }
    // diamonds on the corner rows: left/right corners, centres above/below
    for (let r = 0; r < size; r += step) {
      for (let c = 0; c < size; c += step) {
        const sum = at(r, c) + at(r, c + step) + at(r - half, c + half) + at(r + half, c + half);
        map[r * size + c + half] = sum / 4 + wibble * rng.uniform(-wibble, wibble);
      }
    }
    // diamonds on the centre rows: corners above/below, centres left/right
    for (let r = 0; r < size; r += step) {
      for (let c = 0; c < size; c += step) {
        const sum = at(r, c) + at(r + step, c) + at(r + half, c - half) + at(r + half, c + half);
        map[(r + half) * size + c] = sum / 4 + wibble * rng.uniform(-wibble, wibble);
      }
    }
    step = half;
    wibble /= decay;
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const v of map) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  for (let i = 0; i < map.length; i++) map[i] = range > 0 ? ((map[i] as number) - lo) / range : 0;
  return map;
}
