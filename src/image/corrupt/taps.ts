/**
 * One-dimensional linear filters as sparse tap lists, applied along x or y of an interleaved image.
 * A convolution with a border rule, a PIL-style resampling and a folded long kernel are all the same
 * thing here: output i = Σ_k weight[k] · input[index[k]] over the taps of i. Building the taps once
 * per (size, kernel) and merging taps that land on the same input pixel (a kernel longer than the
 * image, reflected several times) keeps every pass O(output · min(kernel, size)).
 */

/** How indices outside [0, n) are mapped back inside. Names and rules follow scipy.ndimage. */
export type Border =
  /** aaa|abc|ccc: repeat the edge pixel (scipy 'nearest', OpenCV BORDER_REPLICATE). */
  | 'nearest'
  /** cba|abc|cba: mirror about the edge, edge repeated (scipy 'reflect', OpenCV BORDER_REFLECT). */
  | 'reflect'
  /** cb|abc|ba: mirror about the edge pixel (scipy 'mirror', OpenCV BORDER_REFLECT_101). */
  | 'mirror';

/** Index i mapped into [0, n) by a border rule; handles any number of reflections. */
export function borderIndex(i: number, n: number, border: Border): number {
  if (i >= 0 && i < n) return i;
  if (border === 'nearest' || n === 1) return i < 0 ? 0 : n - 1;
  if (border === 'reflect') {
    const p = 2 * n;
    const m = ((i % p) + p) % p;
    return m < n ? m : p - 1 - m;
  }
  const p = 2 * n - 2;
  const m = ((i % p) + p) % p;
  return m < n ? m : p - m;
}

/** Sparse taps of a 1-D linear map from `inSize` inputs to `outSize` outputs (CSR rows). */
export interface Taps {
  inSize: number;
  outSize: number;
  /** (outSize + 1) offsets into index/weight. */
  start: Int32Array;
  index: Int32Array;
  weight: Float64Array;
}

