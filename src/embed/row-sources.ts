/**
 * The rows on disk that an embed run reuses and consolidates, numbered 0, 1, 2, ... across the part
 * files left by earlier runs (in listParts order), then the row groups of the finished store, then
 * the parts this run writes: such a number is a row of the plan (row-plan.ts). What is held is one
 * path per part and the first row of each part or row group, never the rows: `gather` reads them a
 * part or a row group at a time (the last two read are kept, for rows that straddle two chunks).
 *
 * When a row is found in several places, the lowest number wins (a part before the store), as the
 * consolidation always did.
 */
import { join } from 'node:path';
import { InputError } from '../core/errors.js';
import { type EmbeddingRows, tableToRows } from './columns.js';
import { openParquet, type ParquetBatches } from './parquet-batches.js';
import { listParts, readPart, type StoreKey } from './parts.js';
import { columnsToRead } from './row-chunks.js';
import { EMBEDDINGS_FILE } from './store.js';

/** A part file, or a row group of the store. */
type Unit = { part: string } | { group: number };

/** Called with every row on disk when the sources are opened. */
export type RowVisitor = (id: string, itemKey: string, row: number) => void;

/** Units read and kept at most. */
const CACHED_UNITS = 2;

export class RowSources {
  private readonly units: Unit[] = [];
  /** First row of each unit, ascending; starts[units.length] is the number of rows. */
  private readonly starts: number[] = [0];
  private readonly cache = new Map<number, EmbeddingRows>();
  private oldParts = 0;

  private constructor(
    private readonly store: ParquetBatches | null,
    private readonly key: StoreKey,
  ) {}

  /**
   * Opens the rows of store folder `dir`: its part files and, with `withStore`, its
   * embeddings.parquet (a store without item keys is left out: its rows match no item), and calls
   * `visit` with the id, item key and number of every row (to know what is done). Parts are read one
   * at a time, the store's id and item_key columns a batch at a time.
   */
  static async open(dir: string, withStore: boolean, key: StoreKey, visit: RowVisitor): Promise<RowSources> {
    let store: ParquetBatches | null = withStore ? await openParquet(join(dir, EMBEDDINGS_FILE)) : null;
    if (store !== null && !store.schema.schema.fields.some((f) => f.name === 'item_key')) {
      store.close();
      store = null;
    }
    const sources = new RowSources(store, key);
    try {
      for (const path of await listParts(dir)) {
        const rows = await readPart(path);
        const first = sources.addPart(path, rows.ids.length);
        for (let i = 0; i < rows.ids.length; i++)
          visit(rows.ids[i] as string, rows.itemKeys?.[i] ?? '', first + i);
      }
      sources.oldParts = sources.units.length;
      if (store !== null) await sources.addStore(store, visit);
    } catch (err) {
      sources.close();
      throw err;
    }
    return sources;
  }

  /** Part files left by earlier runs. */
  get earlierParts(): number {
    return this.oldParts;
  }

  /** Adds a part file of `rows` rows; returns the number of its first row. */
  addPart(path: string, rows: number): number {
    return this.addUnit({ part: path }, rows);
  }

  /**
   * Copies rows into slots 0 .. rows.length - 1 of `out` (its data, logits when it has them, and
   * itemKeys): slot i gets row rows[i]. Rows are read in ascending order, each part or row group
   * once per call.
   */
  async gather(rows: Uint32Array, out: EmbeddingRows): Promise<void> {
    const { dim, logitsDim } = this.key;
    const keys = out.itemKeys as string[];
    const slots = Uint32Array.from(rows.keys());
    slots.sort((a, b) => (rows[a] as number) - (rows[b] as number) || a - b);
    let unit = -1;
    let src: EmbeddingRows | null = null;
    for (const slot of slots) {
      const row = rows[slot] as number;
      if (unit < 0 || row < (this.starts[unit] as number) || row >= (this.starts[unit + 1] as number)) {
        unit = this.unitOf(row);
        src = await this.load(unit);
      }
      const s = src as EmbeddingRows;
      const r = row - (this.starts[unit] as number);
      out.data.set(s.data.subarray(r * dim, (r + 1) * dim), slot * dim);
      if (out.logits !== undefined && s.logits !== undefined) {
        out.logits.set(s.logits.subarray(r * logitsDim, (r + 1) * logitsDim), slot * logitsDim);
      }
      keys[slot] = s.itemKeys?.[r] ?? '';
    }
  }

  /** Releases the store file. */
  close(): void {
    this.store?.close();
    this.cache.clear();
  }

  private addUnit(unit: Unit, rows: number): number {
    const first = this.starts[this.units.length] as number;
    this.units.push(unit);
    this.starts.push(first + rows);
    return first;
  }

  private async addStore(store: ParquetBatches, visit: RowVisitor): Promise<void> {
    let row = this.starts[this.units.length] as number;
    store.rowGroupRows.forEach((rows, group) => {
      this.addUnit({ group }, rows);
    });
    for await (const table of store.batches(['id', 'item_key'])) {
      const ids = (table.getChild('id')?.toArray() ?? []) as unknown[];
      const keys = (table.getChild('item_key')?.toArray() ?? []) as unknown[];
      for (let i = 0; i < ids.length; i++) visit(String(ids[i]), String(keys[i] ?? ''), row + i);
      row += ids.length;
    }
  }

  /** The unit holding `row` (binary search over the starts). */
  private unitOf(row: number): number {
    let lo = 0;
    let hi = this.units.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if ((this.starts[mid] as number) <= row) lo = mid;
      else hi = mid - 1;
    }
    if (row >= (this.starts[this.units.length] as number)) throw new RangeError(`RowSources: no row ${row}`);
    return lo;
  }

  /** The rows of a unit, checked against what was listed when it was added. */
  private async load(unit: number): Promise<EmbeddingRows> {
    const cached = this.cache.get(unit);
    if (cached !== undefined) return cached;
    const u = this.units[unit] as Unit;
    let rows: EmbeddingRows;
    let path: string;
    if ('part' in u) {
      path = u.part;
      rows = await readPart(path);
    } else {
      const store = this.store as ParquetBatches;
      path = store.path;
      const table = await store.rowGroup(u.group, columnsToRead(store, ['logits', 'item_key']));
      try {
        rows = tableToRows(
          table,
          path,
          (this.starts[unit] as number) - (this.starts[this.oldParts] as number),
        );
      } catch (err) {
        throw new InputError(path, (err as Error).message);
      }
    }
    const expected = (this.starts[unit + 1] as number) - (this.starts[unit] as number);
    if (rows.ids.length !== expected) {
      throw new InputError(
        path,
        `changed during the run: it holds ${rows.ids.length} rows, it held ${expected}`,
      );
    }
    if (rows.ids.length > 0 && rows.dim !== this.key.dim) {
      throw new InputError(path, `has ${rows.dim} embedding values per row, expected ${this.key.dim}`, {
        field: 'embedding',
      });
    }
    this.cache.set(unit, rows);
    if (this.cache.size > CACHED_UNITS) this.cache.delete(this.cache.keys().next().value as number);
    return rows;
  }
}
