/**
 * Group quotas for balanced selection. Shares become item counts by the largest-remainder method
 * (Hamilton): each group gets floor(share x budget), and the items left over go one each to the
 * groups with the largest fractional parts, ties to the group that sorts first. The counts then sum
 * to the budget exactly, and each differs from share x budget by less than one.
 *
 * Minimum shares become lower bounds ceil(share x budget); the rest of the budget is free.
 * A group with fewer items than its quota is a shortfall: an error by default (naming each group and
 * how many items it lacks), or, when allowed, the group takes all its items and the missing ones are
 * redistributed to the other groups in proportion to their shares (repeated until every quota fits).
 */
import { FairscopeError, UsageError } from '../core/errors.js';

/** How the budget is split across groups. */
export type ShareSpec =
  | { kind: 'equal' }
  /** Exact shares; groups not listed get none. Shares sum to 1. */
  | { kind: 'exact'; shares: ReadonlyMap<string, number> }
  /** Lower bounds; groups not listed have none. Shares sum to at most 1. */
  | { kind: 'minimum'; shares: ReadonlyMap<string, number> };

/** A group that has fewer items than its quota. */
export interface Shortfall {
  group: string;
  /** Items the quota asks for. */
  required: number;
  /** Items the group has. */
  available: number;
  /** required - available. */
  short: number;
}

/** Per-group bounds on the number of selected items, in the order of the group keys. */
export interface GroupBounds {
  lower: number[];
  upper: number[];
  /** The quotas (exact) or minimums before any shortfall was redistributed. */
  requested: number[];
  shortfalls: Shortfall[];
}

/** Relative tolerance when a share x budget is meant to be a whole number (0.3 x 10). */
const WHOLE_TOLERANCE = 1e-9;

function snap(x: number): number {
  const r = Math.round(x);
  return Math.abs(x - r) < WHOLE_TOLERANCE * Math.max(1, Math.abs(x)) ? r : x;
}

/**
 * Splits `total` into whole counts proportional to `weights` by largest remainders.
 * @returns (weights.length) counts summing to total (all 0 when every weight is 0)
 */
export function largestRemainder(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  if (!(sum > 0)) return weights.map(() => 0);
  const exact = weights.map((w) => snap((w / sum) * total));
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, g) => ({ g, rest: x - Math.floor(x) }))
    .filter((e) => (weights[e.g] as number) > 0)
    .sort((a, b) => b.rest - a.rest || a.g - b.g);
  for (const { g } of order) {
    if (left <= 0) break;
    counts[g] = (counts[g] as number) + 1;
    left--;
  }
  return counts;
}

/**
 * Parses "VALUE=FRACTION,VALUE=FRACTION" (a crossed group's value is "v1|v2"); the last "=" of each
 * entry separates the value from the fraction.
 */
export function parseShares(text: string, flag: string): Map<string, number> {
  const shares = new Map<string, number>();
  for (const entry of text.split(',')) {
    const at = entry.lastIndexOf('=');
    const key = entry.slice(0, at).trim();
    const value = Number(entry.slice(at + 1).trim());
    if (at <= 0 || key === '' || !Number.isFinite(value) || value < 0 || value > 1) {
      throw new UsageError(
        `--${flag}: expected VALUE=FRACTION entries with 0 <= FRACTION <= 1, got "${entry.trim()}"`,
      );
    }
    if (shares.has(key)) throw new UsageError(`--${flag}: group "${key}" is given twice`);
    shares.set(key, value);
  }
  return shares;
}

/** The message of an infeasible balance: each group, what it needs, what it has. */
export function shortfallMessage(shortfalls: readonly Shortfall[], budget: number): string {
  const list = shortfalls
    .map((s) => `group "${s.group}" needs ${s.required} items but has ${s.available} (short by ${s.short})`)
    .join('; ');
  return `cannot honour the balance with budget ${budget}: ${list}. Lower --budget, change --shares/--min-share, or pass --allow-shortfall to give the missing items to the other groups`;
}

function sharesByKey(keys: readonly string[], shares: ReadonlyMap<string, number>, flag: string): number[] {
  const unknown = [...shares.keys()].filter((k) => !keys.includes(k));
  if (unknown.length > 0) {
    throw new UsageError(
      `--${flag}: no items in group(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; groups are: ${keys.map((k) => JSON.stringify(k)).join(', ')}`,
    );
  }
  return keys.map((k) => shares.get(k) ?? 0);
}

/**
 * Per-group bounds for a budget.
 * @param keys (G) group keys; @param sizes (G) items per group
 * @throws FairscopeError (exit 1) listing the shortfalls when a quota cannot be met and
 *   allowShortfall is off, or when even redistribution cannot fill the budget
 */
