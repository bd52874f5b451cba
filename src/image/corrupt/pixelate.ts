/**
 * Pixelate: shrink to a fraction of the size and enlarge back, both with PIL's BOX filter on 8-bit
 * values (each pass rounded, as PIL's 8-bit resampling). The fraction is relative to the image, so
 * nothing is scaled with resolution.
 */
import type { Severity } from './errors.js';
import type { FloatRgbImage } from './image.js';
import { applyTapsX, applyTapsY, resampleTaps } from './taps.js';

/** Fraction of the side kept (reference: [.6, .5, .4, .3, .25] of 224). */
export const PIXELATE_FACTOR = [0.6, 0.5, 0.4, 0.3, 0.25] as const;

function round8(data: Float32Array): Float32Array {
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.max(0, Math.round(data[i] as number)));
  return data;
}

/** PIL Image.resize(size, BOX) on 8-bit RGB: horizontal pass, then vertical, each rounded. */
export function boxResize8(
  data: Float32Array,
  width: number,
  height: number,
  outW: number,
  outH: number,
): Float32Array {
  let x = data;
  if (outW !== width) x = round8(applyTapsX(x, height, 3, resampleTaps(width, outW, 'box')));
  if (outH !== height) x = round8(applyTapsY(x, outW, 3, resampleTaps(height, outH, 'box')));
  return x === data ? new Float32Array(data) : x;
}

export function pixelate(img: FloatRgbImage, severity: Severity): FloatRgbImage {
  const c = PIXELATE_FACTOR[severity - 1] as number;
  const { width, height } = img;
  const smallW = Math.max(1, Math.trunc(width * c));
  const smallH = Math.max(1, Math.trunc(height * c));
  const input = round8(new Float32Array(img.data));
  const small = boxResize8(input, width, height, smallW, smallH);
  return { data: boxResize8(small, smallW, smallH, width, height), width, height };
}
