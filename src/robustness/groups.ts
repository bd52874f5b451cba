/**
 * Groups for robustness x fairness: every metric is also computed for the items of each value of
 * each attribute (skintone, gender, region...), and the gap between groups (max - min) gets its own
 * interval. Values that mean "unknown" are reported but left out of gaps.
 */
import type { AttrValue, ManifestItem } from '../core/types.js';

/** The value an item gets for an attribute it does not have. */
export const MISSING_VALUE = '(missing)';

/** Values that mean "not known" (as in src/indicators): reported, never compared in gaps. */
export const DEFAULT_MISSING_VALUES: readonly string[] = Object.freeze([
  'n/a',
  'unknown',
  'gender_unknown',
  '-1',
  MISSING_VALUE,
]);

/** Attributes `fairscope corrupt` adds; never groups. */
export const CORRUPTION_ATTRIBUTES: readonly string[] = Object.freeze(['corruption', 'severity']);

/** An item's value of an attribute as a string (MISSING_VALUE when absent). */
export function attributeValueOf(item: ManifestItem, attribute: string): string {
  const v = item.attrs[attribute];
  return v === undefined ? MISSING_VALUE : String(v);
}

/** Whether a value means "unknown" (itself, or one of its '_'-separated parts, is a missing value). */
export function isMissingValue(value: string, missing: ReadonlySet<string>): boolean {
  return missing.has(value) || value.split('_').some((part) => missing.has(part));
}

/** One group: the overall population (attribute undefined) or attribute = value. */
export interface GroupDef {
  attribute?: string;
  /** Canonical string value. */
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
        const key = attributeValueOf(item, attribute);
        if (!seen.has(key)) seen.set(key, item.attrs[attribute] ?? MISSING_VALUE);
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
  const names: string[] = [];
  for (const items of itemSets) {
    for (const item of items) {
      for (const [k, v] of Object.entries(item.attrs)) {
        if (typeof v === 'string' && !names.includes(k) && !CORRUPTION_ATTRIBUTES.includes(k)) names.push(k);
      }
    }
  }
  return names;
}
