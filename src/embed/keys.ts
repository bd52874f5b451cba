/**
 * Cache keys of the embedding store. A store is keyed by (model id, preprocess hash); each row by
 * (item id, item key), where the item key hashes what determines the pixels (source, bbox, roi), so
 * editing one manifest line recomputes exactly that item on the next run.
 */
import { createHash } from 'node:crypto';
import { canonicalJson, stableHash } from '../core/hash.js';
import type { ManifestItem } from '../core/types.js';

/** Hash of the fields of an item that determine its image tensor. */
export function itemKey(item: Pick<ManifestItem, 'source' | 'bbox' | 'roi'>): string {
  return stableHash({ source: item.source, bbox: item.bbox ?? null, roi: item.roi ?? 'none' });
}

/** Hash of a whole manifest (every item, in order), computed incrementally. */
export function manifestHash(items: readonly ManifestItem[]): string {
  const h = createHash('sha256');
  for (const item of items) h.update(canonicalJson(item)).update('\n');
  return h.digest('hex').slice(0, 16);
}
