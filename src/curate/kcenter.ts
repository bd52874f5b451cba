/**
 * k-center greedy (farthest-point) coreset selection [0], optionally under group quotas.
 *
 * Each step picks the point farthest from everything picked so far (largest distance to its nearest
 * selected point), ties to the lowest index; with quotas, only points of groups that are still open
 * (see QuotaTracker) compete. The result equals the textbook loop exactly, but the O(n d) distance
 * update is batched: the rows of distances from m likely next picks to all n points are computed in
 * one GEMM per column block (CenterDots), and the greedy loop then consumes picks for as long as each
 * next farthest point has its row held, paying only O(n) per pick (the running minimum and the
 * argmax). The likely next picks come from simulating the greedy loop on a pool of the points with
 * the largest running distances (nextCandidates). Memory is m x n floats (m chosen from blockBytes),
 * never n x n.
 *
 * [0] Sener & Savarese, "Active Learning for Convolutional Neural Networks: A Core-Set Approach",
 *     2018, arXiv:1708.00489 (Algorithm 1, k-Center-Greedy); Gonzalez 1985 for the 2-approximation.
 */
import { Rng } from '../core/rng.js';
import { TopKRows } from '../linalg/topk.js';
import { CenterDots, coverageOf, finishDistances } from './center-distances.js';
import type { PointMatrix } from './points.js';
import { QuotaTracker } from './quotas.js';

/**
 * How the first point is chosen: 'random' (seeded, uniform over the eligible points) or 'mean' (the
 * eligible point nearest to the mean of all points, ties to the lowest index).
 */
export type FirstPick = 'random' | 'mean';
export const FIRST_PICKS: readonly FirstPick[] = Object.freeze(['random', 'mean']);

/**
 * Pool size of the candidate simulation, as a multiple of the candidates per batch: 16 used about
 * 80% of the computed candidate rows on clustered data, against about 40% for a plain top-m.
 */
const POOL_FACTOR = 16;

export interface KCenterOptions {
  first?: FirstPick;
  /** Seed of the random first pick (default 0). */
  seed?: number;
  /** (n) per point: 0 = never pick, g + 1 = group g of `quota`. Default: every point in group 0. */
  slots?: Int32Array;
  /** Group bounds; default unconstrained with the budget given. */
  quota?: QuotaTracker;
  /** Most candidates per GEMM batch (default 64). */
  maxCandidates?: number;
  /** Memory for a batch of candidate distances, bytes (default 256 MiB). */
  blockBytes?: number;
  /** onnxruntime threads (default: all cores). */
  threads?: number;
  /** Points per GEMM column block (default COLUMN_BLOCK). */
  columnBlock?: number;
  onProgress?: (picked: number) => void;
}

export interface KCenterResult {
  /** Picked point indices, in pick order. */
  order: number[];
  /** (budget) distance of each pick to the earlier picks when it was picked (Infinity for the first). */
  pickDistances: number[];
  /** (n) distance of every point to its nearest picked point (0 for picked points). */
  nearest: Float32Array;
  /** Mean of `nearest`. */
  coverage: number;
  /** Max of `nearest`: the covering radius. */
  radius: number;
  /** GEMM batches run, and distance rows computed in them (>= picks; the rest were predicted picks not taken). */
  batches: number;
  candidateRows: number;
}

/** The number of candidates per batch for n points. */
export function candidatesPerBatch(
  n: number,
  options: Pick<KCenterOptions, 'maxCandidates' | 'blockBytes'> = {},
): number {
  const byMemory = Math.floor((options.blockBytes ?? 256 * 2 ** 20) / (4 * Math.max(1, n)));
  return Math.max(1, Math.min(options.maxCandidates ?? 64, byMemory));
}

/**
 * Selects `budget` points by k-center greedy.
 * @param points (n, dim) with metric; @param budget picks wanted (ignored when `quota` is given)
 */
export async function kCenterGreedy(
  points: PointMatrix,
  budget: number,
  options: KCenterOptions = {},
): Promise<KCenterResult> {
  const n = points.n;
  const quota = options.quota ?? QuotaTracker.unconstrained(budget);
  const slots = options.slots ?? new Int32Array(n).fill(1);
  if (slots.length !== n)
    throw new RangeError(`kCenterGreedy: slots has ${slots.length} entries for ${n} points`);
  const nearest = new Float32Array(n).fill(Number.POSITIVE_INFINITY);
  const order: number[] = [];
  const pickDistances: number[] = [];
  const capacity = Math.min(candidatesPerBatch(n, options), Math.max(1, quota.budget));
  const dots = await CenterDots.create(points, capacity, {
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.columnBlock === undefined ? {} : { columnBlock: options.columnBlock }),
  });
  const scratch = new Float32Array(n);
  let batches = 0;
  try {
    let next = firstPick(points, slots, quota.open, options.first ?? 'random', options.seed ?? 0);
    while (!quota.done) {
      if (next < 0)
        throw new Error(
          'kCenterGreedy: no eligible point left before the budget was met (bounds not checked?)',
        );
      if (dots.slot(next) === undefined) {
        const candidates =
          order.length === 0
            ? [next]
            : await nextCandidates(dots, nearest, slots, quota.open, capacity, next, scratch);
        await dots.ensure(candidates);
        batches++;
      }
      for (let s = dots.slot(next); s !== undefined; s = dots.slot(next)) {
        const picked = next;
        const d = nearest[picked] as number;
        pickDistances.push(
          points.metric === 'euclidean' && Number.isFinite(d) ? Math.sqrt(Math.max(0, d)) : d,
        );
        order.push(picked);
        quota.pick((slots[picked] as number) - 1);
        nearest[picked] = Number.NEGATIVE_INFINITY;
        options.onProgress?.(order.length);
        next = lowerAndArgmax(nearest, dots, s, slots, quota.open);
        dots.release(picked);
        if (quota.done) break;
      }
    }
  } finally {
    await dots.dispose();
  }
  finishDistances(nearest, points.metric);
  return { order, pickDistances, nearest, ...coverageOf(nearest), batches, candidateRows: dots.rowsComputed };
}

