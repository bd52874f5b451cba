/** Per-item seeds: a corrupted item depends only on (seed, item id), never on its position in a run. */
import { createHash } from 'node:crypto';

/** A 32-bit seed from the run's seed and an item id (first 4 bytes of SHA-256 of "seed\0id"). */
export function itemSeed(seed: number, id: string): number {
  return createHash('sha256').update(`${seed}\u0000${id}`).digest().readUInt32LE(0);
}
