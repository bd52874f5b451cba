/**
 * The groups curation balances and reports: one attribute, or the cross product of several
 * (ATTR1 x ATTR2), formed as the indicators form them (an absent attribute is the value
 * "(missing)"; groups in sorted key order; a crossed group's key joins its values with "|").
 */
import { UsageError } from '../core/errors.js';
import { clusterOf } from '../core/items.js';
import type { Group, ManifestItem } from '../core/types.js';
import { attributesPresent, groupKey, splitByGrouping } from '../stats/groups.js';

export interface ItemGroups {
  attributes: string[];
  /** (G) groups in sorted key order. */
  groups: Group[];
  /** (G) "female" or "female|darker". */
  keys: string[];
  /** (n) each item's group position. */
  groupOf: Int32Array;
  /** (G) items per group. */
  sizes: number[];
}

/** Groups items by the cross product of `attributes`; a usage error names an unknown attribute. */
export function itemGroups(items: readonly ManifestItem[], attributes: readonly string[]): ItemGroups {
  if (attributes.length === 0) throw new UsageError('--balance/--group needs at least one attribute');
  const present = attributesPresent(items);
  const unknown = attributes.filter((a) => !present.has(a));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown attribute(s) ${unknown.join(', ')}; the manifest's attributes are: ${[...present].sort().join(', ') || '(none)'}`,
    );
  }
  const { groups, groupIndex } = splitByGrouping(items, {
    name: attributes.join('*'),
    attributes: [...attributes],
  });
  const sizes = new Array<number>(groups.length).fill(0);
  for (const g of groupIndex) sizes[g] = (sizes[g] as number) + 1;
  return { attributes: [...attributes], groups, keys: groups.map(groupKey), groupOf: groupIndex, sizes };
}

/** Items and distinct clusters per group among `members` (item indices). */
export function groupCounts(
  groups: ItemGroups,
  items: readonly ManifestItem[],
  members: Iterable<number>,
): { counts: number[]; clusters: number[] } {
  const counts = new Array<number>(groups.groups.length).fill(0);
  const seen = groups.groups.map(() => new Set<string>());
  for (const i of members) {
    const g = groups.groupOf[i] as number;
    counts[g] = (counts[g] as number) + 1;
    (seen[g] as Set<string>).add(clusterOf(items[i] as ManifestItem));
  }
  return { counts, clusters: seen.map((s) => s.size) };
}
