/**
 * Where the store row of each manifest line comes from, in 4 bytes per line (one growable
 * Uint32Array), so that an embed run can read its manifest again instead of holding the items: a
 * row number of row-sources.ts (a part file or the finished store), or SKIPPED (not in the shard),
 * or TODO (to embed; still TODO after the run: it failed).
 */

/** The line is not in this run's shard. */
export const SKIPPED = 0xffffffff;
/** The line has no row yet. */
export const TODO = 0xfffffffe;
/** Row numbers stay below this. */
export const MAX_ROW = 0xfffffff0;

export class RowPlan {
  private slots = new Uint32Array(1024);
  private size = 0;

  /** Lines planned so far. */
  get length(): number {
    return this.size;
  }

  /** Plans the next line: a row number, SKIPPED or TODO. */
  push(value: number): void {
    if (this.size === this.slots.length) {
      const grown = new Uint32Array(this.slots.length * 2);
      grown.set(this.slots);
      this.slots = grown;
    }
    this.slots[this.size++] = value;
  }

  /** The plan of line `index` (0-based). */
  get(index: number): number {
    if (index >= this.size) throw new RangeError(`RowPlan: line ${index} of ${this.size}`);
    return this.slots[index] as number;
  }

  /** Gives line `index` its row. */
  set(index: number, row: number): void {
    if (index >= this.size) throw new RangeError(`RowPlan: line ${index} of ${this.size}`);
    if (!(row >= 0 && row < MAX_ROW)) throw new RangeError(`RowPlan: row ${row}`);
    this.slots[index] = row;
  }
}

/** True when a plan value is a row number (not SKIPPED or TODO). */
export function isRow(value: number): boolean {
  return value < MAX_ROW;
}
