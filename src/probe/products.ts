/**
 * The two matrix products that dominate training a linear classifier on fixed features X (n, d):
 * scores X·Wᵀ and the gradient term Rᵀ·X. A TypeScript kernel (float64 accumulation, exact enough for
 * golden tests) and an onnxruntime one (float32 MLAS GEMM, for large problems) share one interface.
 */
import { type Gemm, sharedGemm } from '../linalg/gemm.js';

/** 'auto' picks onnxruntime for large products when it loads, TypeScript otherwise. */
export type ComputeBackend = 'auto' | 'js' | 'onnx';

/** Products with one fixed feature matrix X (n, d). */
export interface FeatureProducts {
  readonly n: number;
  readonly d: number;
  /** 'js' or the onnxruntime provider string. */
  readonly provider: string;
  /**
   * out = X · Wᵀ.
   * @param w (c, d) row-major
   * @param out (n, c) row-major, overwritten
   */
  scores(w: Float64Array, c: number, out: Float64Array): Promise<void>;
  /**
   * out = Rᵀ · X.
   * @param r (n, c) row-major
   * @param out (c, d) row-major, overwritten
   */
  weightedSum(r: Float64Array, c: number, out: Float64Array): Promise<void>;
}

/** Work (multiply-adds of one product) from which 'auto' prefers onnxruntime: about 1 ms of TypeScript. */
export const ORT_MIN_WORK = 1 << 20;

/**
 * out (n, c) = X (n, d) · Wᵀ, W (c, d): four classes per pass so each loaded x is used four times.
 */
export function scoresJs(
  x: Float32Array,
  n: number,
  d: number,
  w: Float64Array,
  c: number,
  out: Float64Array,
): void {
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    const zo = i * c;
    let k = 0;
    for (; k + 3 < c; k += 4) {
      const w0 = k * d;
      const w1 = w0 + d;
      const w2 = w1 + d;
      const w3 = w2 + d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < d; j++) {
        const xj = x[xo + j];
        s0 += xj * w[w0 + j];
        s1 += xj * w[w1 + j];
        s2 += xj * w[w2 + j];
        s3 += xj * w[w3 + j];
      }
      out[zo + k] = s0;
      out[zo + k + 1] = s1;
      out[zo + k + 2] = s2;
      out[zo + k + 3] = s3;
    }
    for (; k < c; k++) {
      const w0 = k * d;
      let s = 0;
      for (let j = 0; j < d; j++) s += x[xo + j] * w[w0 + j];
      out[zo + k] = s;
    }
  }
}

/** out (c, d) = Rᵀ · X, R (n, c), X (n, d): rows of X stream once, four output rows at a time. */
export function weightedSumJs(
  x: Float32Array,
  n: number,
  d: number,
  r: Float64Array,
  c: number,
  out: Float64Array,
): void {
  out.fill(0, 0, c * d);
  for (let i = 0; i < n; i++) {
    const xo = i * d;
    const ro = i * c;
    let k = 0;
    for (; k + 3 < c; k += 4) {
      const r0 = r[ro + k];
      const r1 = r[ro + k + 1];
      const r2 = r[ro + k + 2];
      const r3 = r[ro + k + 3];
      const g0 = k * d;
      const g1 = g0 + d;
      const g2 = g1 + d;
      const g3 = g2 + d;
      for (let j = 0; j < d; j++) {
        const xj = x[xo + j];
        out[g0 + j] += r0 * xj;
        out[g1 + j] += r1 * xj;
        out[g2 + j] += r2 * xj;
        out[g3 + j] += r3 * xj;
      }
    }
    for (; k < c; k++) {
      const rk = r[ro + k];
      if (rk === 0) continue;
      const g0 = k * d;
      for (let j = 0; j < d; j++) out[g0 + j] += rk * x[xo + j];
    }
  }
}

/** TypeScript products (float64 accumulation). */
export function jsProducts(x: Float32Array, n: number, d: number): FeatureProducts {
  checkShape(x, n, d);
  return {
    n,
    d,
    provider: 'js',
    scores: async (w, c, out) => scoresJs(x, n, d, w, c, out),
    weightedSum: async (r, c, out) => weightedSumJs(x, n, d, r, c, out),
  };
}

/** onnxruntime products: float32 operands and results, copied into the float64 outputs. */
export function ortProducts(x: Float32Array, n: number, d: number, gemm: Gemm): FeatureProducts {
  checkShape(x, n, d);
  let w32 = new Float32Array(0);
  let rT32 = new Float32Array(0);
  let z32 = new Float32Array(0);
  let g32 = new Float32Array(0);
  return {
    n,
    d,
    provider: gemm.provider,
    async scores(w, c, out) {
      if (w32.length !== c * d) w32 = new Float32Array(c * d);
      w32.set(w.subarray(0, c * d));
      if (z32.length !== n * c) z32 = new Float32Array(n * c);
      await gemm.abT(x, n, d, w32, c, z32);
      for (let i = 0; i < n * c; i++) out[i] = z32[i];
    },
    async weightedSum(r, c, out) {
      // Rᵀ (c, n) · X (n, d): transposing R costs n·c, against n·c·d for the product.
      if (rT32.length !== n * c) rT32 = new Float32Array(n * c);
      for (let i = 0; i < n; i++) for (let k = 0; k < c; k++) rT32[k * n + i] = r[i * c + k];
      if (g32.length !== c * d) g32 = new Float32Array(c * d);
      await gemm.ab(rT32, c, n, x, d, g32);
      for (let i = 0; i < c * d; i++) out[i] = g32[i];
    },
  };
}

/**
 * Products for X with the requested backend. 'onnx' fails when onnxruntime cannot load; 'auto' uses
 * it when n·d·c ≥ ORT_MIN_WORK and it loads.
 * @param x (n, d) row-major
 * @param c the number of classes the products will be taken with (decides 'auto')
 */
export async function createProducts(
  x: Float32Array,
  n: number,
  d: number,
  c: number,
  backend: ComputeBackend,
  threads?: number,
): Promise<FeatureProducts> {
  if (backend === 'js' || (backend === 'auto' && n * d * c < ORT_MIN_WORK)) return jsProducts(x, n, d);
  const gemm = await sharedGemm(threads);
  if (gemm === null) {
    if (backend === 'onnx')
      throw new Error('backend "onnx" requested but onnxruntime-node could not be loaded');
    return jsProducts(x, n, d);
  }
  return ortProducts(x, n, d, gemm);
}

function checkShape(x: Float32Array, n: number, d: number): void {
  if (x.length !== n * d) throw new RangeError(`features have ${x.length} values, expected n·d = ${n}·${d}`);
}
