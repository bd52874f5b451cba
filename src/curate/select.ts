/**
 * Subset selection under a budget, by one of five strategies, optionally under group quotas:
 *
 * - kcenter: k-center greedy coreset (kcenter.ts): the most diverse subset, covering the space.
 * - balanced: kcenter under group quotas (--balance is required); the quotas (quotas.ts) are met
 *   exactly, and within them every pick is still the farthest open point.
 * - typical: the most typical points first (typicality.ts), optionally at least minDistance apart.
 * - unique: the least typical points first (outliers, rare content).
 * - random: a seeded uniform sample, the baseline.
 *
 * Quotas apply to every strategy (typical/unique/random take the next ranked point whose group is
 * still open), so a balanced random sample is the baseline for a balanced k-center one.
 */
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ManifestItem } from '../core/types.js';
import { coverageOf, nearestSelectedDistances } from './center-distances.js';
import { type ItemGroups, itemGroups } from './groups.js';
import { type FirstPick, kCenterGreedy } from './kcenter.js';
import { walkRanking } from './ordered-walk.js';
import type { PointMatrix } from './points.js';
import { type GroupBounds, groupBounds, QuotaTracker, type ShareSpec } from './quotas.js';
import type { SearchMethod } from './search.js';
import { TYPICALITY_NEIGHBOURS, typicality, typicalityOrder } from './typicality.js';

export type Strategy = 'kcenter' | 'balanced' | 'typical' | 'unique' | 'random';
export const STRATEGIES: readonly Strategy[] = Object.freeze([
  'kcenter',
  'balanced',
  'typical',
  'unique',
  'random',
]);

export interface BalanceSpec {
  /** One attribute, or several for their cross product. */
  attributes: string[];
  shares: ShareSpec;
  /** Redistribute a small group's missing items instead of failing. */
  allowShortfall?: boolean;
}

export interface SelectOptions {
  strategy: Strategy;
  budget: number;
  /** Seed of the random first pick (kcenter) and of the random strategy (default 0). */
  seed?: number;
  first?: FirstPick;
  balance?: BalanceSpec;
  /** (n) 1 = never select (e.g. removed duplicates). */
  exclude?: Uint8Array;
  /** Neighbours for typicality (default 20). */
  neighbours?: number;
  /** typical/unique: skip points closer than this to an earlier pick. */
  minDistance?: number;
  search?: SearchMethod;
  threads?: number;
  maxCandidates?: number;
  blockBytes?: number;
  onProgress?: (picked: number) => void;
}

export interface Selection {
  /** Selected item indices in selection order. */
  order: number[];
  /** (n) distance of every item to its nearest selected item (0 for selected ones). */
  nearest: Float32Array;
  /** Mean of `nearest`. */
  coverage: number;
  /** Max of `nearest`. */
  radius: number;
  groups?: ItemGroups;
  bounds?: GroupBounds;
  /** (n) typicality, for typical/unique. */
  typicality?: Float32Array;
  warnings: string[];
  /** kcenter: GEMM batches and candidate rows computed; typicality: the kNN method. */
  stats: Record<string, number | string>;
}

/** Checks a budget against the items available; a usage error says how many there are. */
export function checkBudget(budget: number, n: number, excluded: number): void {
  if (!Number.isInteger(budget) || budget <= 0)
    throw new UsageError(`--budget must be a positive integer, got ${budget}`);
  if (budget > n) throw new UsageError(`--budget ${budget} is larger than the set: there are ${n} items`);
  if (budget > n - excluded) {
    throw new UsageError(
      `--budget ${budget} is larger than the ${n - excluded} items left after removing ${excluded} duplicates (of ${n})`,
    );
  }
}

/**
 * Selects `budget` items.
 * @param points (n, dim), row i = items[i]
 */
export async function selectItems(
  points: PointMatrix,
  items: readonly ManifestItem[],
  options: SelectOptions,
): Promise<Selection> {
  const n = points.n;
  if (items.length !== n) throw new RangeError(`selectItems: ${items.length} items for ${n} points`);
  const { strategy, budget } = options;
  const exclude = options.exclude ?? new Uint8Array(n);
  let excluded = 0;
  for (let i = 0; i < n; i++) excluded += exclude[i] === 1 ? 1 : 0;
  checkBudget(budget, n, excluded);
  if (strategy === 'balanced' && options.balance === undefined) {
    throw new UsageError(
      '--strategy balanced needs --balance ATTR[,ATTR] (the attributes whose shares to balance)',
    );
  }
  const slots = new Int32Array(n);
  let quota: QuotaTracker;
  let groups: ItemGroups | undefined;
  let bounds: GroupBounds | undefined;
  if (options.balance !== undefined) {
    groups = itemGroups(items, options.balance.attributes);
    const available = groups.keys.map(() => 0);
    for (let i = 0; i < n; i++) {
      if (exclude[i] === 1) continue;
      const g = groups.groupOf[i] as number;
      available[g] = (available[g] as number) + 1;
      slots[i] = g + 1;
    }
    bounds = groupBounds(groups.keys, available, budget, options.balance.shares, {
      allowShortfall: options.balance.allowShortfall ?? false,
    });
    quota = new QuotaTracker(bounds.lower, bounds.upper, budget);
  } else {
    for (let i = 0; i < n; i++) slots[i] = exclude[i] === 1 ? 0 : 1;
    quota = QuotaTracker.unconstrained(budget);
  }
  const threads = options.threads === undefined ? {} : { threads: options.threads };
  const progress = options.onProgress === undefined ? {} : { onProgress: options.onProgress };
  const warnings: string[] = [];
  const base = { ...(groups === undefined ? {} : { groups }), ...(bounds === undefined ? {} : { bounds }) };

  if (strategy === 'kcenter' || strategy === 'balanced') {
    const res = await kCenterGreedy(points, budget, {
      slots,
      quota,
      first: options.first ?? 'random',
      seed: options.seed ?? 0,
      ...threads,
      ...progress,
      ...(options.maxCandidates === undefined ? {} : { maxCandidates: options.maxCandidates }),
      ...(options.blockBytes === undefined ? {} : { blockBytes: options.blockBytes }),
    });
    return {
      order: res.order,
      nearest: res.nearest,
      coverage: res.coverage,
      radius: res.radius,
      ...base,
      warnings,
      stats: { batches: res.batches, candidateRows: res.candidateRows },
    };
  }
  let ranking: ArrayLike<number>;
  let scores: Float32Array | undefined;
  const stats: Record<string, number | string> = {};
  if (strategy === 'random') {
    ranking = new Rng(options.seed ?? 0).shuffle(Array.from({ length: n }, (_, i) => i));
  } else {
    const typ = await typicality(points, {
      k: options.neighbours ?? TYPICALITY_NEIGHBOURS,
      ...(options.search === undefined ? {} : { search: options.search }),
      ...threads,
    });
    scores = typ.scores;
    stats.neighbours = typ.k;
    stats.search = typ.method;
    ranking = typicalityOrder(typ.scores, strategy);
  }
  const order = await walkRanking(points, ranking, slots, quota, {
    ...(options.minDistance === undefined ? {} : { minDistance: options.minDistance }),
    ...threads,
    ...progress,
  });
  if (order.length < budget) {
    warnings.push(
      `only ${order.length} of ${budget} items could be selected: every other item is closer than --min-distance ${options.minDistance} to a selected one or in a full group`,
    );
  }
  const nearest = await nearestSelectedDistances(points, order, threads);
  return {
    order,
    nearest,
    ...coverageOf(nearest),
    ...base,
    ...(scores === undefined ? {} : { typicality: scores }),
    warnings,
    stats,
  };
}
