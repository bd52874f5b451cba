/**
 * Fog: a plasma fractal added to the image, then the image rescaled by max / (max + c).
 *
 * Resolution: the reference draws a 256 x 256 map and uses its top-left 224 x 224. Here the map
 * side is the smallest power of two ≥ 256/224 of the longer image side, its top-left 224/256 part
 * is taken (the same fraction as the reference) and resampled to the image (box filter when
 * shrinking), so the fog's structure has the same size relative to the image at any resolution.
 */
import type { Rng } from '../../core/rng.js';
import type { Severity } from './errors.js';
import { type FloatRgbImage, REFERENCE_SIDE } from './image.js';
import { plasmaFractal } from './plasma.js';
import { resample } from './taps.js';

/** (fog strength c, plasma decay) (reference: (1.5, 2), (2, 2), (2.5, 1.7), (2.5, 1.5), (3, 1.4)). */
export const FOG_PARAMS: readonly (readonly [number, number])[] = [
  [1.5, 2],
  [2, 2],
  [2.5, 1.7],
  [2.5, 1.5],
  [3, 1.4],
];

const REFERENCE_MAP = 256;

/**
 * A plasma layer covering a width x height image.
 * @returns (height, width) values in [0, 1]
 */
export function fogLayer(width: number, height: number, decay: number, rng: Rng): Float32Array {
  const longer = Math.max(width, height);
  const side = 2 ** Math.ceil(Math.log2(Math.max(2, Math.ceil((longer * REFERENCE_MAP) / REFERENCE_SIDE))));
  const map = plasmaFractal(side, decay, rng);
  const region = Math.round((side * REFERENCE_SIDE) / REFERENCE_MAP);
  const regionW = Math.max(1, Math.round((region * width) / longer));
  const regionH = Math.max(1, Math.round((region * height) / longer));
  const crop = new Float32Array(regionW * regionH);
  for (let r = 0; r < regionH; r++) {
    for (let c = 0; c < regionW; c++) crop[r * regionW + c] = map[r * side + c] as number;
  }
  if (regionW === width && regionH === height) return crop;
  const filter = regionW >= width ? 'box' : 'bilinear';
  return resample(crop, regionW, regionH, 1, width, height, filter);
}

/** x ← clip((x + c · plasma) · max(x) / (max(x) + c)). */
export function fog(img: FloatRgbImage, severity: Severity, rng: Rng): FloatRgbImage {
  const [c, decay] = FOG_PARAMS[severity - 1] as readonly [number, number];
  const layer = fogLayer(img.width, img.height, decay, rng);
  let maxValue = 0;
  for (const v of img.data) if (v / 255 > maxValue) maxValue = v / 255;
  const factor = maxValue / (maxValue + c);
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = ((img.data[i] as number) / 255 + c * (layer[Math.floor(i / 3)] as number)) * factor;
    out[i] = Math.min(1, Math.max(0, v)) * 255;
  }
  return { data: out, width: img.width, height: img.height };
}