/** Builds taps from a per-output list of (input index, weight), merging equal indices. */
function buildTaps(
  inSize: number,
  outSize: number,
  each: (o: number, add: (index: number, weight: number) => void) => void,
): Taps {
  const acc = new Float64Array(inSize);
  const seen = new Uint8Array(inSize);
  const touched: number[] = [];
  const start = new Int32Array(outSize + 1);
  const index: number[] = [];
  const weight: number[] = [];
  const add = (i: number, w: number) => {
    if (seen[i] === 0) {
      seen[i] = 1;
      touched.push(i);
    }
    acc[i] = (acc[i] as number) + w;
  };
  for (let o = 0; o < outSize; o++) {
    each(o, add);
    touched.sort((a, b) => a - b);
    for (const i of touched) {
      const w = acc[i] as number;
      if (w !== 0) {
        index.push(i);
        weight.push(w);
      }
      acc[i] = 0;
      seen[i] = 0;
    }
    touched.length = 0;
    start[o + 1] = index.length;
  }
  return { inSize, outSize, start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/**
 * Taps of a correlation with a centred kernel (output size = input size).
 * @param kernel (2r + 1) weights, centre at index r
 */
export function convolutionTaps(n: number, kernel: ArrayLike<number>, border: Border): Taps {
  const key = `${n}|${border}|${Array.prototype.join.call(kernel, ',')}`;
  const cached = tapsCache.get(key);
  if (cached !== undefined) return cached;
  const taps = buildConvolutionTaps(n, kernel, border);
  if (tapsCache.size >= TAPS_CACHE_SIZE) tapsCache.delete(tapsCache.keys().next().value as string);
  tapsCache.set(key, taps);
  return taps;
}

/** Recently built convolution taps: the same (size, kernel, border) recurs for every image of a run. */
const tapsCache = new Map<string, Taps>();
const TAPS_CACHE_SIZE = 64;

function buildConvolutionTaps(n: number, kernel: ArrayLike<number>, border: Border): Taps {
  const r = (kernel.length - 1) / 2;
  if (!Number.isInteger(r))
    throw new RangeError(`convolutionTaps: kernel length must be odd, got ${kernel.length}`);
  return buildTaps(n, n, (o, add) => {
    for (let t = 0; t < kernel.length; t++) {
      const w = kernel[t] as number;
      if (w !== 0) add(borderIndex(o + t - r, n, border), w);
    }
  });
}

/** Resampling filters of PIL's Image.resize (libImaging/Resample.c), evaluated in float. */
export type ResampleFilter = 'box' | 'bilinear';

function filterWeight(filter: ResampleFilter, x: number): number {
  if (filter === 'box') return x > -0.5 && x <= 0.5 ? 1 : 0;
  const ax = Math.abs(x);
  return ax < 1 ? 1 - ax : 0;
}

/**
 * Taps of PIL's resampling from inSize to outSize: filter support scaled by max(1, in/out)
 * (antialiasing when shrinking), weights normalised per output.
 */
export function resampleTaps(inSize: number, outSize: number, filter: ResampleFilter): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = (filter === 'box' ? 0.5 : 1) * filterScale;
  return buildTaps(inSize, outSize, (o, add) => {
    const center = (o + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xmax = Math.min(Math.trunc(center + support + 0.5), inSize);
    let total = 0;
    for (let x = xmin; x < xmax; x++) total += filterWeight(filter, (x - center + 0.5) / filterScale);
    if (total === 0) return;
    for (let x = xmin; x < xmax; x++) {
      const w = filterWeight(filter, (x - center + 0.5) / filterScale);
      if (w !== 0) add(x, w / total);
    }
  });
}

/**
 * Applies taps along x of an interleaved image.
 * @param src (height, taps.inSize, channels)
 * @returns (height, taps.outSize, channels)
 */
export function applyTapsX(src: Float32Array, height: number, channels: number, taps: Taps): Float32Array {
  const inW = taps.inSize;
  const outW = taps.outSize;
  // Long filters (folded kernels) run faster as a row-at-a-time pass on the transposed image.
  if (taps.index.length >= 8 * outW && height >= 8) {
    const t = applyTapsY(transpose(src, inW, height, channels), height, channels, taps);
    return transpose(t, height, outW, channels);
  }
  const out = new Float32Array(height * outW * channels);
  const { start, index, weight } = taps;
  for (let y = 0; y < height; y++) {
    const rowIn = y * inW * channels;
    const rowOut = y * outW * channels;
    for (let o = 0; o < outW; o++) {
      const k0 = start[o] as number;
      const k1 = start[o + 1] as number;
      if (channels === 3) {
        // the three channels share each tap's index and weight
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        for (let k = k0; k < k1; k++) {
          const w = weight[k] as number;
          const at = rowIn + (index[k] as number) * 3;
          s0 += w * (src[at] as number);
          s1 += w * (src[at + 1] as number);
          s2 += w * (src[at + 2] as number);
        }
        const d = rowOut + o * 3;
        out[d] = s0;
        out[d + 1] = s1;
        out[d + 2] = s2;
        continue;
      }
      for (let c = 0; c < channels; c++) {
        let s = 0;
        for (let k = k0; k < k1; k++)
          s += (weight[k] as number) * (src[rowIn + (index[k] as number) * channels + c] as number);
        out[rowOut + o * channels + c] = s;
      }
    }
  }
  return out;
}

/**
 * Swaps the axes of an interleaved image.
 * @param src (height, width, channels)
 * @returns (width, height, channels)
 */
export function transpose(src: Float32Array, width: number, height: number, channels: number): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels;
      const to = (x * height + y) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = src[from + c] as number;
    }
  }
  return out;
}

/**
 * Applies taps along y of an interleaved image, a whole row at a time.
 * @param src (taps.inSize, width, channels)
 * @returns (taps.outSize, width, channels)
 */
export function applyTapsY(src: Float32Array, width: number, channels: number, taps: Taps): Float32Array {
  const rowLen = width * channels;
  const out = new Float32Array(taps.outSize * rowLen);
  const acc = new Float64Array(rowLen);
  const { start, index, weight } = taps;
  for (let o = 0; o < taps.outSize; o++) {
    acc.fill(0);
    for (let k = start[o] as number; k < (start[o + 1] as number); k++) {
      const w = weight[k] as number;
      const base = (index[k] as number) * rowLen;
      for (let j = 0; j < rowLen; j++) acc[j] = (acc[j] as number) + w * (src[base + j] as number);
    }
    out.set(acc, o * rowLen);
  }
  return out;
}

/** Separable filter: the same 1-D kernel along x then y (output size = input size). */
export function convolveSeparable(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  kernel: ArrayLike<number>,
  border: Border,
): Float32Array {
  const x = applyTapsX(src, height, channels, convolutionTaps(width, kernel, border));
  return applyTapsY(x, width, channels, convolutionTaps(height, kernel, border));
}

/** Resizes an interleaved image with PIL's filters (horizontal pass first, as PIL). */
export function resample(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  outWidth: number,
  outHeight: number,
  filter: ResampleFilter,
): Float32Array {
  const x =
    outWidth === width ? src : applyTapsX(src, height, channels, resampleTaps(width, outWidth, filter));
  return outHeight === height
    ? x
    : applyTapsY(x, outWidth, channels, resampleTaps(height, outHeight, filter));
}
