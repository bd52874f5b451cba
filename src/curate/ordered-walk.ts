/**
 * Selection from a ranking (typicality, a random permutation): take points in rank order while their
 * group is open under the quotas, optionally skipping any point closer than `minDistance` to a point
 * already taken (typical-with-diversity). Eligibility only closes (QuotaTracker), so one pass suffices.
 * The distance checks run a block of candidates against everything taken so far as one GEMM.
 */
import { Gemm } from '../linalg/gemm.js';
import { gatherRows, type PointMatrix } from './points.js';
import type { QuotaTracker } from './quotas.js';

/** Candidates checked per GEMM when a minimum distance is set. */
const CANDIDATE_BLOCK = 256;

export interface WalkOptions {
  /** Skip points closer than this to an earlier pick (cosine: 1 - cos; euclidean: ‖x - y‖). */
  minDistance?: number;
  threads?: number;
  onProgress?: (picked: number) => void;
}

/**
 * @param order point indices, best first
 * @param slots (n) 0 = never pick, g + 1 = group g of `quota`
 * @returns picks in order (fewer than the budget when the ranking runs out)
 */
export async function walkRanking(
  points: PointMatrix,
  order: ArrayLike<number>,
  slots: Int32Array,
  quota: QuotaTracker,
  options: WalkOptions = {},
): Promise<number[]> {
  const picks: number[] = [];
  const minDistance = options.minDistance ?? 0;
  if (!(minDistance > 0)) {
    for (let r = 0; r < order.length && !quota.done; r++) {
      const i = order[r] as number;
      const slot = slots[i] as number;
      if (quota.open[slot] !== 1) continue;
      picks.push(i);
      quota.pick(slot - 1);
      options.onProgress?.(picks.length);
    }
    return picks;
  }
  const gemm = await Gemm.create(options.threads === undefined ? {} : { threads: options.threads });
  const { dim, metric, squaredNorms: sq } = points;
  // too close: cosine dot > 1 - minDistance; euclidean ‖x‖² + ‖y‖² - 2 dot < minDistance².
  const tooClose = (i: number, j: number, dot: number) =>
    metric === 'cosine'
      ? 1 - dot < minDistance
      : (sq[i] as number) + (sq[j] as number) - 2 * dot < minDistance * minDistance;
  const picked = new Float32Array(quota.budget * dim); // rows 0..picks.length are the picks
  try {
    for (let r0 = 0; r0 < order.length && !quota.done; r0 += CANDIDATE_BLOCK) {
      const block: number[] = [];
      for (let r = r0; r < Math.min(order.length, r0 + CANDIDATE_BLOCK); r++) {
        const i = order[r] as number;
        if (quota.open[slots[i] as number] === 1) block.push(i);
      }
      if (block.length === 0) continue;
      const cand = gatherRows(points, block); // (b, dim)
      const p = picks.length;
      const dots =
        p === 0
          ? new Float32Array(0)
          : await gemm.abT(cand, block.length, dim, picked.subarray(0, p * dim), p); // (b, p)
      const takenHere: number[] = [];
      for (let c = 0; c < block.length && !quota.done; c++) {
        const i = block[c] as number;
        const slot = slots[i] as number;
        if (quota.open[slot] !== 1) continue;
        let ok = true;
        for (let q = 0; q < p && ok; q++)
          if (tooClose(i, picks[q] as number, dots[c * p + q] as number)) ok = false;
        for (const t of takenHere) {
          if (!ok) break;
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += (cand[c * dim + d] as number) * (cand[t * dim + d] as number);
          if (tooClose(i, block[t] as number, dot)) ok = false;
        }
        if (!ok) continue;
        takenHere.push(c);
        quota.pick(slot - 1);
        options.onProgress?.(p + takenHere.length);
      }
      takenHere.forEach((c, r) => {
        picked.set(cand.subarray(c * dim, (c + 1) * dim), (p + r) * dim);
        picks.push(block[c] as number);
      });
    }
  } finally {
    await gemm.dispose();
  }
  return picks;
}
