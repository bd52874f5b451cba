/** Test images for the corruption tests and the benchmark (made by formula, no files). */
import type { RgbImage } from '../rgb.js';

/**
 * A natural-ish image: horizontal and vertical colour gradients, a soft stripe pattern, a warm disc
 * and a dark green rectangle (edges, flat areas, texture and moderate saturation).
 */
export function naturalTestImage(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 60 + (120 * x) / width;
      let g = 80 + (100 * y) / height;
      let b = 110 + 40 * Math.sin((x * 64) / width / 5);
      const cx = x - width * 0.35;
      const cy = y - height * 0.4;
      if (cx * cx + cy * cy < (Math.min(width, height) * 0.18) ** 2) [r, g, b] = [200, 150, 90];
      if (x > width * 0.6 && x < width * 0.85 && y > height * 0.55 && y < height * 0.8)
        [r, g, b] = [50, 90, 60];
      const i = (y * width + x) * 3;
      data[i] = Math.round(r);
      data[i + 1] = Math.round(g);
      data[i + 2] = Math.round(b);
    }
  }
  return { data, width, height };
}
