/**
 * Groups for robustness x fairness: every metric is also computed for the items of each value of
 * each attribute (skintone, gender, region...), and the gap between groups (max - min) gets its own
 * interval. Values, missing values and attribute defaults are src/stats' groups; what is particular
 * here is that groups span several datasets, and that the corruption attributes are never groups.
 */
import type { AttrValue, ManifestItem } from '../core/types.js';
import {
  attributeValue,
  DEFAULT_MISSING_VALUES,
  defaultGroupings,
  isMissingValue,
  MISSING_ATTRIBUTE,
} from '../stats/groups.js';

/** Attributes `fairscope corrupt` adds; never groups. */
export const CORRUPTION_ATTRIBUTES: readonly string[] = Object.freeze(['corruption', 'severity']);

/** One group: the overall population (attribute undefined) or attribute = value. */
export interface GroupDef {
  attribute?: string;
  /** Canonical string value (attributeValue). */
  key?: string;
  /** The value as first seen in a manifest (string or number), for result rows. */
  value?: AttrValue;
  /** Left out of gaps. */
  missing: boolean;
}

/**
 * The overall group followed by every value of every attribute (sorted by value), over the items of
 * all datasets, so a group exists in every dataset even where it has no item.
 */
export function groupDefinitions(
  itemSets: readonly (readonly ManifestItem[])[],
  attributes: readonly string[],
  missingValues: readonly string[] = DEFAULT_MISSING_VALUES,
): GroupDef[] {
  const missing = new Set(missingValues);
  const defs: GroupDef[] = [{ missing: false }];
  for (const attribute of attributes) {
    const seen = new Map<string, AttrValue>();
    for (const items of itemSets) {
      for (const item of items) {
        const key = attributeValue(item, attribute);
        if (!seen.has(key)) seen.set(key, item.attrs[attribute] ?? MISSING_ATTRIBUTE);
      }
    }
    for (const key of [...seen.keys()].sort()) {
      defs.push({ attribute, key, value: seen.get(key) as AttrValue, missing: isMissingValue(key, missing) });
    }
  }
  return defs;
}

/** Attributes with string values in the items, in order of first appearance (minus corruption/severity). */
export function defaultAttributes(itemSets: readonly (readonly ManifestItem[])[]): string[] {
  return defaultGroupings(itemSets.flat())
    .map((g) => g.name)
    .filter((name) => !CORRUPTION_ATTRIBUTES.includes(name));
}
