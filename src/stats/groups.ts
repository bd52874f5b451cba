/**
 * Groups of items from manifest attributes, the one grouping module of every evaluator: single
 * attributes and declared intersections (gender x skintone), their values per item (an absent
 * attribute is MISSING_ATTRIBUTE), which values mean "missing", canonical group keys and labels,
 * items split into groups, and the cluster index of each item for resampling.
 */
import { UsageError } from '../core/errors.js';
import { clusterOf } from '../core/items.js';
import type { Group, ManifestItem } from '../core/types.js';

/** The value an item gets for an attribute it does not have. */
export const MISSING_ATTRIBUTE = '(missing)';

/**
 * Attribute values that mean "not known" (CC `n/a` gender, `unknown` skin tone and age, MIAP
 * `gender_unknown`, the similarity script's `-1` age). Their groups are reported, never dropped, but
 * are left out of gaps and tests. A value also counts as missing when one of its `_`-separated parts
 * does (CC's `n/a_lighter`, `female_unknown`).
 */
export const DEFAULT_MISSING_VALUES: readonly string[] = Object.freeze([
  'n/a',
  'unknown',
  'gender_unknown',
  '-1',
  MISSING_ATTRIBUTE,
]);

/** One way of splitting items into groups: one attribute, or the intersection of several. */
export interface Grouping {
  /** Name as requested ("gender", "gender*skintone"). */
  name: string;
  attributes: string[];
}

/** An item's value of an attribute, as a string; MISSING_ATTRIBUTE when absent. */
export function attributeValue(item: ManifestItem, attribute: string): string {
  const v = item.attrs[attribute];
  return v === undefined ? MISSING_ATTRIBUTE : String(v);
}

/** The group of an item under a grouping. */
export function groupOf(item: ManifestItem, grouping: Grouping): Group {
  return Object.fromEntries(grouping.attributes.map((a) => [a, attributeValue(item, a)]));
}

/** Carried by the row of a group with a missing value. */
export const MISSING_GROUP_NOTE =
  'missing or undisclosed attribute value: reported, left out of gaps and tests';

/** Whether a value means "not known": itself, or one of its '_'-separated parts, is a missing value. */
export function isMissingValue(value: string, missingValues: ReadonlySet<string>): boolean {
  return missingValues.has(value) || value.split('_').some((part) => missingValues.has(part));
}

/** Whether a group has a missing value in any of its attributes. */
export function isMissingGroup(group: Group, missingValues: ReadonlySet<string>): boolean {
  return Object.values(group).some((v) => isMissingValue(String(v), missingValues));
}

/** Attributes with string values, in order of first appearance: the default groupings. */
export function defaultGroupings(items: readonly ManifestItem[]): Grouping[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    for (const [k, v] of Object.entries(item.attrs)) {
      if (typeof v === 'string' && !seen.has(k)) {
        seen.add(k);
        names.push(k);
      }
    }
  }
  return names.map((name) => ({ name, attributes: [name] }));
}

/** Every attribute some item has. */
export function attributesPresent(items: readonly ManifestItem[]): Set<string> {
  return new Set(items.flatMap((item) => Object.keys(item.attrs)));
}

/**
 * Checks that every attribute is carried by some item.
 * @throws UsageError naming `what` (e.g. "--group-by"), the unknown attributes and those present
 */
export function requireAttributes(
  attributes: readonly string[],
  items: readonly ManifestItem[],
  what: string,
): void {
  const present = attributesPresent(items);
  const unknown = attributes.filter((a) => !present.has(a));
  if (unknown.length > 0) {
    throw new UsageError(
      `${what}: unknown attribute(s) ${unknown.join(', ')}; attributes are: ${[...present].sort().join(', ') || '(none)'}`,
    );
  }
}

/**
 * Parses `--groups`: comma-separated attributes; `a*b` declares an intersection. A name that is not
 * an attribute but joins two attributes with `_` (gender_skintone) is read as their intersection.
 * Unknown names are a usage error listing the attributes present.
 */
