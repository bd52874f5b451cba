import type { Rng } from '../../core/rng.js';

/** A crop box in normalised coordinates [y1, x1, y2, x2] (x1 > x2 means horizontally flipped). */
export type CropBox = [number, number, number, number];

/**
 * torchvision's `RandomResizedCrop.get_params`: up to 10 tries of an area fraction in `scale` and a
 * log-uniform aspect ratio in `ratio`; otherwise a centre crop at the nearest allowed ratio.
 * Works on a height×width image; returns a normalised box.
 */
export function randomResizedCropBox(
  rng: Rng,
  height: number,
  width: number,
  scale: [number, number],
  ratio: [number, number] = [3 / 4, 4 / 3],
): CropBox {
  const area = height * width;
  const logRatio = [Math.log(ratio[0]), Math.log(ratio[1])] as const;
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logRatio[0], logRatio[1]));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      const top = rng.int(height - h + 1);
      const left = rng.int(width - w + 1);
      return toBox(top, left, h, w, height, width);
    }
  }
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return toBox(Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w, height, width);
}

/** Pixel rectangle → normalised [y1, x1, y2, x2] over pixel centres (tf.image.cropAndResize). */
function toBox(top: number, left: number, h: number, w: number, height: number, width: number): CropBox {
  const ny = (y: number) => (height > 1 ? y / (height - 1) : 0);
  const nx = (x: number) => (width > 1 ? x / (width - 1) : 0);
  return [ny(top), nx(left), ny(top + h - 1), nx(left + w - 1)];
}
