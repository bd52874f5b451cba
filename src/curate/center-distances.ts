/**
 * Distances from a few "center" rows to every point, computed as one GEMM per column block of the
 * point matrix (onnxruntime), and the running nearest-center distance of every point. This is the
 * kernel behind k-center greedy and coverage: memory is (centers x n) floats, never (n x n).
 */
import { Gemm } from '../linalg/gemm.js';
import { gatherRows, type PointMatrix } from './points.js';

/** Points per GEMM column block (the B matrix of one call is this many rows). */
export const COLUMN_BLOCK = 65536;

/**
 * Inner products of up to `capacity` center rows with all n points, kept per column block in slots:
 * a row stays until it is released or evicted, so a center computed in one batch and needed in a
 * later one is not computed again. Distances are derived on use: cosine 1 - dot; euclidean
 * (squared) ‖c‖² + ‖x‖² - 2 dot.
 */
export class CenterDots {
  /** blocks[b] is (capacity, blockLength(b)) row-major: row s holds the center in slot s. */
  private readonly blocks: Float32Array[] = [];
  /** GEMM output before it is copied into the slots: (capacity, columnBlock). */
  private readonly scratch: Float32Array;
  private readonly centerOfSlot: Int32Array;
  private readonly slotOfCenter = new Map<number, number>();
  /** Center rows computed so far (GEMM rows). */
  rowsComputed = 0;

  private constructor(
    readonly points: PointMatrix,
    private readonly gemm: Gemm,
    readonly capacity: number,
    readonly columnBlock: number,
  ) {
    for (let start = 0; start < points.n; start += columnBlock) {
      this.blocks.push(new Float32Array(capacity * Math.min(columnBlock, points.n - start)));
    }
    this.scratch = new Float32Array(capacity * Math.min(columnBlock, points.n));
    this.centerOfSlot = new Int32Array(capacity).fill(-1);
  }

  /**
   * @param capacity most center rows held at once
   * @param threads onnxruntime threads (default: all cores)
   */
  static async create(
    points: PointMatrix,
    capacity: number,
    options: { threads?: number; columnBlock?: number } = {},
  ): Promise<CenterDots> {
    const gemm = await Gemm.create(options.threads === undefined ? {} : { threads: options.threads });
    return new CenterDots(points, gemm, Math.max(1, capacity), options.columnBlock ?? COLUMN_BLOCK);
  }

  /** Number of column blocks. */
  get blockCount(): number {
    return this.blocks.length;
  }

  /** The slot holding center c's row, if held. */
  slot(c: number): number | undefined {
    return this.slotOfCenter.get(c);
  }

  /** The center whose row is in slot s (-1 when free). */
  centerAt(s: number): number {
    return this.centerOfSlot[s] as number;
  }

  /** Frees the slot of center c (no-op when not held). */
  release(c: number): void {
    const s = this.slotOfCenter.get(c);
    if (s === undefined) return;
    this.slotOfCenter.delete(c);
    this.centerOfSlot[s] = -1;
  }

  /**
   * Holds the rows of these centers (point indices), computing those not held yet in one GEMM per
   * column block; rows of other centers are evicted when slots run out.
   */
  async ensure(centers: readonly number[]): Promise<void> {
    const want = new Set(centers);
    if (want.size > this.capacity) {
      throw new RangeError(`CenterDots.ensure: ${want.size} centers exceed capacity ${this.capacity}`);
    }
    const missing = [...want].filter((c) => !this.slotOfCenter.has(c));
    if (missing.length === 0) return;
    const slots: number[] = [];
    for (let s = 0; s < this.capacity && slots.length < missing.length; s++)
      if (this.centerOfSlot[s] === -1) slots.push(s);
    for (let s = 0; s < this.capacity && slots.length < missing.length; s++) {
      const held = this.centerOfSlot[s] as number;
      if (held >= 0 && !want.has(held)) {
        this.release(held);
        slots.push(s);
      }
    }
    const { points, columnBlock } = this;
    const m = missing.length;
    const a = gatherRows(points, missing); // (m, dim)
    for (let b = 0; b < this.blocks.length; b++) {
      const start = b * columnBlock;
      const len = Math.min(columnBlock, points.n - start);
      const out = this.scratch.subarray(0, m * len); // (m, len)
      await this.gemm.abT(
        a,
        m,
        points.dim,
        points.data.subarray(start * points.dim, (start + len) * points.dim),
        len,
        out,
      );
      const block = this.blocks[b] as Float32Array;
      for (let r = 0; r < m; r++) block.set(out.subarray(r * len, (r + 1) * len), (slots[r] as number) * len);
    }
    missing.forEach((c, r) => {
      this.slotOfCenter.set(c, slots[r] as number);
      this.centerOfSlot[slots[r] as number] = c;
    });
    this.rowsComputed += m;
  }

