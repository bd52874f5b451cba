/**
 * Top-k selection with a deterministic order: descending value, ties broken by ascending index
 * (protocols.md 9.9 and 9.10: torch.topk and np.argsort leave tie order undefined).
 */

/**
 * Running top-k of many rows, fed block by block in ascending column order. Each row keeps a binary
 * heap whose root is its worst kept entry (lowest value; on equal values, highest index), so a new
 * entry costs one comparison, or O(log k) when it is kept. `finish` sorts the rows.
 */
export class TopKRows {
  /** (rows, k) after finish(): values, descending; -Infinity in unfilled slots. */
  readonly values: Float32Array;
  /** (rows, k) after finish(): column indices; -1 in unfilled slots. */
  readonly indices: Int32Array;
  private readonly counts: Int32Array;

  constructor(
    readonly rows: number,
    readonly k: number,
  ) {
    if (!Number.isInteger(k) || k <= 0)
      throw new RangeError(`TopKRows: k must be a positive integer, got ${k}`);
    this.values = new Float32Array(rows * k).fill(Number.NEGATIVE_INFINITY);
    this.indices = new Int32Array(rows * k).fill(-1);
    this.counts = new Int32Array(rows);
  }

  /**
   * Merges a block of scores. Columns must arrive in ascending global index across calls: an equal
   * value never displaces an earlier one, which is what makes ties go to the lower index.
   * @param block (blockRows, cols) row-major scores for rows rowOffset.. and columns colOffset..
   */
  push(block: Float32Array, blockRows: number, cols: number, rowOffset: number, colOffset: number): void {
    const k = this.k;
    const values = this.values;
    const indices = this.indices;
    for (let r = 0; r < blockRows; r++) {
      const row = rowOffset + r;
      const base = row * k;
      const src = r * cols;
      let j = 0;
      // fill phase: the heap takes everything until it holds k entries
      let count = this.counts[row] as number;
      for (; j < cols && count < k; j++) {
        let p = count++;
        const v = block[src + j] as number;
        const idx = colOffset + j;
        // sift up: parent must not be worse than the child
        while (p > 0) {
          const parent = (p - 1) >> 1;
          const pv = values[base + parent] as number;
          if (pv < v || (pv === v && (indices[base + parent] as number) > idx)) break;
          values[base + p] = pv;
          indices[base + p] = indices[base + parent] as number;
          p = parent;
        }
        values[base + p] = v;
        indices[base + p] = idx;
      }
      this.counts[row] = count;
      if (j === cols) continue;
      let root = values[base] as number;
      for (; j < cols; j++) {
        const v = block[src + j] as number;
        // strictly greater: on a tie the kept entry has the lower index
        if (!(v > root)) continue;
        const idx = colOffset + j;
        let p = 0;
        for (;;) {
          const left = 2 * p + 1;
          if (left >= k) break;
          let child = left;
          const right = left + 1;
          if (right < k) {
            const lv = values[base + left] as number;
            const rv = values[base + right] as number;
            if (
              rv < lv ||
              (rv === lv && (indices[base + right] as number) > (indices[base + left] as number))
            )
              child = right;
          }
          const cv = values[base + child] as number;
          if (cv > v || (cv === v && (indices[base + child] as number) < idx)) break;
          values[base + p] = cv;
          indices[base + p] = indices[base + child] as number;
          p = child;
        }
        values[base + p] = v;
        indices[base + p] = idx;
        root = values[base] as number;
      }
    }
  }

  /**
   * Merges candidate lists (for instance the top-k of one database block, from Gemm.abTTopK), in any
   * column order: an entry displaces the worst kept one when its value is larger, or equal with a
   * lower index.
   * @param values (blockRows, width) candidate values
   * @param indices (blockRows, width) their columns, relative to colOffset
   */
  pushCandidates(
    values: Float32Array,
    indices: ArrayLike<number | bigint>,
    blockRows: number,
    width: number,
    rowOffset: number,
    colOffset: number,
  ): void {
    const k = this.k;
    const vals = this.values;
    const idxs = this.indices;
    const worse = (va: number, ia: number, vb: number, ib: number) => va < vb || (va === vb && ia > ib);
    for (let r = 0; r < blockRows; r++) {
      const row = rowOffset + r;
      const base = row * k;
      let count = this.counts[row] as number;
      for (let j = 0; j < width; j++) {
        const v = values[r * width + j] as number;
        const idx = colOffset + Number(indices[r * width + j]);
        let p: number;
        if (count < k) {
          // sift up from the new leaf
          p = count++;
          while (p > 0) {
            const parent = (p - 1) >> 1;
            if (worse(vals[base + parent] as number, idxs[base + parent] as number, v, idx)) break;
            vals[base + p] = vals[base + parent] as number;
            idxs[base + p] = idxs[base + parent] as number;
            p = parent;
          }
        } else {
          if (!worse(vals[base] as number, idxs[base] as number, v, idx)) continue;
          // replace the root and sift down
          p = 0;
          for (;;) {
            const left = 2 * p + 1;
            if (left >= k) break;
            let child = left;
            const right = left + 1;
            if (
              right < k &&
              worse(
                vals[base + right] as number,
                idxs[base + right] as number,
                vals[base + left] as number,
                idxs[base + left] as number,
              )
            ) {
              child = right;
            }
            if (!worse(vals[base + child] as number, idxs[base + child] as number, v, idx)) break;
            vals[base + p] = vals[base + child] as number;
            idxs[base + p] = idxs[base + child] as number;
            p = child;
          }
        }
        vals[base + p] = v;
        idxs[base + p] = idx;
      }
      this.counts[row] = count;
    }
  }

  /** Sorts every row: descending value, ties by ascending index. Call once, after the last push. */
  finish(): this {
    const k = this.k;
    const order = Array.from({ length: k }, (_, i) => i);
    const v = new Float32Array(k);
    const ix = new Int32Array(k);
    for (let row = 0; row < this.rows; row++) {
      const base = row * k;
      v.set(this.values.subarray(base, base + k));
      ix.set(this.indices.subarray(base, base + k));
      for (let i = 0; i < k; i++) order[i] = i;
      order.sort((a, b) => {
        const ia = ix[a] as number;
        const ib = ix[b] as number;
        if (ia < 0 || ib < 0) return ia < 0 ? (ib < 0 ? 0 : 1) : -1;
        const va = v[a] as number;
        const vb = v[b] as number;
        return vb > va ? 1 : vb < va ? -1 : ia - ib;
      });
      for (let i = 0; i < k; i++) {
        this.values[base + i] = v[order[i] as number] as number;
        this.indices[base + i] = ix[order[i] as number] as number;
      }
    }
    return this;
  }
}

/**
 * Indices of the k largest values of one vector, descending, ties by ascending index.
 * @param values (n)
 * @returns (min(k, n)) indices
 */
export function topKIndices(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => {
    const va = values[a] as number;
    const vb = values[b] as number;
    return vb > va ? 1 : vb < va ? -1 : a - b;
  });
  return order.slice(0, k);
}
