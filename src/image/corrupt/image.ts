/**
 * The pixel type the corruptions work on: interleaved RGB, (height, width, 3), values 0..255. Inputs
 * may be 8-bit (RgbImage, what decode.ts returns) or float; outputs are float so that a chain of
 * corruptions does not round twice. `toRgbImage` rounds to 8 bits for writing files.
 *
 * Resolution scaling. The reference (Hendrycks & Dietterich 2019, ImageNet-C) corrupts 224 x 224
 * crops, so every parameter in pixels (blur radii and sigmas, glass-blur displacement, elastic and
 * spatter smoothing, snow flake zoom and streak length, frost detail) is multiplied here by
 * s = min(width, height) / 224. Parameters that are fractions of the image (zoom factors, pixelate
 * factor, fog map) need no scaling. Per-pixel noise, JPEG blocks and the anti-aliasing of the defocus
 * disk belong to the pixel grid and are not scaled. Each corruption's file says what it scales.
 */
import type { RgbImage } from '../rgb.js';
import { imageTooSmallError } from './errors.js';

/** (height, width, 3) float32, interleaved RGB, values in [0, 255]. */
export interface FloatRgbImage {
  data: Float32Array;
  width: number;
  height: number;
}

/** An 8-bit or float RGB image, (height, width, 3) interleaved, values 0..255. */
export type PixelImage = RgbImage | FloatRgbImage;

/** Side of the images the reference parameters were chosen for. */
export const REFERENCE_SIDE = 224;

/** Smallest side any corruption accepts: below it blurs, zooms and pixelation are meaningless. */
export const MIN_SIDE = 8;

/** s = min(width, height) / 224: the factor applied to parameters given in pixels. */
export function resolutionScale(width: number, height: number): number {
  return Math.min(width, height) / REFERENCE_SIDE;
}

/** Checks the buffer length and the minimum side; `name` is the corruption, for the message. */
export function checkImage(img: PixelImage, name: string): void {
  const { width, height } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(
      `${name}: image width and height must be positive integers, got ${width} x ${height}`,
    );
  }
  if (img.data.length !== width * height * 3) {
    throw new RangeError(
      `${name}: image data has ${img.data.length} values, expected ${width} x ${height} x 3 = ${width * height * 3}`,
    );
  }
  if (width < MIN_SIDE || height < MIN_SIDE) throw imageTooSmallError(name, width, height, MIN_SIDE);
  if (img.data instanceof Float32Array) {
    for (let i = 0; i < img.data.length; i++) {
      if (!Number.isFinite(img.data[i])) {
        throw new RangeError(
          `${name}: image value ${i} (pixel ${Math.floor(i / 3)}, channel ${i % 3}) is ${img.data[i]}`,
        );
      }
    }
  }
}

/** A float copy of an image (values clamped to [0, 255]). */
export function toFloatImage(img: PixelImage): FloatRgbImage {
  const data = new Float32Array(img.data.length);
  const src = img.data;
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.min(255, Math.max(0, src[i] as number));
  }
  return { data, width: img.width, height: img.height };
}

/** A float image of the same size filled with zeros. */
export function blankFloatImage(width: number, height: number): FloatRgbImage {
  return { data: new Float32Array(width * height * 3), width, height };
}

/**
 * Rounds to 8 bits (round half up, clipped to 0..255). The reference stores its outputs with
 * np.uint8(x), which truncates; rounding avoids a systematic darkening of half a level.
 */
export function toRgbImage(img: PixelImage): RgbImage {
  const data = new Uint8Array(img.data.length);
  const src = img.data;
  for (let i = 0; i < data.length; i++) {
    data[i] = Math.min(255, Math.max(0, Math.round(src[i] as number)));
  }
  return { data, width: img.width, height: img.height };
}

/** Clamps every value of a float buffer to [lo, hi] in place. */
export function clampInPlace(data: Float32Array, lo: number, hi: number): Float32Array {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < lo) data[i] = lo;
    else if (v > hi) data[i] = hi;
  }
  return data;
}