  /**
   * Inner products among a few points (not stored).
   * @returns (k, k) row-major, k = indices.length
   */
  async pairDots(indices: readonly number[]): Promise<Float32Array> {
    const a = gatherRows(this.points, indices);
    return this.gemm.abT(a, indices.length, this.points.dim, a, indices.length);
  }

  /**
   * The dots of the center in `slot` with column block b.
   * @returns (blockLength) values for points blockStart(b)..
   */
  row(slot: number, b: number): Float32Array {
    const len = this.blockLength(b);
    return (this.blocks[b] as Float32Array).subarray(slot * len, (slot + 1) * len);
  }

  blockStart(b: number): number {
    return b * this.columnBlock;
  }

  blockLength(b: number): number {
    return Math.min(this.columnBlock, this.points.n - b * this.columnBlock);
  }

  async dispose(): Promise<void> {
    await this.gemm.dispose();
  }
}

/**
 * Distance of every point to its nearest point in `selected`. Streams over column blocks of the
 * points; within one, a GEMM per chunk of up to 256 selected rows gives a (chunk, block) slab whose
 * column minima lower the running distances. Nothing is kept across column blocks.
 * @returns (n) distances (cosine: 1 - cos; euclidean: ‖x - c‖), exactly 0 for selected points
 */
export async function nearestSelectedDistances(
  points: PointMatrix,
  selected: readonly number[],
  options: { threads?: number; centersPerBlock?: number; columnBlock?: number } = {},
): Promise<Float32Array> {
  const { n, dim, metric, squaredNorms: sq } = points;
  const nearest = new Float32Array(n).fill(Number.POSITIVE_INFINITY);
  if (selected.length === 0) return nearest;
  const per = Math.max(1, Math.min(options.centersPerBlock ?? 256, selected.length));
  const columnBlock = Math.min(options.columnBlock ?? COLUMN_BLOCK, n);
  const centers = gatherRows(points, selected); // (s, dim)
  const centerNorms = Float64Array.from(selected, (i) => sq[i] as number);
  const slab = new Float32Array(per * columnBlock);
  const gemm = await Gemm.create(options.threads === undefined ? {} : { threads: options.threads });
  try {
    for (let start = 0; start < n; start += columnBlock) {
      const len = Math.min(columnBlock, n - start);
      const block = points.data.subarray(start * dim, (start + len) * dim);
      for (let c0 = 0; c0 < selected.length; c0 += per) {
        const m = Math.min(per, selected.length - c0);
        const out = await gemm.abT(
          centers.subarray(c0 * dim, (c0 + m) * dim),
          m,
          dim,
          block,
          len,
          slab.subarray(0, m * len),
        ); // (m, len)
        for (let r = 0; r < m; r++) {
          const row = r * len;
          if (metric === 'cosine') {
            for (let j = 0; j < len; j++) {
              const d = 1 - (out[row + j] as number);
              if (d < (nearest[start + j] as number)) nearest[start + j] = d;
            }
          } else {
            const cNorm = centerNorms[c0 + r] as number;
            for (let j = 0; j < len; j++) {
              const d = cNorm + (sq[start + j] as number) - 2 * (out[row + j] as number);
              if (d < (nearest[start + j] as number)) nearest[start + j] = d;
            }
          }
        }
      }
    }
  } finally {
    await gemm.dispose();
  }
  finishDistances(nearest, metric);
  for (const i of selected) nearest[i] = 0;
  return nearest;
}

/** Turns running values into distances in place: clamps rounding below 0; sqrt for euclidean. */
export function finishDistances(nearest: Float32Array, metric: PointMatrix['metric']): void {
  for (let i = 0; i < nearest.length; i++) {
    const v = nearest[i] as number;
    const c = Math.max(v, 0);
    nearest[i] = metric === 'euclidean' ? Math.sqrt(c) : c;
  }
}

/** Mean of a distance vector (coverage) and its maximum (the covering radius). */
export function coverageOf(nearest: Float32Array): { coverage: number; radius: number } {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < nearest.length; i++) {
    const v = nearest[i] as number;
    sum += v;
    if (v > max) max = v;
  }
  return { coverage: nearest.length === 0 ? Number.NaN : sum / nearest.length, radius: max };
}
