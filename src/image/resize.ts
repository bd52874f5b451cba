/**
 * Resizing that reproduces PIL's `Image.resize` on 8-bit RGB images bit for bit, which is what
 * torchvision's `Resize` calls on PIL images (antialiasing always on).
 *
 * Why not sharp's resize: libvips' kernels, rounding and antialiasing differ from PIL's, and
 * every published number for these protocols comes from PIL. Owning the ~100 lines below makes the
 * tensors identical to torchvision's instead of "close" (test: resize.test.ts, preprocess.test.ts
 * against tools/preprocess_reference.py).
 *
 * Bilinear and bicubic: PIL's separable convolution (libImaging/Resample.c). For each output
 * coordinate the filter support is scaled by max(1, in/out) (antialiasing when shrinking),
 * coefficients are normalised, converted to 22-bit fixed point, and each pass rounds and clips to
 * uint8. The horizontal pass runs first, over only the rows the vertical pass reads.
 * Nearest: PIL's affine scale (libImaging/Geometry.c ImagingScaleAffine): source index =
 * floor(accumulated (i + 0.5) * in/out).
 */
import type { Interpolation, Preprocess } from '../core/types.js';
import type { RgbImage } from './rgb.js';

const PRECISION_BITS = 32 - 8 - 2;
const ROUND_HALF = 1 << (PRECISION_BITS - 1);
const ONE = 1 << PRECISION_BITS;

interface Filter {
  support: number;
  at(x: number): number;
}

const BILINEAR: Filter = {
  support: 1,
  at(x) {
    const ax = x < 0 ? -x : x;
    return ax < 1 ? 1 - ax : 0;
  },
};

/** Keys' cubic with a = -0.5, written exactly as PIL evaluates it. */
const BICUBIC: Filter = {
  support: 2,
  at(x) {
    const a = -0.5;
    const ax = x < 0 ? -x : x;
    if (ax < 1) return ((a + 2.0) * ax - (a + 3.0)) * ax * ax + 1;
    if (ax < 2) return (((ax - 5) * ax + 8) * ax - 4) * a;
    return 0;
  },
};

interface Coefficients {
  /** Taps per output coordinate (the stride of `weights`). */
  ksize: number;
  /** (count, 2): first input index and number of taps. */
  bounds: Int32Array;
  /** (count, ksize) fixed-point weights. */
  weights: Int32Array;
}

/**
 * PIL's precompute_coeffs + normalize_coeffs_8bpc for the full box [0, inSize), for the output
 * coordinates [start, start + count) of outSize (each output coordinate's coefficients depend only
 * on itself, so a window gives exactly the pixels of the full resize).
 */
