/**
 * Embedding rows <-> Apache Arrow tables, shared by the Parquet store and the part files.
 *
 * Columns: `id` (utf8), `embedding` (fixed_size_list<float32>[dim]), optional `logits`
 * (fixed_size_list<float32>[classes]), and for stores written by `fairscope embed`, `item_key`
 * (utf8: hash of the item's source, bbox and roi) and `item_index` (int32: position in the manifest).
 */
import * as arrow from 'apache-arrow';

/** Rows of a store or part: everything but the metadata. */
export interface EmbeddingRows {
  ids: string[];
  dim: number;
  /** (n, dim) row-major. */
  data: Float32Array;
  /** Width of a logits row; 0 when there are no logits. */
  logitsDim: number;
  /** (n, logitsDim) row-major, when logitsDim > 0. */
  logits?: Float32Array;
  itemKeys?: string[];
  itemIndex?: Int32Array;
}

function fixedSizeList(values: Float32Array, n: number, width: number): arrow.Vector {
  const type = new arrow.FixedSizeList(width, new arrow.Field('item', new arrow.Float32(), false));
  const child = arrow.makeData({ type: new arrow.Float32(), length: n * width, data: values });
  return arrow.makeVector(arrow.makeData({ type, length: n, nullCount: 0, child }));
}

/** Builds the Arrow table of some rows, with optional schema metadata. */
export function rowsToTable(rows: EmbeddingRows, metadata?: Map<string, string>): arrow.Table {
  const n = rows.ids.length;
  if (rows.data.length !== n * rows.dim) {
    throw new Error(`embedding data has ${rows.data.length} values, expected ${n} x ${rows.dim}`);
  }
  const columns: Record<string, arrow.Vector> = {
    id: arrow.vectorFromArray(rows.ids, new arrow.Utf8()),
    embedding: fixedSizeList(rows.data, n, rows.dim),
  };
  if (rows.logits !== undefined) {
    if (rows.logits.length !== n * rows.logitsDim) {
      throw new Error(`logits have ${rows.logits.length} values, expected ${n} x ${rows.logitsDim}`);
    }
    columns.logits = fixedSizeList(rows.logits, n, rows.logitsDim);
  }
  if (rows.itemKeys !== undefined) columns.item_key = arrow.vectorFromArray(rows.itemKeys, new arrow.Utf8());
  if (rows.itemIndex !== undefined) {
    columns.item_index = arrow.makeVector(
      arrow.makeData({ type: new arrow.Int32(), length: n, data: rows.itemIndex }),
    );
  }
  const table = new arrow.Table(columns);
  if (metadata === undefined) return table;
  return new arrow.Table(new arrow.Schema(table.schema.fields, metadata), table.batches);
}

/**
 * Reads a list-of-floats column (fixed_size_list or list, float32 or float64) into one row-major
 * Float32Array; every row must have `width` values (width null: taken from the first row).
 * @param firstRow file row of the vector's first row, for error messages (batched reads)
 * @returns (n, width) row-major and the width
 */
export function floatMatrix(
  vector: arrow.Vector,
  what: string,
  firstRow = 0,
): { values: Float32Array; width: number } {
  const n = vector.length;
  let width: number | null = null;
  const type = vector.type;
  if (arrow.DataType.isFixedSizeList(type)) width = type.listSize;
  else if (!arrow.DataType.isList(type))
    throw new Error(`column "${what}" is ${type}, expected a list of floats`);
  let out: Float32Array | null = width === null ? null : new Float32Array(n * width);
  let row = 0;
  for (const chunk of vector.data) {
    if (chunk.length === 0) continue; // an empty table's list columns may have no child data
    const child = chunk.children[0];
    if (!arrow.DataType.isFloat(child.type))
      throw new Error(`column "${what}" holds ${child.type}, expected floats`);
    if (chunk.nullCount > 0) throw new Error(`column "${what}" has null rows`);
    const values = child.values as Float32Array | Float64Array;
    if (arrow.DataType.isFixedSizeList(type) && out !== null && width !== null) {
      // contiguous rows: one bulk copy (converts float64 to float32)
      const start = child.offset + chunk.offset * width;
      out.set(values.subarray(start, start + chunk.length * width), row * width);
      row += chunk.length;
      continue;
    }
    for (let i = 0; i < chunk.length; i++, row++) {
      let start: number;
      let len: number;
      if (arrow.DataType.isFixedSizeList(type)) {
        start = child.offset + (chunk.offset + i) * type.listSize;
        len = type.listSize;
      } else {
        const offsets = chunk.valueOffsets as Int32Array;
        start = child.offset + offsets[chunk.offset + i];
        len = offsets[chunk.offset + i + 1] - offsets[chunk.offset + i];
      }
      if (width === null) width = len;
      if (out === null) out = new Float32Array(n * width);
      if (len !== width)
        throw new Error(`column "${what}" row ${firstRow + row} has ${len} values, expected ${width}`);
      for (let j = 0; j < len; j++) out[row * width + j] = values[start + j];
    }
  }
  return { values: out ?? new Float32Array(0), width: width ?? 0 };
}

/**
 * Reads the rows of an Arrow table written by rowsToTable (or by pandas/polars with those columns).
 * @param firstRow file row of the table's first row, for error messages (batched reads)
 */
export function tableToRows(table: arrow.Table, source: string, firstRow = 0): EmbeddingRows {
  const idCol = table.getChild('id');
  const embCol = table.getChild('embedding');
  if (idCol === null) throw new Error(`${source}: no "id" column`);
  if (embCol === null) throw new Error(`${source}: no "embedding" column`);
  const ids = (idCol.toArray() as unknown[]).map(String);
  const emb = floatMatrix(embCol, 'embedding', firstRow);
  const rows: EmbeddingRows = { ids, dim: emb.width, data: emb.values, logitsDim: 0 };
  const logitsCol = table.getChild('logits');
  if (logitsCol !== null) {
    const lg = floatMatrix(logitsCol, 'logits', firstRow);
    rows.logits = lg.values;
    rows.logitsDim = lg.width;
  }
  const keyCol = table.getChild('item_key');
  if (keyCol !== null) rows.itemKeys = (keyCol.toArray() as unknown[]).map(String);
  const indexCol = table.getChild('item_index');
  if (indexCol !== null) rows.itemIndex = Int32Array.from(indexCol.toArray() as ArrayLike<number>);
  return rows;
}
