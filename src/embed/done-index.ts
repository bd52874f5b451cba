/**
 * The rows an embed run can reuse, found by item: (id, item key) -> row (a row number of
 * row-sources.ts), in 20 bytes per row (up to 30 as the table grows by half) plus 4 for the sort
 * order, where Maps of the id and key strings took about 150. Each row is stored as a 64-bit hash of its id (data/id-index.ts fnv64),
 * its item key itself (16 hex digits are 64 bits, compared exactly) and its row, sorted once before
 * the first lookup.
 *
 * Two ids can share a hash; they are told apart by the key only. That is enough: an item key hashes
 * what determines the pixels (keys.ts), so a row found for (id, key) holds the embedding of those
 * pixels, and the consolidated store takes its ids from the manifest, not from the rows.
 */
import { fnv64 } from '../data/id-index.js';

/** Uint32 fields per row: id hash (high, low), item key (high, low), row. */
const STRIDE = 5;
const ITEM_KEY = /^[0-9a-f]{16}$/;

export class DoneIndex {
  private entries = new Uint32Array(STRIDE * 1024);
  private size = 0;
  /** Entry numbers sorted by (id hash, key, row); null until the first lookup. */
  private order: Uint32Array | null = null;
  /** The (id hash, key) looked up, as written by `fill`. */
  private readonly probe = new Uint32Array(4);
  private readonly h = new Uint32Array(2);

  /** Rows recorded (those whose key is an item key). */
  get rows(): number {
    return this.size;
  }

  /**
   * Records that `row` holds the embedding of item (id, key). A key that is not an item key (an old
   * part without one) matches no item and is left out. All rows are added before the first `find`.
   */
  add(id: string, key: string, row: number): void {
    if (this.order !== null) throw new Error('DoneIndex: add after find');
    if (!this.fill(id, key)) return;
    if ((this.size + 1) * STRIDE > this.entries.length) {
      const grown = new Uint32Array(Math.ceil(this.entries.length * 1.5));
      grown.set(this.entries);
      this.entries = grown;
    }
    const at = this.size * STRIDE;
    this.entries.set(this.probe, at);
    this.entries[at + 4] = row;
    this.size++;
  }

  /** The first row recorded for (id, key) (the lowest row number), or -1. */
  find(id: string, key: string): number {
    const order = this.sorted();
    if (!this.fill(id, key)) return -1;
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareToProbe(order[mid] as number) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.size || this.compareToProbe(order[lo] as number) !== 0) return -1;
    return this.entries[(order[lo] as number) * STRIDE + 4] as number;
  }

  /** Writes (id hash, key) into `probe`; false when `key` is not an item key. */
  private fill(id: string, key: string): boolean {
    if (!ITEM_KEY.test(key)) return false;
    fnv64(id, this.h);
    this.probe[0] = this.h[0] as number;
    this.probe[1] = this.h[1] as number;
    this.probe[2] = Number.parseInt(key.slice(0, 8), 16);
    this.probe[3] = Number.parseInt(key.slice(8), 16);
    return true;
  }

  /** Entry `e` against the probe on (id hash, key): negative, 0 or positive. */
  private compareToProbe(e: number): number {
    const at = e * STRIDE;
    for (let f = 0; f < 4; f++) {
      const d = (this.entries[at + f] as number) - (this.probe[f] as number);
      if (d !== 0) return d;
    }
    return 0;
  }

  private sorted(): Uint32Array {
    if (this.order !== null) return this.order;
    const entries = this.entries;
    const order = new Uint32Array(this.size);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => {
      for (let f = 0; f < STRIDE; f++) {
        const d = (entries[a * STRIDE + f] as number) - (entries[b * STRIDE + f] as number);
        if (d !== 0) return d;
      }
      return 0;
    });
    this.order = order;
    return order;
  }
}