function coefficients(
  inSize: number,
  outSize: number,
  filter: Filter,
  start: number,
  count: number,
): Coefficients {
  const scale = inSize / outSize;
  const filterscale = Math.max(1, scale);
  const support = filter.support * filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(count * 2);
  const weights = new Int32Array(count * ksize);
  const k = new Float64Array(ksize);
  const ss = 1.0 / filterscale;
  for (let i = 0; i < count; i++) {
    const xx = start + i;
    const center = (xx + 0.5) * scale;
    // C's (int) cast truncates toward zero.
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let ww = 0.0;
    for (let x = 0; x < xmax; x++) {
      const w = filter.at((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const v = ww !== 0 ? k[x] / ww : k[x];
      weights[i * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    bounds[i * 2] = xmin;
    bounds[i * 2 + 1] = xmax;
  }
  return { ksize, bounds, weights };
}

/** PIL's clip8: the fixed-point sum shifted back to 8 bits, clamped to [0, 255]. */
function clip8(ss: number): number {
  const v = ss >> PRECISION_BITS;
  return v < 0 ? 0 : Math.min(v, 255);
}

/**
 * Horizontal pass over rows [rowStart, rowStart + rows) of `src`, for the output columns of `c`.
 * @param src (srcHeight, srcWidth, 3) uint8
 * @returns (rows, outWidth, 3) uint8
 */
function horizontal(
  src: RgbImage,
  rowStart: number,
  rows: number,
  outWidth: number,
  c: Coefficients,
): Uint8Array {
  const out = new Uint8Array(rows * outWidth * 3);
  const { ksize, bounds, weights } = c;
  const srcData = src.data;
  for (let yy = 0; yy < rows; yy++) {
    const rowBase = (yy + rowStart) * src.width * 3;
    const outBase = yy * outWidth * 3;
    for (let xx = 0; xx < outWidth; xx++) {
      const xmin = bounds[xx * 2];
      const xmax = bounds[xx * 2 + 1];
      const kBase = xx * ksize;
      let s0 = ROUND_HALF;
      let s1 = ROUND_HALF;
      let s2 = ROUND_HALF;
      let p = rowBase + xmin * 3;
      for (let x = 0; x < xmax; x++, p += 3) {
        const w = weights[kBase + x];
        s0 += srcData[p] * w;
        s1 += srcData[p + 1] * w;
        s2 += srcData[p + 2] * w;
      }
      const o = outBase + xx * 3;
      out[o] = clip8(s0);
      out[o + 1] = clip8(s1);
      out[o + 2] = clip8(s2);
    }
  }
  return out;
}

/**
 * Vertical pass for the output rows of `c`; `rowOffset` is subtracted from the coefficient bounds
 * (the horizontal pass only produced rows from rowOffset on). Accumulates whole rows so that memory
 * is read sequentially; the sums are integers well below 2^53, hence exact in float64.
 * @param src (srcRows, width, 3) uint8
 * @returns (outHeight, width, 3) uint8
 */
function vertical(
  src: Uint8Array,
  width: number,
  outHeight: number,
  rowOffset: number,
  c: Coefficients,
): Uint8Array {
  const stride = width * 3;
  const out = new Uint8Array(outHeight * stride);
  const acc = new Float64Array(stride);
  const { ksize, bounds, weights } = c;
  for (let yy = 0; yy < outHeight; yy++) {
    const ymin = bounds[yy * 2] - rowOffset;
    const ymax = bounds[yy * 2 + 1];
    acc.fill(ROUND_HALF);
    for (let y = 0; y < ymax; y++) {
      const w = weights[yy * ksize + y];
      const base = (ymin + y) * stride;
      for (let i = 0; i < stride; i++) acc[i] += src[base + i] * w;
    }
    const outBase = yy * stride;
    for (let i = 0; i < stride; i++) out[outBase + i] = clip8(acc[i]);
  }
  return out;
}

/** PIL's nearest-neighbour scale: accumulated source coordinates, truncated. */
function nearest(img: RgbImage, width: number, height: number, win: Window): RgbImage {
  const out = new Uint8Array(win.width * win.height * 3);
  const ax = img.width / width;
  const ay = img.height / height;
  const xin = new Int32Array(width);
  // The same running sums as PIL (x0 + 0.5 a, then += a), from 0 so that rounding matches.
  let xo = ax * 0.5;
  for (let x = 0; x < width; x++) {
    xin[x] = Math.trunc(xo);
    xo += ax;
  }
  let yo = ay * 0.5;
  for (let y = 0; y < win.top + win.height; y++, yo += ay) {
    if (y < win.top) continue;
    // Source coordinates stay inside the image for a whole-image resize.
    const rowBase = Math.trunc(yo) * img.width * 3;
    for (let x = 0; x < win.width; x++) {
      const s = rowBase + xin[win.left + x] * 3;
      const o = ((y - win.top) * win.width + x) * 3;
      out[o] = img.data[s];
      out[o + 1] = img.data[s + 1];
      out[o + 2] = img.data[s + 2];
    }
  }
  return { data: out, width: win.width, height: win.height };
}

/** A window [left, left + width) x [top, top + height) of the resized image. */
export interface Window {
  left: number;
  top: number;
  width: number;
  height: number;
}

/**
 * `img.resize((width, height), resample)` of PIL for an RGB image, optionally computing only a
 * window of the result (what a following crop keeps), with pixels identical to the full resize.
 * @param img (h, w, 3) uint8
 * @param win window inside (0, 0, width, height); default the whole image
 * @returns (win.height, win.width, 3) uint8
 */
export function resizeImage(
  img: RgbImage,
  width: number,
  height: number,
  interpolation: Interpolation,
  win: Window = { left: 0, top: 0, width, height },
): RgbImage {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0)) {
    throw new Error(`resize target must be positive integers, got ${width}x${height}`);
  }
  if (win.left < 0 || win.top < 0 || win.left + win.width > width || win.top + win.height > height) {
    throw new Error(`window ${JSON.stringify(win)} is not inside ${width}x${height}`);
  }
  if (width === img.width && height === img.height) {
    return win.width === width && win.height === height ? img : copyWindow(img, win);
  }
  if (interpolation === 'nearest') return nearest(img, width, height, win);
  const filter = interpolation === 'bicubic' ? BICUBIC : BILINEAR;
  const needHorizontal = width !== img.width;
  const needVertical = height !== img.height;
  const out = (data: Uint8Array): RgbImage => ({ data, width: win.width, height: win.height });
  if (!needVertical) {
    const ch = coefficients(img.width, width, filter, win.left, win.width);
    return out(horizontal(img, win.top, win.height, win.width, ch));
  }
  const cv = coefficients(img.height, height, filter, win.top, win.height);
  if (!needHorizontal) {
    const cols = copyWindow(img, { left: win.left, top: 0, width: win.width, height: img.height });
    return out(vertical(cols.data, win.width, win.height, 0, cv));
  }
  // Rows of the source that the vertical pass reads.
  const first = cv.bounds[0];
  const last = cv.bounds[win.height * 2 - 2] + cv.bounds[win.height * 2 - 1];
  const ch = coefficients(img.width, width, filter, win.left, win.width);
  const temp = horizontal(img, first, last - first, win.width, ch);
  return out(vertical(temp, win.width, win.height, first, cv));
}

/** The pixels of a window of an image. */
function copyWindow(img: RgbImage, win: Window): RgbImage {
  const data = new Uint8Array(win.width * win.height * 3);
  for (let y = 0; y < win.height; y++) {
    const src = ((win.top + y) * img.width + win.left) * 3;
    data.set(img.data.subarray(src, src + win.width * 3), y * win.width * 3);
  }
  return { data, width: win.width, height: win.height };
}

/**
 * The size torchvision's Resize produces. 'shorter': the shorter side becomes `size` and the longer
 * int(size * long / short) (truncated, as torchvision 0.14); 'squash': size x size.
 */
export function resizedSize(
  width: number,
  height: number,
  pp: Pick<Preprocess, 'resize' | 'resizeMode'>,
): {
  width: number;
  height: number;
} {
  if (pp.resizeMode === 'squash') return { width: pp.resize, height: pp.resize };
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((pp.resize * long) / short);
  return width <= height ? { width: pp.resize, height: newLong } : { width: newLong, height: pp.resize };
}
