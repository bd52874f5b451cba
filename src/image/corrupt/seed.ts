/** Per-item seeds: a corrupted item depends only on (seed, item id), never on its position in a run. */
import { sha256Bytes } from '../../core/hash.js';

/** A 32-bit seed from the run's seed and an item id (first 4 bytes of SHA-256 of "seed\0id", little-endian). */
export function itemSeed(seed: number, id: string): number {
  const b = sha256Bytes(`${seed}\u0000${id}`);
  return (
    ((b[0] as number) | ((b[1] as number) << 8) | ((b[2] as number) << 16) | ((b[3] as number) << 24)) >>> 0
  );
}
