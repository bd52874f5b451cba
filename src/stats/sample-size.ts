/** Minimum sizes below which a group's value is flagged as too small to conclude anything from. */

export interface MinimumGroupSize {
  /** Fewest items (default 30). */
  items: number;
  /** Fewest independent clusters (default 10). */
  clusters: number;
}

export const DEFAULT_MINIMUM_GROUP_SIZE: MinimumGroupSize = Object.freeze({ items: 30, clusters: 10 });

/** The warning text for a small group, or undefined when the group is large enough. */
export function smallGroupWarning(
  items: number,
  clusters: number,
  minimum: MinimumGroupSize = DEFAULT_MINIMUM_GROUP_SIZE,
): string | undefined {
  if (items >= minimum.items && clusters >= minimum.clusters) return undefined;
  return `too small to conclude: n=${items}, clusters=${clusters} (needs n >= ${minimum.items} and clusters >= ${minimum.clusters})`;
}
