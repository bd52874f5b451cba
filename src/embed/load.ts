/**
 * The shared loaders of stores for the stages: a store folder's rows, failures and meta, and a
 * manifest's items joined with them (join.ts). Every command that reads embeddings or predictions,
 * and the audit, load through here.
 */
import type { EmbeddingSet, ManifestItem } from '../core/types.js';
import { readManifest } from '../data/manifest.js';
import { type EmbeddedItems, embeddedItems } from './join.js';
import { readEmbeddings, readFailures, readStoreMeta, type StoreMeta } from './store.js';

/** A store folder as read: its rows, its failures.jsonl and its meta.json. */
export interface LoadedStore {
  dir: string;
  set: EmbeddingSet;
  failures: { id: string; reason: string }[];
  meta: StoreMeta;
}

/** Reads a store folder (embeddings.parquet, failures.jsonl, meta.json). */
export async function readStore(dir: string): Promise<LoadedStore> {
  const [set, failures, meta] = await Promise.all([
    readEmbeddings(dir),
    readFailures(dir),
    readStoreMeta(dir),
  ]);
  return { dir, set, failures, meta };
}

/** Joins items with a loaded store (the store's failures excluded, see joinStore). */
export function joinLoadedStore(
  items: readonly ManifestItem[],
  store: LoadedStore,
  where: { manifest: string; dataset: string },
  options: { allowMissing?: boolean } = {},
): EmbeddedItems {
  return embeddedItems(
    items,
    store.set,
    { manifest: where.manifest, store: store.dir, dataset: where.dataset },
    {
      failures: store.failures,
      ...(options.allowMissing === undefined ? {} : { allowMissing: options.allowMissing }),
      ...(store.meta.preprocess === undefined ? {} : { preprocess: store.meta.preprocess }),
      ...(store.meta.provider === undefined ? {} : { provider: store.meta.provider }),
    },
  );
}

/** Reads a manifest and a store folder and joins them. */
export async function loadEmbeddedItems(options: {
  manifest: string;
  store: string;
  dataset: string;
  allowMissing?: boolean;
}): Promise<EmbeddedItems> {
  const [items, store] = await Promise.all([readManifest(options.manifest), readStore(options.store)]);
  return joinLoadedStore(items, store, options, options);
}