export function groupBounds(
  keys: readonly string[],
  sizes: readonly number[],
  budget: number,
  spec: ShareSpec,
  options: { allowShortfall?: boolean } = {},
): GroupBounds {
  const G = keys.length;
  if (spec.kind === 'minimum') {
    const shares = sharesByKey(keys, spec.shares, 'min-share');
    const total = shares.reduce((a, b) => a + b, 0);
    if (total > 1 + WHOLE_TOLERANCE)
      throw new UsageError(`--min-share: the shares sum to ${total}, more than 1`);
    const requested = shares.map((s) => Math.ceil(snap(s * budget)));
    const needed = requested.reduce((a, b) => a + b, 0);
    if (needed > budget) {
      throw new UsageError(
        `--min-share: the minimums need ${needed} items (each rounded up), more than the budget ${budget}`,
      );
    }
    const shortfalls = shortfallsOf(keys, sizes, requested);
    if (shortfalls.length > 0 && !options.allowShortfall) {
      throw new FairscopeError(shortfallMessage(shortfalls, budget));
    }
    return {
      lower: requested.map((r, g) => Math.min(r, sizes[g] as number)),
      upper: sizes.map((s) => Math.min(s, budget)),
      requested,
      shortfalls,
    };
  }
  const weights = spec.kind === 'equal' ? keys.map(() => 1) : sharesByKey(keys, spec.shares, 'shares');
  if (spec.kind === 'exact') {
    const total = weights.reduce((a, b) => a + b, 0);
    if (Math.abs(total - 1) > 1e-6) throw new UsageError(`--shares: the shares sum to ${total}, not 1`);
  }
  const requested = largestRemainder(weights, budget);
  const shortfalls = shortfallsOf(keys, sizes, requested);
  if (shortfalls.length > 0 && !options.allowShortfall)
    throw new FairscopeError(shortfallMessage(shortfalls, budget));
  // Redistribution: cap the groups that are too small and split the rest among the others.
  const quota = [...requested];
  const capped = new Array<boolean>(G).fill(false);
  for (;;) {
    const free = weights.map((w, g) => (w > 0 && !capped[g] ? w : 0));
    const remaining = budget - sizes.reduce((a, s, g) => (capped[g] ? a + s : a), 0);
    if (!free.some((w) => w > 0)) {
      if (remaining > 0) {
        const held = budget - remaining;
        throw new FairscopeError(
          `cannot fill the budget ${budget}: the groups with a share hold only ${held} items in all`,
        );
      }
      break;
    }
    const split = largestRemainder(free, remaining);
    const over = split.map((q, g) => q > (sizes[g] as number) && (free[g] as number) > 0);
    if (!over.some(Boolean)) {
      for (let g = 0; g < G; g++) quota[g] = capped[g] ? (sizes[g] as number) : (split[g] as number);
      break;
    }
    over.forEach((o, g) => {
      if (o) capped[g] = true;
    });
  }
  return { lower: quota, upper: [...quota], requested, shortfalls };
}

function shortfallsOf(
  keys: readonly string[],
  sizes: readonly number[],
  requested: readonly number[],
): Shortfall[] {
  const out: Shortfall[] = [];
  requested.forEach((r, g) => {
    const available = sizes[g] as number;
    if (r > available) out.push({ group: keys[g] as string, required: r, available, short: r - available });
  });
  return out;
}

/**
 * Which groups may receive the next pick, given bounds and the picks so far. A group is open while it
 * is under its upper bound and, once the remaining budget only just covers the outstanding minimums,
 * only while it is under its lower bound. Eligibility only ever closes, so strategies that walk a
 * fixed order can skip an item for good.
 */
export class QuotaTracker {
  /** (G + 1) 1 where group g - 1 is open; slot 0 (excluded items) is always 0. */
  readonly open: Uint8Array;
  readonly picked: number[];
  private total = 0;

  constructor(
    readonly lower: readonly number[],
    readonly upper: readonly number[],
    readonly budget: number,
  ) {
    this.open = new Uint8Array(lower.length + 1);
    this.picked = lower.map(() => 0);
    this.refresh();
  }

  /** No constraint: one group with bounds [0, budget]. */
  static unconstrained(budget: number): QuotaTracker {
    return new QuotaTracker([0], [budget], budget);
  }

  get done(): boolean {
    return this.total >= this.budget;
  }

  get count(): number {
    return this.total;
  }

  /** Records a pick in group g. */
  pick(g: number): void {
    this.picked[g] = (this.picked[g] as number) + 1;
    this.total++;
    this.refresh();
  }

  private refresh(): void {
    const remaining = this.budget - this.total;
    let deficit = 0;
    for (let g = 0; g < this.lower.length; g++)
      deficit += Math.max(0, (this.lower[g] as number) - (this.picked[g] as number));
    for (let g = 0; g < this.lower.length; g++) {
      const p = this.picked[g] as number;
      const open =
        remaining > 0 &&
        p < (this.upper[g] as number) &&
        (remaining > deficit || p < (this.lower[g] as number));
      this.open[g + 1] = open ? 1 : 0;
    }
  }
}
