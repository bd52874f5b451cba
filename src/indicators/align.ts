/**
 * Matches the rows of an embedding/prediction store to manifest items by id. Ids the manifest does not
 * know are an error; manifest items without a row are an error unless the store lists them as failed
 * (undecodable images: excluded and reported, never replaced) or the caller allows missing rows.
 */
import { InputError } from '../core/errors.js';
import type { FailedItem } from '../core/results.js';
import type { ManifestItem } from '../core/types.js';

export interface Alignment {
  /** Items that have a row, in manifest order. */
  items: ManifestItem[];
  /** Row of each kept item in the store. */
  rows: Int32Array;
  /** Items left out, with the reason. */
  excluded: FailedItem[];
}

function examples(ids: readonly string[]): string {
  const shown = ids.slice(0, 5).map((id) => JSON.stringify(id));
  return `${shown.join(', ')}${ids.length > 5 ? ', ...' : ''}`;
}

/**
 * @param storeIds ids of the store's rows
 * @param failures the store's failures.jsonl entries
 */
export function alignToManifest(
  items: readonly ManifestItem[],
  storeIds: readonly string[],
  where: { manifest: string; store: string; dataset: string },
  options: { failures?: readonly { id: string; reason: string }[]; allowMissing?: boolean } = {},
): Alignment {
  const rowOf = new Map<string, number>();
  const duplicates: string[] = [];
  storeIds.forEach((id, r) => {
    if (rowOf.has(id)) duplicates.push(id);
    else rowOf.set(id, r);
  });
  if (duplicates.length > 0) {
    throw new InputError(
      where.store,
      `${duplicates.length} id(s) appear more than once: ${examples(duplicates)}`,
      {
        field: 'id',
      },
    );
  }
  const known = new Set(items.map((it) => it.id));
  const unknown = storeIds.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new InputError(
      where.store,
      `${unknown.length} of ${storeIds.length} row id(s) are not in the manifest ${where.manifest} (${items.length} items): ${examples(
        unknown,
      )}. Were these embeddings computed from another manifest?`,
      { field: 'id' },
    );
  }
  const failed = new Map((options.failures ?? []).map((f) => [f.id, f.reason]));
  const kept: ManifestItem[] = [];
  const rows: number[] = [];
  const excluded: FailedItem[] = [];
  const absent: string[] = [];
  for (const item of items) {
    const r = rowOf.get(item.id);
    if (r !== undefined) {
      kept.push(item);
      rows.push(r);
      continue;
    }
    const reason = failed.get(item.id);
    if (reason !== undefined) excluded.push({ dataset: where.dataset, id: item.id, reason });
    else absent.push(item.id);
  }
  if (absent.length > 0) {
    if (!options.allowMissing) {
      throw new InputError(
        where.store,
        `${absent.length} of ${items.length} manifest item(s) of ${where.manifest} have no row and are not listed as failed: ${examples(
          absent,
        )}. Pass --allow-missing to exclude them.`,
        { field: 'id' },
      );
    }
    for (const id of absent)
      excluded.push({ dataset: where.dataset, id, reason: 'no row in the embedding store' });
  }
  if (kept.length === 0) throw new InputError(where.store, `no manifest item of ${where.manifest} has a row`);
  return { items: kept, rows: Int32Array.from(rows), excluded };
}

/**
 * The rows of a row-major matrix in a given order.
 * @param data (nRows, width)
 * @returns (rows.length, width)
 */
export function takeRows(data: Float32Array, width: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(data.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}
