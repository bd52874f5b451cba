/**
 * Consolidation of an embed run, streamed: the store's rows in manifest order, as chunks of
 * ROW_GROUP_ROWS rows (one Parquet row group each, for writeStoreChunks), with the ids of a new read
 * of the manifest (checked against the first), item_index the manifest position, and the embedding,
 * logits and item key of the row the plan gives each line (row-plan.ts), read from the part files
 * and the old store (row-sources.ts). Memory: one chunk and the two parts or row groups it reads
 * from, whatever the manifest's length.
 */
import type { EmbeddingRows } from './columns.js';
import type { ManifestReads } from './manifest-reads.js';
import { ROW_GROUP_ROWS } from './parquet-writer.js';
import type { StoreKey } from './parts.js';
import { isRow, type RowPlan, SKIPPED } from './row-plan.js';
import type { RowSources } from './row-sources.js';

export interface ConsolidateInput {
  reads: ManifestReads;
  plan: RowPlan;
  sources: RowSources;
  key: StoreKey;
  /** Called, in manifest order, with each line of the shard that has no row. */
  onMissing(id: string): void;
  /** Rows per chunk (default ROW_GROUP_ROWS, the store's row group). */
  chunkRows?: number;
}

/**
 * The consolidated rows in chunks of `chunkRows` (the last one shorter; one empty chunk, for the
 * schema, when no line has a row).
 */
export async function* consolidatedChunks(input: ConsolidateInput): AsyncGenerator<EmbeddingRows> {
  const { plan, sources, key } = input;
  const size = input.chunkRows ?? ROW_GROUP_ROWS;
  const ids: string[] = [];
  const rows = new Uint32Array(size);
  const index = new Int32Array(size);
  let yielded = false;
  const chunk = async (): Promise<EmbeddingRows> => {
    const n = ids.length;
    const out: EmbeddingRows = {
      ids: ids.splice(0, n),
      dim: key.dim,
      data: new Float32Array(n * key.dim),
      logitsDim: key.logitsDim,
      itemKeys: new Array<string>(n),
      itemIndex: index.slice(0, n),
    };
    if (key.logitsDim > 0) out.logits = new Float32Array(n * key.logitsDim);
    await sources.gather(rows.subarray(0, n), out);
    yielded = true;
    return out;
  };
  for await (const { item, index: line } of input.reads.read()) {
    const planned = plan.get(line);
    if (planned === SKIPPED) continue;
    if (!isRow(planned)) {
      input.onMissing(item.id);
      continue;
    }
    rows[ids.length] = planned;
    index[ids.length] = line;
    ids.push(item.id);
    if (ids.length === size) yield await chunk();
  }
  if (ids.length > 0 || !yielded) yield await chunk();
}
