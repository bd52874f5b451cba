/** Counts of an emoji manifest by attribute, for the build report, the benchmark and tests. */
import type { ManifestItem } from '../../core/types.js';

export interface EmojiCounts {
  total: number;
  /** Items per value of each attribute (style, category, skintone, gender, age). */
  byAttr: Record<string, Record<string, number>>;
  /** Distinct clusters (concepts). */
  concepts: number;
}

/** Counts items per value of every attribute they carry. */
export function countEmojiItems(items: readonly ManifestItem[]): EmojiCounts {
  const byAttr: Record<string, Record<string, number>> = {};
  for (const item of items) {
    for (const [attr, value] of Object.entries(item.attrs)) {
      const counts = byAttr[attr] ?? {};
      counts[String(value)] = (counts[String(value)] ?? 0) + 1;
      byAttr[attr] = counts;
    }
  }
  return { total: items.length, byAttr, concepts: new Set(items.map((i) => i.cluster ?? i.id)).size };
}
