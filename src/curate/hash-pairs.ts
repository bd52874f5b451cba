/**
 * Pairs of 64-bit hashes within a Hamming distance t, without comparing all pairs: multi-index
 * hashing [0]. The 64 bits are cut into t + 1 chunks; two hashes within distance t agree exactly on
 * at least one chunk (pigeonhole), so only hashes sharing a chunk value are compared. Identical
 * hashes are grouped first, so a flood of equal hashes (blank images) costs O(n), not O(n²).
 *
 * [0] Norouzi, Punjani & Fleet, "Fast Search in Hamming Space with Multi-Index Hashing", CVPR 2012.
 */
import { hammingDistance, type ImageHashes } from './phash.js';

/** Largest distance accepted (beyond it the chunks get too short to prune anything). */
export const MAX_HASH_DISTANCE = 16;

/** (t + 1) chunk boundaries over 64 bits, as [start, length]. */
function chunks(t: number): [number, number][] {
  const m = t + 1;
  const out: [number, number][] = [];
  let start = 0;
  for (let c = 0; c < m; c++) {
    const len = Math.floor(64 / m) + (c < 64 % m ? 1 : 0);
    out.push([start, len]);
    start += len;
  }
  return out;
}

/** Bits [start, start + len) of the 64-bit value hi:lo (bit 0 = most significant), len <= 32. */
function bitsOf(hi: number, lo: number, start: number, len: number): number {
  const big = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  return Number((big >> BigInt(64 - start - len)) & ((1n << BigInt(len)) - 1n));
}

function checkDistance(t: number): void {
  if (!Number.isInteger(t) || t < 0 || t > MAX_HASH_DISTANCE) {
    throw new RangeError(`hash distance must be an integer in [0, ${MAX_HASH_DISTANCE}], got ${t}`);
  }
}

/** A pair of items (i < j) and the Hamming distance of their hashes. */
export type HashPair = [i: number, j: number, distance: number];

/**
 * Pairs of valid hashes within distance t. Items with identical hashes are linked to the first of
 * them (i, j, 0) rather than pairwise; every other close pair appears once.
 * @returns pairs sorted by (i, j)
 */
export function nearHashPairs(hashes: ImageHashes, t: number): HashPair[] {
  checkDistance(t);
  const n = hashes.valid.length;
  const pairs: HashPair[] = [];
  // Identical hashes: link to the first; compare only the first of each.
  const firstOf = new Map<string, number>();
  const uniques: number[] = [];
  for (let i = 0; i < n; i++) {
    if (hashes.valid[i] !== 1) continue;
    const key = `${hashes.hi[i]}:${hashes.lo[i]}`;
    const first = firstOf.get(key);
    if (first === undefined) {
      firstOf.set(key, i);
      uniques.push(i);
    } else pairs.push([first, i, 0]);
  }
  if (t > 0) {
    const parts = chunks(t);
    const keys = parts.map(([s, l]) =>
      uniques.map((i) => bitsOf(hashes.hi[i] as number, hashes.lo[i] as number, s, l)),
    );
    parts.forEach((_, c) => {
      const buckets = new Map<number, number[]>();
      (keys[c] as number[]).forEach((v, u) => {
        const b = buckets.get(v);
        if (b === undefined) buckets.set(v, [u]);
        else b.push(u);
      });
      for (const members of buckets.values()) {
        for (let x = 0; x < members.length; x++) {
          for (let y = x + 1; y < members.length; y++) {
            const ua = members[x] as number;
            const ub = members[y] as number;
            // counted in the first chunk the two agree on
            let earlier = false;
            for (let c2 = 0; c2 < c && !earlier; c2++)
              earlier = (keys[c2] as number[])[ua] === (keys[c2] as number[])[ub];
            if (earlier) continue;
            const a = uniques[ua] as number;
            const b = uniques[ub] as number;
            const d = hammingDistance(
              hashes.hi[a] as number,
              hashes.lo[a] as number,
              hashes.hi[b] as number,
              hashes.lo[b] as number,
            );
            if (d <= t) pairs.push([Math.min(a, b), Math.max(a, b), d]);
          }
        }
      }
    });
  }
  return pairs.sort((p, q) => p[0] - q[0] || p[1] - q[1]);
}

/**
 * For each query hash, the closest database hash within distance t (ties to the lower database
 * index), or -1.
 * @returns match (nQueries) database indices and distance (nQueries), -1 where none
 */
export function nearestHashMatches(
  queries: ImageHashes,
  database: ImageHashes,
  t: number,
): { match: Int32Array; distance: Int32Array } {
  checkDistance(t);
  const nq = queries.valid.length;
  const match = new Int32Array(nq).fill(-1);
  const distance = new Int32Array(nq).fill(-1);
  const parts = chunks(t);
  const indexes = parts.map(([s, l]) => {
    const buckets = new Map<number, number[]>();
    for (let j = 0; j < database.valid.length; j++) {
      if (database.valid[j] !== 1) continue;
      const v = bitsOf(database.hi[j] as number, database.lo[j] as number, s, l);
      const b = buckets.get(v);
      if (b === undefined) buckets.set(v, [j]);
      else b.push(j);
    }
    return buckets;
  });
  for (let q = 0; q < nq; q++) {
    if (queries.valid[q] !== 1) continue;
    const qh = queries.hi[q] as number;
    const ql = queries.lo[q] as number;
    let best = -1;
    let bestD = t + 1;
    parts.forEach(([s, l], c) => {
      for (const j of (indexes[c] as Map<number, number[]>).get(bitsOf(qh, ql, s, l)) ?? []) {
        const d = hammingDistance(qh, ql, database.hi[j] as number, database.lo[j] as number);
        if (d < bestD || (d === bestD && j < best)) {
          bestD = d;
          best = j;
        }
      }
    });
    if (best >= 0) {
      match[q] = best;
      distance[q] = bestD;
    }
  }
  return { match, distance };
}
