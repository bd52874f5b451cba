/**
 * The one join of a manifest with an embedding (or prediction) store. The manifest selects its rows
 * from the store by id: a store may hold more items than the manifest (one store for several
 * datasets, or a whole dataset used with a subset), and those extra rows are counted and ignored.
 * Only a manifest item the store has no row for is an error, unless the store lists it as failed
 * (an undecodable image: excluded and reported, never replaced) or the caller allows missing rows.
 * Every stage and both front doors (`fairscope <command>`, `fairscope audit`) join through here.
 */
import { InputError } from '../core/errors.js';
import type { EmbeddingSet, FailedItem, ManifestItem, Preprocess } from '../core/types.js';

/** Where the two sides come from, for messages and failure records. */
export interface JoinSource {
  /** The manifest file (or a description of where the items come from). */
  manifest: string;
  /** The store folder or file. */
  store: string;
  /** The dataset name failures are recorded under. */
  dataset: string;
}

export interface JoinOptions {
  /** The store's failures.jsonl entries: items listed there are excluded with their reason. */
  failures?: readonly { id: string; reason: string }[];
  /** Exclude manifest items without a row (recorded as failures) instead of failing. */
  allowMissing?: boolean;
}

/** Manifest items matched to store rows, in manifest order. */
export interface StoreJoin {
  /** Items that have a row, in manifest order. */
  items: ManifestItem[];
  /** (items.length) row of each kept item in the store. */
  rows: Int32Array;
  /** Items left out, with the reason. */
  excluded: FailedItem[];
  /** Store rows whose id is not in the manifest (ignored). */
  extraRows: number;
}

/** How many example ids an error message lists. */
const EXAMPLES_SHOWN = 5;

function examples(ids: readonly string[]): string {
  const shown = ids.slice(0, EXAMPLES_SHOWN).map((id) => JSON.stringify(id));
  return `${shown.join(', ')}${ids.length > EXAMPLES_SHOWN ? ', ...' : ''}`;
}

/**
 * Joins manifest items with the ids of a store's rows.
 * @throws InputError (field "id") for duplicate store ids, for manifest items without a row that
 *   are not listed as failed (unless allowMissing), and when no item has a row
 */
export function joinStore(
  items: readonly ManifestItem[],
  storeIds: readonly string[],
  source: JoinSource,
  options: JoinOptions = {},
): StoreJoin {
  const rowOf = new Map<string, number>();
  const duplicates: string[] = [];
  storeIds.forEach((id, r) => {
    if (rowOf.has(id)) duplicates.push(id);
    else rowOf.set(id, r);
  });
  if (duplicates.length > 0) {
    throw new InputError(
      source.store,
      `${duplicates.length} id(s) appear more than once: ${examples(duplicates)}`,
      {
        field: 'id',
      },
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
    if (reason !== undefined) excluded.push({ dataset: source.dataset, id: item.id, reason });
    else absent.push(item.id);
  }
  if (absent.length > 0) {
    if (!options.allowMissing) {
      throw new InputError(
        source.store,
        `${absent.length} of ${items.length} manifest item(s) of ${source.manifest} have no row and are not listed as failed: ${examples(
          absent,
        )}. Were these embeddings computed from another manifest? (--allow-missing excludes them)`,
        { field: 'id' },
      );
    }
    for (const id of absent)
      excluded.push({ dataset: source.dataset, id, reason: 'no row in the embedding store' });
  }
  if (kept.length === 0) {
    throw new InputError(
      source.store,
      `no item of ${source.manifest} has a row (${items.length} items, ${storeIds.length} rows)`,
      {
        field: 'id',
      },
    );
  }
  return { items: kept, rows: Int32Array.from(rows), excluded, extraRows: storeIds.length - kept.length };
}

/**
 * The rows of a row-major matrix in a given order; the matrix itself (no copy) when the rows are
 * all of it in order.
 * @param data (nRows, width)
 * @returns (rows.length, width)
 */
export function takeRows(data: Float32Array, width: number, rows: Int32Array): Float32Array {
  if (rows.length * width === data.length && rows.every((r, i) => r === i)) return data;
  const out = new Float32Array(rows.length * width);
  rows.forEach((r, i) => {
    out.set(data.subarray(r * width, (r + 1) * width), i * width);
  });
  return out;
}

/** A dataset's items with one model's embeddings (and logits), rows aligned with `items`. */
export interface EmbeddedItems {
  dataset: string;
  /** The manifest the items come from, for messages. */
  manifest: string;
  /** The store the rows come from, for messages. */
  store: string;
  items: ManifestItem[];
  /** (items.length, dim) row-major. */
  embeddings: Float32Array;
  dim: number;
  /** (items.length, classes.length) row-major, when the store has logits. */
  logits?: Float32Array;
  classes?: string[];
  modelId: string;
  /** The preprocessing the images were embedded with, when the store records it. */
  preprocess?: Preprocess;
  preprocessHash?: string;
  /** Engine and device that computed the embeddings. */
  provider?: string;
  /** Manifest items left out (failed images, or missing rows with allowMissing). */
  excluded: FailedItem[];
  /** Store rows not in the manifest (ignored). */
  extraRows: number;
}

/** What a store holds besides its rows, as embeddedItems needs it. */
export interface StoreInfo {
  preprocess?: Preprocess;
  provider?: string;
}

/**
 * Joins items with an embedding set (see joinStore) and gathers their rows.
 * @throws InputError when the logits do not have one column per class
 */
export function embeddedItems(
  items: readonly ManifestItem[],
  set: EmbeddingSet,
  source: JoinSource,
  options: JoinOptions & StoreInfo = {},
): EmbeddedItems {
  const joined = joinStore(items, set.ids, source, options);
  const out: EmbeddedItems = {
    dataset: source.dataset,
    manifest: source.manifest,
    store: source.store,
    items: joined.items,
    embeddings: takeRows(set.data, set.dim, joined.rows),
    dim: set.dim,
    modelId: set.modelId,
    excluded: joined.excluded,
    extraRows: joined.extraRows,
    ...(set.preprocessHash === undefined ? {} : { preprocessHash: set.preprocessHash }),
    ...(options.preprocess === undefined ? {} : { preprocess: options.preprocess }),
    ...(options.provider === undefined ? {} : { provider: options.provider }),
  };
  if (set.logits !== undefined) {
    const width = set.ids.length === 0 ? (set.classes?.length ?? 0) : set.logits.length / set.ids.length;
    if (set.classes !== undefined && width !== set.classes.length) {
      throw new InputError(source.store, `${set.classes.length} class names for logits of ${width} columns`, {
        field: 'classes',
      });
    }
    out.logits = takeRows(set.logits, width, joined.rows);
    if (set.classes !== undefined) out.classes = set.classes;
  }
  return out;
}

/** The note about a join for the results: the items left out (the store's extra rows are normal). */
export function joinNotes(e: Pick<EmbeddedItems, 'dataset' | 'excluded'>): string[] {
  return e.excluded.length === 0
    ? []
    : [`${e.dataset}: ${e.excluded.length} item(s) excluded (no embedding): see failures in the results`];
}
