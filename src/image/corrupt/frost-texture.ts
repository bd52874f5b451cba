/**
 * A procedural frost texture. The reference blends crops of six photographs of frost on glass
 * (frost1.png ... frost6.jpg) that fairscope does not ship; this texture is synthesised instead,
 * seeded, so results are reproducible but are NOT the reference's pixels.
 *
 * What it draws: a dim, blotchy layer of ice (plasma fractal), bright dendritic crystals (random
 * walks that branch at 45-70 degrees every 2-6 px, three levels deep) with a soft glow, and a fine grain, tinted
 * pale blue. Crystal lengths, widths and counts scale with the image (s = min side / 224), so the
 * texture looks the same at any resolution. Mean brightness is about 0.6 on [0, 1].
 */
import type { Rng } from '../../core/rng.js';
import { gaussianFilter } from './blur.js';
import { fogLayer } from './fog.js';
import { REFERENCE_SIDE } from './image.js';

/** Crystals per 224 x 224 area. */
const CRYSTALS_PER_REFERENCE_AREA = 110;

interface Canvas {
  data: Float32Array;
  width: number;
  height: number;
}

function putMax(canvas: Canvas, cx: number, cy: number, value: number): void {
  if (cx < 0 || cy < 0 || cx >= canvas.width || cy >= canvas.height) return;
  const i = cy * canvas.width + cx;
  if (value > (canvas.data[i] as number)) canvas.data[i] = value;
}

/** Max-splats a point of intensity v with bilinear weights. */
function splat(canvas: Canvas, x: number, y: number, v: number): void {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const fx = x - x0;
  const fy = y - y0;
  putMax(canvas, x0, y0, v * (1 - fx) * (1 - fy));
  putMax(canvas, x0 + 1, y0, v * fx * (1 - fy));
  putMax(canvas, x0, y0 + 1, v * (1 - fx) * fy);
  putMax(canvas, x0 + 1, y0 + 1, v * fx * fy);
}

/** One branch: walks `length` px from (x, y) along `angle` (radians) and spawns side branches. */
function growBranch(
  canvas: Canvas,
  rng: Rng,
  x: number,
  y: number,
  angle: number,
  length: number,
  depth: number,
  scale: number,
): void {
  const intensity = [0.9, 0.7, 0.5][depth] ?? 0.5;
  let nextBranch = rng.uniform(2, 6) * scale;
  let a = angle;
  for (let t = 0; t < length; t += 0.5) {
    x += 0.5 * Math.cos(a);
    y += 0.5 * Math.sin(a);
    a += rng.uniform(-0.04, 0.04);
    splat(canvas, x, y, intensity * (1 - (0.5 * t) / length));
    if (depth < 2 && t >= nextBranch) {
      const side = rng.next() < 0.5 ? -1 : 1;
      const turn = (side * rng.uniform(45, 70) * Math.PI) / 180;
      growBranch(canvas, rng, x, y, a + turn, (length - t) * rng.uniform(0.25, 0.5), depth + 1, scale);
      nextBranch = t + rng.uniform(2, 6) * scale;
    }
  }
}

/**
 * A frost texture for a width x height image.
 * @returns (height, width, 3) values in [0, 255]
 */
export function frostTexture(width: number, height: number, rng: Rng, scale: number): Float32Array {
  const n = width * height;
  const base = fogLayer(width, height, 1.8, rng);
  const crystals: Canvas = { data: new Float32Array(n), width, height };
  const count = Math.max(
    1,
    Math.round((CRYSTALS_PER_REFERENCE_AREA * n) / (REFERENCE_SIDE * REFERENCE_SIDE)),
  );
  for (let k = 0; k < count; k++) {
    const length = Math.exp(rng.uniform(Math.log(12), Math.log(70))) * scale;
    growBranch(
      crystals,
      rng,
      rng.uniform(0, width),
      rng.uniform(0, height),
      rng.uniform(0, 2 * Math.PI),
      length,
      0,
      scale,
    );
  }
  const needles = gaussianFilter(crystals.data, width, height, 1, 0.6 * scale);
  const glow = gaussianFilter(crystals.data, width, height, 1, 3 * scale);
  const grain = new Float32Array(n);
  for (let i = 0; i < n; i++) grain[i] = 0.04 * rng.normal();
  const grainBlurred = gaussianFilter(grain, width, height, 1, 0.8);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const v = Math.min(
      1,
      Math.max(
        0,
        0.3 +
          0.35 * (base[i] as number) +
          0.7 * (needles[i] as number) +
          0.6 * (glow[i] as number) +
          (grainBlurred[i] as number),
      ),
    );
    out[3 * i] = 255 * Math.min(1, 0.86 * v + 0.02);
    out[3 * i + 1] = 255 * Math.min(1, 0.94 * v + 0.03);
    out[3 * i + 2] = 255 * Math.min(1, v + 0.06);
  }
  return out;
}
