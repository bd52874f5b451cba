/**
 * The one in-memory image type of the pipeline: 8-bit RGB, interleaved, row-major. Every geometric
 * step (crop, resize) maps an RgbImage to an RgbImage, as PIL does on 'RGB' images, so results stay
 * bit-identical to PIL's 8-bit arithmetic.
 */
export interface RgbImage {
  /** (height, width, 3) uint8, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
}

/** A blank (black) image; PIL fills areas outside a crop with 0 as well. */
export function blankImage(width: number, height: number): RgbImage {
  return { data: new Uint8Array(width * height * 3), width, height };
}
