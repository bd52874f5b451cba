/** Pure helpers on manifest items, shared by every stage after the importer. */
import type { ManifestItem } from './types.js';

/** An item's cluster (unit of resampling), defaulting to its id. */
export function clusterOf(item: Pick<ManifestItem, 'id' | 'cluster'>): string {
  return item.cluster ?? item.id;
}
