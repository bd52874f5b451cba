/**
 * uint8 RGB pixels -> the float tensor a model reads: scale (ToTensor's /255), mean/std, channel
 * order (BGR swapped after normalisation, as vissl does for pycls checkpoints), layout.
 *
 * Arithmetic is float32 at each step, as torch does: x = f32(v / 255) (or f32(v * scale) for other
 * scales), then f32(f32(x - mean) / std) with mean/std rounded to float32. For ToTensor + Normalize
 * the values are therefore bit-identical to torchvision's.
 */
import type { Preprocess } from '../core/types.js';
import type { RgbImage } from './rgb.js';

const f32 = Math.fround;

/**
 * A 256-entry table per channel (RGB order): value of each uint8 level after scale and mean/std.
 * @returns (3, 256) row-major
 */
export function normalisationTable(pp: Pick<Preprocess, 'scale' | 'mean' | 'std'>): Float32Array {
  const table = new Float32Array(3 * 256);
  // ToTensor divides by 255 (one rounding); 1/255 as a multiplier would differ in the last bit.
  const divisor = 1 / pp.scale;
  const exactDivisor = Math.abs(divisor - Math.round(divisor)) < 1e-9 ? Math.round(divisor) : null;
  for (let c = 0; c < 3; c++) {
    const mean = f32(pp.mean[c]);
    const std = f32(pp.std[c]);
    for (let v = 0; v < 256; v++) {
      const x = exactDivisor === null ? f32(v * pp.scale) : f32(v / exactDivisor);
      table[c * 256 + v] = f32(f32(x - mean) / std);
    }
  }
  return table;
}

/**
 * Writes one image as a tensor into `out` at `offset`.
 * @param img (h, w, 3) uint8 RGB
 * @param out receives (3, h, w) for 'nchw' or (h, w, 3) for 'nhwc', channels in `pp.channels` order
 * @param table from normalisationTable(pp)
 */
export function writeTensor(
  img: RgbImage,
  pp: Pick<Preprocess, 'channels' | 'layout'>,
  table: Float32Array,
  out: Float32Array,
  offset = 0,
): void {
  const n = img.width * img.height;
  const src = img.data;
  // Output channel k reads input channel order[k].
  const order = pp.channels === 'bgr' ? [2, 1, 0] : [0, 1, 2];
  if (pp.layout === 'nchw') {
    for (let k = 0; k < 3; k++) {
      const c = order[k];
      const t = c * 256;
      const base = offset + k * n;
      for (let i = 0; i < n; i++) out[base + i] = table[t + src[i * 3 + c]];
    }
  } else {
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < 3; k++) {
        const c = order[k];
        out[offset + i * 3 + k] = table[c * 256 + src[i * 3 + c]];
      }
    }
  }
}