/**
 * Lowers every running distance to center `slot` of `dots` and returns the open point with the
 * largest running distance afterwards (lowest index on ties), or -1.
 */
function lowerAndArgmax(
  nearest: Float32Array,
  dots: CenterDots,
  slot: number,
  slots: Int32Array,
  open: Uint8Array,
): number {
  const { points } = dots;
  const sq = points.squaredNorms;
  const cNorm = sq[dots.centerAt(slot)] as number;
  const cosine = points.metric === 'cosine';
  let best = -1;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let b = 0; b < dots.blockCount; b++) {
    const row = dots.row(slot, b);
    const start = dots.blockStart(b);
    const len = row.length;
    // Two copies of the loop keep the hot path free of a metric branch.
    if (cosine) {
      for (let j = 0; j < len; j++) {
        const i = start + j;
        const d = Math.fround(1 - (row[j] as number));
        let v = nearest[i] as number;
        if (d < v) {
          nearest[i] = d;
          v = d;
        }
        if (v > bestValue && open[slots[i] as number] === 1) {
          bestValue = v;
          best = i;
        }
      }
    } else {
      for (let j = 0; j < len; j++) {
        const i = start + j;
        const d = Math.fround(cNorm + (sq[i] as number) - 2 * (row[j] as number));
        let v = nearest[i] as number;
        if (d < v) {
          nearest[i] = d;
          v = d;
        }
        if (v > bestValue && open[slots[i] as number] === 1) {
          bestValue = v;
          best = i;
        }
      }
    }
  }
  return best;
}

/**
 * Candidates for the next batch: the greedy loop simulated on a pool of the open points with the
 * largest running distances (ties to the lowest index), using distances within the pool only. The
 * simulation agrees with the real loop for as long as the real next pick stays in the pool, so its
 * first m picks are the likely next picks (a plain top-m would hold many points near each other, of
 * which only one gets picked). The first candidate is always `first`, the real next pick.
 */
async function nextCandidates(
  dots: CenterDots,
  nearest: Float32Array,
  slots: Int32Array,
  open: Uint8Array,
  m: number,
  first: number,
  scratch: Float32Array,
): Promise<number[]> {
  if (m <= 1) return [first];
  for (let i = 0; i < nearest.length; i++) {
    scratch[i] = open[slots[i] as number] === 1 ? (nearest[i] as number) : Number.NEGATIVE_INFINITY;
  }
  scratch[first] = Number.NEGATIVE_INFINITY;
  const top = new TopKRows(1, POOL_FACTOR * m - 1);
  top.push(scratch, 1, nearest.length, 0, 0);
  const pool = [first];
  for (let r = 0; r < top.k; r++) {
    const i = top.indices[r] as number;
    if (i >= 0 && (top.values[r] as number) > Number.NEGATIVE_INFINITY) pool.push(i);
  }
  if (pool.length <= m) return pool;
  const { points } = dots;
  const k = pool.length;
  const pair = await dots.pairDots(pool); // (k, k)
  const running = Float64Array.from(pool, (i) => nearest[i] as number);
  const sq = Float64Array.from(pool, (i) => points.squaredNorms[i] as number);
  const out: number[] = [];
  let p = 0; // the pool is in descending running distance, so the real next pick is position 0
  while (out.length < m && p >= 0) {
    out.push(pool[p] as number);
    running[p] = Number.NEGATIVE_INFINITY;
    let best = -1;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let q = 0; q < k; q++) {
      const dot = pair[p * k + q] as number;
      const d = points.metric === 'cosine' ? 1 - dot : (sq[p] as number) + (sq[q] as number) - 2 * dot;
      if (d < (running[q] as number)) running[q] = d;
      const v = running[q] as number;
      if (v > bestValue || (v === bestValue && best >= 0 && (pool[q] as number) < (pool[best] as number))) {
        bestValue = v;
        best = q;
      }
    }
    p = bestValue > Number.NEGATIVE_INFINITY ? best : -1;
  }
  return out;
}

/** The first pick among open points; -1 when none is open. */
function firstPick(
  points: PointMatrix,
  slots: Int32Array,
  open: Uint8Array,
  how: FirstPick,
  seed: number,
): number {
  const { n, dim, data } = points;
  if (how === 'random') {
    let count = 0;
    for (let i = 0; i < n; i++) if (open[slots[i] as number] === 1) count++;
    if (count === 0) return -1;
    let r = new Rng(seed).int(count);
    for (let i = 0; i < n; i++) {
      if (open[slots[i] as number] === 1 && r-- === 0) return i;
    }
    return -1;
  }
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++)
    for (let t = 0; t < dim; t++) mean[t] = (mean[t] as number) + (data[i * dim + t] as number);
  for (let t = 0; t < dim; t++) mean[t] = (mean[t] as number) / n;
  // Nearest to the mean: cosine, largest x·mean (rows are unit); euclidean, smallest ‖x‖² - 2 x·mean.
  let best = -1;
  let bestScore = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    if (open[slots[i] as number] !== 1) continue;
    let dot = 0;
    for (let t = 0; t < dim; t++) dot += (data[i * dim + t] as number) * (mean[t] as number);
    const score = points.metric === 'cosine' ? dot : 2 * dot - (points.squaredNorms[i] as number);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  return best;
}