export function parseGroupings(spec: string | undefined, items: readonly ManifestItem[]): Grouping[] {
  if (spec === undefined) return defaultGroupings(items);
  const present = attributesPresent(items);
  const known = () => [...present].sort().join(', ');
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((name): Grouping => {
      const parts = name.split('*').map((s) => s.trim());
      if (parts.length > 1) {
        const unknown = parts.filter((p) => !present.has(p));
        if (unknown.length > 0) {
          throw new UsageError(
            `--groups: "${name}" names unknown attribute(s) ${unknown.join(', ')}; attributes are: ${known()}`,
          );
        }
        return { name, attributes: parts };
      }
      if (present.has(name)) return { name, attributes: [name] };
      for (let i = name.indexOf('_'); i > 0; i = name.indexOf('_', i + 1)) {
        const a = name.slice(0, i);
        const b = name.slice(i + 1);
        if (present.has(a) && present.has(b)) return { name, attributes: [a, b] };
      }
      throw new UsageError(
        `--groups: unknown attribute "${name}"; attributes are: ${known()} (use a*b for an intersection)`,
      );
    });
}

/** Canonical text of a group, for sorting and messages: "female", "female|darker". */
export function groupKey(group: Group): string {
  return Object.values(group).map(String).join('|');
}

/** Canonical text of a group in rows and warnings: "gender=female,skintone=darker"; "overall" for {}. */
export function groupLabel(group: Group): string {
  const keys = Object.keys(group);
  return keys.length === 0 ? 'overall' : keys.map((k) => `${k}=${String(group[k])}`).join(',');
}

/**
 * Items split by a grouping: group values in sorted key order, and each item's group position.
 * @returns groups (G) and groupIndex (n items) into them
 */
export function splitByGrouping(
  items: readonly ManifestItem[],
  grouping: Grouping,
): { groups: Group[]; groupIndex: Int32Array } {
  const byKey = new Map<string, Group>();
  const keys = items.map((item) => {
    const g = groupOf(item, grouping);
    const key = groupKey(g);
    if (!byKey.has(key)) byKey.set(key, g);
    return key;
  });
  const sorted = [...byKey.keys()].sort();
  const position = new Map(sorted.map((k, i) => [k, i]));
  return {
    groups: sorted.map((k) => byKey.get(k) as Group),
    groupIndex: Int32Array.from(keys, (k) => position.get(k) as number),
  };
}

/** A grouping applied to items once: groups, each item's group, member lists, comparability. */
export interface GroupSplit {
  grouping: Grouping;
  /** (G) groups in sorted key order. */
  groups: Group[];
  /** (n items) each item's group position. */
  groupIndex: Int32Array;
  /** (G) item indices of each group, ascending. */
  members: number[][];
  /** (G) whether each group is compared (false for missing values). */
  comparable: boolean[];
  /** (G) notes for each group's rows (MISSING_GROUP_NOTE for a missing value). */
  notes: string[][];
}

/** Splits items by a grouping; groups with a missing value are not comparable and say so. */
export function splitItems(
  items: readonly ManifestItem[],
  grouping: Grouping,
  missingValues: ReadonlySet<string>,
): GroupSplit {
  const { groups, groupIndex } = splitByGrouping(items, grouping);
  const members: number[][] = groups.map(() => []);
  groupIndex.forEach((g, i) => {
    (members[g] as number[]).push(i);
  });
  const comparable = groups.map((g) => !isMissingGroup(g, missingValues));
  return {
    grouping,
    groups,
    groupIndex,
    members,
    comparable,
    notes: comparable.map((c) => (c ? [] : [MISSING_GROUP_NOTE])),
  };
}

/**
 * Numbers the items' clusters (clusterOf: the cluster field, else the id) in order of appearance.
 * @returns clusterIndex (n items) and the number of clusters
 */
export function indexClusters(items: readonly ManifestItem[]): {
  clusterIndex: Int32Array;
  nClusters: number;
} {
  const ids = new Map<string, number>();
  const clusterIndex = Int32Array.from(items, (item) => {
    const c = clusterOf(item);
    let i = ids.get(c);
    if (i === undefined) {
      i = ids.size;
      ids.set(c, i);
    }
    return i;
  });
  return { clusterIndex, nClusters: ids.size };
}
