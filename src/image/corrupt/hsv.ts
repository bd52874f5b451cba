/**
 * RGB <-> HSV on values in [0, 1], with skimage.color's conventions (rgb2hsv / hsv2rgb), which the
 * reference uses for brightness and saturate: V = max, S = (max - min) / max (0 for black),
 * H in [0, 1) from the channel that holds the maximum (blue, then green, then red on ties), 0 for
 * greys.
 */

/**
 * Converts in place: each (r, g, b) triple of `data` becomes (h, s, v).
 * @param data (n, 3) interleaved, values in [0, 1]
 */
export function rgbToHsvInPlace(data: Float32Array | Float64Array): void {
  for (let i = 0; i < data.length; i += 3) {
    const r = data[i] as number;
    const g = data[i + 1] as number;
    const b = data[i + 2] as number;
    const v = Math.max(r, g, b);
    const delta = v - Math.min(r, g, b);
    let h = 0;
    let s = 0;
    if (delta !== 0) {
      s = delta / v;
      if (b === v) h = 4 + (r - g) / delta;
      else if (g === v) h = 2 + (b - r) / delta;
      else h = (g - b) / delta;
      h = (((h / 6) % 1) + 1) % 1;
    }
    data[i] = h;
    data[i + 1] = s;
    data[i + 2] = v;
  }
}

/**
 * Converts in place: each (h, s, v) triple becomes (r, g, b).
 * @param data (n, 3) interleaved, h in [0, 1), s and v in [0, 1]
 */
export function hsvToRgbInPlace(data: Float32Array | Float64Array): void {
  for (let i = 0; i < data.length; i += 3) {
    const h = data[i] as number;
    const s = data[i + 1] as number;
    const v = data[i + 2] as number;
    const h6 = h * 6;
    const sector = Math.floor(h6);
    const f = h6 - sector;
    const p = v * (1 - s);
    const q = v * (1 - f * s);
    const t = v * (1 - (1 - f) * s);
    let r: number;
    let g: number;
    let b: number;
    switch (((sector % 6) + 6) % 6) {
      case 0:
        r = v;
        g = t;
        b = p;
        break;
      case 1:
        r = q;
        g = v;
        b = p;
        break;
      case 2:
        r = p;
        g = v;
        b = t;
        break;
      case 3:
        r = p;
        g = q;
        b = v;
        break;
      case 4:
        r = t;
        g = p;
        b = v;
        break;
      default:
        r = v;
        g = p;
        b = q;
    }
    data[i] = r;
    data[i + 1] = g;
    data[i + 2] = b;
  }
}
