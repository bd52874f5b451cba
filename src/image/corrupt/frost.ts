/**
 * Frost: x ← clip(a · x + b · frost) with a procedural frost texture (frost-texture.ts) in place of
 * the reference's photographs. The blend weights are the reference's.
 */
import type { Rng } from '../../core/rng.js';
import type { Severity } from './errors.js';
import { frostTexture } from './frost-texture.js';
import type { FloatRgbImage } from './image.js';

/** (image weight, frost weight) (reference: (1, .4), (.8, .6), (.7, .7), (.65, .7), (.6, .75)). */
export const FROST_PARAMS: readonly (readonly [number, number])[] = [
  [1, 0.4],
  [0.8, 0.6],
  [0.7, 0.7],
  [0.65, 0.7],
  [0.6, 0.75],
];

export function frost(img: FloatRgbImage, severity: Severity, rng: Rng, scale: number): FloatRgbImage {
  const [a, b] = FROST_PARAMS[severity - 1] as readonly [number, number];
  const texture = frostTexture(img.width, img.height, rng, scale);
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.min(255, Math.max(0, a * (img.data[i] as number) + b * (texture[i] as number)));
  }
  return { data: out, width: img.width, height: img.height };
}
