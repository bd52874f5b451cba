/** Row normalisation and checks for embedding matrices. */

/** torch.nn.functional.normalize's eps: rows with a smaller norm are divided by eps, not the norm. */
export const NORMALIZE_EPS = 1e-12;

/**
 * L2-normalises each row, as torch.nn.functional.normalize(x, p=2, dim=1) does (x / max(‖x‖, eps)),
 * which is what the reference similarity search applies to both sides (protocols.md 5.2).
 * @param x (n, d) row-major
 * @returns the normalised copy (n, d) and the rows whose norm was below eps (left as ~0)
 */
export function l2NormalizeRows(
  x: Float32Array,
  n: number,
  d: number,
): { data: Float32Array; zeroRows: number[] } {
  if (x.length !== n * d)
    throw new RangeError(`l2NormalizeRows: expected ${n}x${d}=${n * d} values, got ${x.length}`);
  const out = new Float32Array(n * d);
  const zeroRows: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let ss = 0;
    for (let j = 0; j < d; j++) {
      const v = x[o + j] as number;
      ss += v * v;
    }
    const norm = Math.sqrt(ss);
    if (norm < NORMALIZE_EPS) zeroRows.push(i);
    const inv = 1 / Math.max(norm, NORMALIZE_EPS);
    for (let j = 0; j < d; j++) out[o + j] = (x[o + j] as number) * inv;
  }
  return { data: out, zeroRows };
}

/** Index of the first NaN or infinite value, or -1. */
export function firstNonFinite(x: ArrayLike<number>): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i] as number)) return i;
  return -1;
}
