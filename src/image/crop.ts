/**
 * Crops with PIL's semantics: box corners rounded half-to-even (Python's round), areas outside the
 * image filled with 0; plus the MIAP square rule (protocols.md 1.2, 9.4) and torchvision's
 * CenterCrop rounding and padding.
 */
import type { BBox, RoiRule } from '../core/types.js';
import { blankImage, type RgbImage } from './rgb.js';

/** Python 3's round(): to the nearest integer, halves to the even neighbour. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * `img.crop((left, top, right, bottom))` for integer corners: pixels outside the image are 0.
 * Throws when the box is empty.
 */
export function cropPixels(
  img: RgbImage,
  left: number,
  top: number,
  right: number,
  bottom: number,
): RgbImage {
  const w = right - left;
  const h = bottom - top;
  if (w <= 0 || h <= 0) throw new Error(`empty crop box (${left}, ${top}, ${right}, ${bottom})`);
  const out = blankImage(w, h);
  const x0 = Math.max(0, left);
  const x1 = Math.min(img.width, right);
  if (x1 <= x0) return out;
  for (let y = Math.max(0, top); y < Math.min(img.height, bottom); y++) {
    const src = (y * img.width + x0) * 3;
    out.data.set(img.data.subarray(src, src + (x1 - x0) * 3), ((y - top) * w + (x0 - left)) * 3);
  }
  return out;
}

/**
 * PIL's `img.crop(bbox)` for a float box: corners rounded half-to-even first.
 * A box that misses the image entirely is an error (PIL would return an all-black crop).
 */
export function cropBox(img: RgbImage, bbox: BBox): RgbImage {
  const [left, top, right, bottom] = bbox.map(roundHalfEven);
  if (right <= 0 || bottom <= 0 || left >= img.width || top >= img.height) {
    throw new Error(`bbox [${bbox.join(', ')}] lies outside the ${img.width}x${img.height} image`);
  }
  return cropPixels(img, left, top, right, bottom);
}

/**
 * The MIAP square (vissl disk_roi_annotations): with s = min(w, h), if max/min >= 1.2 a tall crop
 * keeps its top square (0, 0, s, s) and a wide one its horizontally centred square
 * (int((w - s) / 2), 0, int((w - s) / 2) + s, h); otherwise the crop is kept whole.
 * @returns the box [left, top, right, bottom] in the crop's pixels, or null to keep it.
 */
export function miapSquareBox(width: number, height: number): [number, number, number, number] | null {
  const s = Math.min(width, height);
  if (Math.max(width, height) / s < 1.2) return null;
  if (width < height) return [0, 0, s, s];
  const left = Math.trunc((width - s) / 2);
  return [left, 0, left + s, height];
}

/** Applies the ROI rule to a box crop. */
export function applyRoi(img: RgbImage, roi: RoiRule): RgbImage {
  if (roi === 'none') return img;
  const box = miapSquareBox(img.width, img.height);
  return box === null ? img : cropPixels(img, ...box);
}

/**
 * torchvision's CenterCrop(size) on a PIL image: pads with 0 where the crop is larger than the
 * image (left/top get floor of half the excess), then crops at top = int(round((h - size) / 2)),
 * left likewise (round half to even).
 */
export function centerCrop(img: RgbImage, size: number): RgbImage {
  let { width, height } = img;
  let padLeft = 0;
  let padTop = 0;
  if (size > width || size > height) {
    padLeft = size > width ? Math.floor((size - width) / 2) : 0;
    padTop = size > height ? Math.floor((size - height) / 2) : 0;
    width = Math.max(width, size);
    height = Math.max(height, size);
  }
  const top = roundHalfEven((height - size) / 2) - padTop;
  const left = roundHalfEven((width - size) / 2) - padLeft;
  if (left === 0 && top === 0 && size === img.width && size === img.height) return img;
  return cropPixels(img, left, top, left + size, top + size);
}
