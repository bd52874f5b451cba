/**
 * Groups as the stages take them: a list of attributes, each one attribute ('skintone') or an
 * intersection (['gender', 'skintone'], or 'gender*skintone' as `--groups` writes it). The command
 * line's `--groups a,b,a*b` and the audit spec's `groups: [a, b, [a, b]]` both become this list.
 */
import type { ComparisonKind, ManifestItem } from '../core/types.js';
import { type Grouping, parseGroupings } from '../stats/groups.js';

/** One attribute, or the attributes of an intersection. */
export type GroupSpec = string | readonly string[];

/** `--groups a,b,a*b` as a list of group specs (undefined when not given). */
export function groupSpecsOf(text: string | undefined): GroupSpec[] | undefined {
  if (text === undefined) return undefined;
  return text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * The groupings of some group specs over the items; undefined means every attribute with string
 * values. An attribute no item has is a usage error listing the attributes present.
 */
export function groupingsOf(
  specs: readonly GroupSpec[] | undefined,
  items: readonly ManifestItem[],
): Grouping[] {
  if (specs === undefined) return parseGroupings(undefined, items);
  return parseGroupings(specs.map((g) => (typeof g === 'string' ? g : g.join('*'))).join(','), items);
}

/**
 * The group tests a stage runs: the requested kind (default 'vsRest'), or none without bootstrap
 * resamples (a test needs them: its p-value would be undefined).
 */
export function comparisonsOf(options: {
  comparisons?: ComparisonKind | 'none';
  bootstrap: { resamples?: number };
}): ComparisonKind | 'none' {
  return options.bootstrap.resamples === 0 ? 'none' : (options.comparisons ?? 'vsRest');
}
