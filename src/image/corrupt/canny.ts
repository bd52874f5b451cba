/**
 * Canny edge detection on an 8-bit single-channel image, as OpenCV's Canny(img, low, high) with its
 * defaults: 3x3 Sobel gradients (edge pixels repeated), L1 magnitude |dx| + |dy|, non-maximum
 * suppression over four directions (22.5° sectors), hysteresis with 8-connected growth from pixels
 * above `high` through pixels above `low`.
 */

/**
 * @param src (height, width) values 0..255
 * @returns (height, width) 255 on edges, 0 elsewhere
 */
export function canny(
  src: ArrayLike<number>,
  width: number,
  height: number,
  low: number,
  high: number,
): Uint8Array {
  const at = (x: number, y: number) =>
    src[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))] as number;
  const n = width * height;
  const dx = new Float64Array(n);
  const dy = new Float64Array(n);
  const mag = new Float64Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const gx =
        at(x + 1, y - 1) -
        at(x - 1, y - 1) +
        2 * (at(x + 1, y) - at(x - 1, y)) +
        at(x + 1, y + 1) -
        at(x - 1, y + 1);
      const gy =
        at(x - 1, y + 1) -
        at(x - 1, y - 1) +
        2 * (at(x, y + 1) - at(x, y - 1)) +
        at(x + 1, y + 1) -
        at(x + 1, y - 1);
      const i = y * width + x;
      dx[i] = gx;
      dy[i] = gy;
      mag[i] = Math.abs(gx) + Math.abs(gy);
    }
  }
  const m = (x: number, y: number) =>
    x < 0 || y < 0 || x >= width || y >= height ? 0 : (mag[y * width + x] as number);
  const tan22 = Math.tan(Math.PI / 8);
  const tan67 = Math.tan((3 * Math.PI) / 8);
  // 0: not an edge, 1: weak candidate, 2: strong edge
  const state = new Uint8Array(n);
  const stack: number[] = [];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = mag[i] as number;
      if (v <= low) continue;
      const ax = Math.abs(dx[i] as number);
      const ay = Math.abs(dy[i] as number);
      let isMax: boolean;
      if (ay < ax * tan22) isMax = v > m(x - 1, y) && v >= m(x + 1, y);
      else if (ay > ax * tan67) isMax = v > m(x, y - 1) && v >= m(x, y + 1);
      else {
        const s = (dx[i] as number) * (dy[i] as number) < 0 ? -1 : 1;
        isMax = v > m(x - s, y - 1) && v > m(x + s, y + 1);
      }
      if (!isMax) continue;
      if (v > high) {
        state[i] = 2;
        stack.push(i);
      } else state[i] = 1;
    }
  }
  while (stack.length > 0) {
    const i = stack.pop() as number;
    const x = i % width;
    const y = (i - x) / width;
    for (let oy = -1; oy <= 1; oy++) {
      for (let ox = -1; ox <= 1; ox++) {
        const nx = x + ox;
        const ny = y + oy;
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const j = ny * width + nx;
        if (state[j] === 1) {
          state[j] = 2;
          stack.push(j);
        }
      }
    }
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) if (state[i] === 2) out[i] = 255;
  return out;
}
