/**
 * Seeded random selections of a fixed size from a candidate pool: the baseline a curated selection
 * is compared with (a probe trained on each). Draw d uses the d-th child stream of Rng(seed), so the
 * first draws are the same whatever the number of draws.
 */
import { Rng } from '../core/rng.js';

/**
 * @param candidates item indices that may be drawn (e.g. those left after removing duplicates)
 * @param size items per draw (at most candidates.length)
 * @returns `draws` selections, each `size` distinct candidates in ascending order
 */
export function randomDraws(
  candidates: readonly number[],
  size: number,
  draws: number,
  seed: number,
): number[][] {
  if (!Number.isInteger(size) || size < 0 || size > candidates.length) {
    throw new RangeError(`randomDraws: size ${size} must be an integer in [0, ${candidates.length}]`);
  }
  if (!Number.isInteger(draws) || draws < 0) {
    throw new RangeError(`randomDraws: draws must be a non-negative integer, got ${draws}`);
  }
  const rng = new Rng(seed);
  return Array.from({ length: draws }, () =>
    rng
      .fork()
      .shuffle([...candidates])
      .slice(0, size)
      .sort((a, b) => a - b),
  );
}
