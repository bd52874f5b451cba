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

/**
 * The manifest hash fed one item at a time, in order, for a manifest that is streamed rather than
 * held: `update` each item, then `digest` (16 hex digits of SHA-256 over each item's canonical JSON
 * and a newline), the value manifestHash gives for the same items.
 */
export class ManifestHasher {
  private readonly h = createHash('sha256');

  update(item: ManifestItem): void {
    this.h.update(canonicalJson(item)).update('\n');
  }

  digest(): string {
    return this.h.digest('hex').slice(0, 16);
  }
}

/** Hash of a whole manifest (every item, in order), computed incrementally (ManifestHasher). */
export function manifestHash(items: readonly ManifestItem[]): string {
  const h = new ManifestHasher();
  for (const item of items) h.update(item);
  return h.digest();
}
