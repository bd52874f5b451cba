/**
 * `--shard i/n`: which items one process of a fan-out embeds. An item belongs to shard
 * (first 32 bits of SHA-256(id)) mod n, so the split depends only on ids: adding or reordering
 * manifest lines never moves an item to another shard, and the n shards partition the manifest.
 * Shards are numbered from 0 (Kubernetes' JOB_COMPLETION_INDEX; with Slurm use $SLURM_ARRAY_TASK_ID
 * over an array 0..n-1).
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';

export interface Shard {
  index: number;
  count: number;
}

/** Parses "i/n" with 0 <= i < n. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index >= count) {
    throw new UsageError(`--shard must be i/n with 0 <= i < n (shards count from 0), got "${text}"`);
  }
  return { index, count };
}

/** The shard (0..count-1) of an item id. */
export function shardOfId(id: string, count: number): number {
  return createHash('sha256').update(id).digest().readUInt32BE(0) % count;
}

/** True when the id belongs to the shard (always true without one). */
export function inShard(id: string, shard: Shard | undefined): boolean {
  return shard === undefined || shard.count === 1 || shardOfId(id, shard.count) === shard.index;
}
