/**
 * Digital photometric corruptions of ImageNet-C: brightness, contrast and (held out) saturate.
 * None has a parameter in pixels, so none is scaled with the resolution.
 */
import type { Severity } from './errors.js';
import { hsvToRgbInPlace, rgbToHsvInPlace } from './hsv.js';
import { clampInPlace, type FloatRgbImage } from './image.js';

/** Added to V in HSV (reference: [.1, .2, .3, .4, .5]). */
export const BRIGHTNESS_SHIFT = [0.1, 0.2, 0.3, 0.4, 0.5] as const;
/** Factor on the distance to the per-channel mean (reference: [.4, .3, .2, .1, .05]). */
export const CONTRAST_FACTOR = [0.4, 0.3, 0.2, 0.1, 0.05] as const;
/** S ← clip(S · factor + offset) in HSV (reference: (.3, 0), (.1, 0), (2, 0), (5, .1), (20, .2)). */
export const SATURATE_PARAMS: readonly (readonly [number, number])[] = [
  [0.3, 0],
  [0.1, 0],
  [2, 0],
  [5, 0.1],
  [20, 0.2],
];

function hsvEdit(img: FloatRgbImage, edit: (hsv: Float64Array) => void): FloatRgbImage {
  const x = new Float64Array(img.data.length);
  for (let i = 0; i < x.length; i++) x[i] = (img.data[i] as number) / 255;
  rgbToHsvInPlace(x);
  edit(x);
  hsvToRgbInPlace(x);
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = Math.min(1, Math.max(0, x[i] as number)) * 255;
  return { data: out, width: img.width, height: img.height };
}

/** V ← clip(V + c, 0, 1) in HSV. */
export function brightness(img: FloatRgbImage, severity: Severity): FloatRgbImage {
  const c = BRIGHTNESS_SHIFT[severity - 1] as number;
  return hsvEdit(img, (hsv) => {
    for (let i = 2; i < hsv.length; i += 3) hsv[i] = Math.min(1, Math.max(0, (hsv[i] as number) + c));
  });
}

/** S ← clip(S · a + b, 0, 1) in HSV. */
export function saturate(img: FloatRgbImage, severity: Severity): FloatRgbImage {
  const [a, b] = SATURATE_PARAMS[severity - 1] as readonly [number, number];
  return hsvEdit(img, (hsv) => {
    for (let i = 1; i < hsv.length; i += 3) hsv[i] = Math.min(1, Math.max(0, (hsv[i] as number) * a + b));
  });
}

/** x ← (x - mean) · c + mean, with the mean of each channel over the image. */
export function contrast(img: FloatRgbImage, severity: Severity): FloatRgbImage {
  const c = CONTRAST_FACTOR[severity - 1] as number;
  const n = img.width * img.height;
  const mean = [0, 0, 0];
  for (let i = 0; i < img.data.length; i++) mean[i % 3] += (img.data[i] as number) / 255;
  for (let ch = 0; ch < 3; ch++) mean[ch] = (mean[ch] as number) / n;
  const out = new Float32Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const m = mean[i % 3] as number;
    out[i] = ((img.data[i] as number) / 255 - m) * c + m;
  }
  clampInPlace(out, 0, 1);
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) * 255;
  return { data: out, width: img.width, height: img.height };
}
