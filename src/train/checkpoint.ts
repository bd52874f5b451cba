import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../core/errors.js';
import { recoverFolder, writeFolderAtomic } from '../core/node/atomic-write.js';

/** What a checkpoint holds besides tensors. */
export interface CheckpointMeta {
  version: 1;
  /** stableHash of the training configuration that must match on resume. */
  configHash: string;
  /** Epochs completed. */
  epoch: number;
  /** Optimiser steps taken. */
  step: number;
  /** Free-form state (e.g. the last monitor values). */
  extra: Record<string, unknown>;
}

interface TensorEntry {
  name: string;
  shape: number[];
  /** Offset in float32 elements into weights.bin. */
  offset: number;
}

/** FNV-1a over the bytes: detects a truncated or altered weights file. */
function checksum(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i] as number;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Writes DIR/checkpoint/{meta.json, weights.bin} atomically and durably (writeFolderAtomic): a crash
 * at any point leaves the previous checkpoint or the new one, complete.
 * @param tensors float32 tensors by unique name
 */
export async function saveCheckpoint(
  runDir: string,
  meta: CheckpointMeta,
  tensors: Map<string, tf.Tensor>,
): Promise<void> {
  const entries: TensorEntry[] = [];
  let total = 0;
  for (const [name, t] of tensors) {
    entries.push({ name, shape: t.shape, offset: total });
    total += t.size;
  }
  const data = new Float32Array(total);
  for (const e of entries)
    data.set((await (tensors.get(e.name) as tf.Tensor).data()) as Float32Array, e.offset);
  const bytes = new Uint8Array(data.buffer);
  await writeFolderAtomic(join(runDir, 'checkpoint'), async (tmp) => {
    await writeFile(join(tmp, 'weights.bin'), bytes);
    await writeFile(
      join(tmp, 'meta.json'),
      `${JSON.stringify({ ...meta, tensors: entries, bytes: bytes.length, checksum: checksum(bytes) }, null, 1)}\n`,
    );
  });
}

/**
 * Reads DIR/checkpoint and checks it against what the run expects: the config hash and every
 * tensor's name and shape. Any problem is an InputError naming the file; nothing is modified.
 * @param expected shapes by name of the tensors the run will restore
 */
export async function loadCheckpoint(
  runDir: string,
  configHash: string,
  expected: Map<string, number[]>,
): Promise<{ meta: CheckpointMeta; tensors: Map<string, tf.Tensor> }> {
  const dir = join(runDir, 'checkpoint');
  await recoverFolder(dir);
  const metaPath = join(dir, 'meta.json');
  const binPath = join(dir, 'weights.bin');
  if (!existsSync(metaPath)) throw new InputError(metaPath, 'no checkpoint to resume from (file missing)');
  let raw: CheckpointMeta & { tensors: TensorEntry[]; bytes: number; checksum: string };
  try {
    raw = JSON.parse(await readFile(metaPath, 'utf8'));
  } catch (err) {
    throw new InputError(metaPath, `corrupt checkpoint metadata: ${(err as Error).message}`);
  }
  if (raw.version !== 1 || !Array.isArray(raw.tensors))
    throw new InputError(metaPath, `unsupported checkpoint format (version ${JSON.stringify(raw.version)})`, {
      field: 'version',
    });
  if (raw.configHash !== configHash)
    throw new InputError(
      metaPath,
      `checkpoint was written by a different configuration (hash ${raw.configHash}, this run ${configHash}); use another --out or the same options`,
      { field: 'configHash' },
    );
  const bytes = existsSync(binPath) ? new Uint8Array(await readFile(binPath)) : new Uint8Array(0);
  if (bytes.length !== raw.bytes || checksum(bytes) !== raw.checksum)
    throw new InputError(
      binPath,
      `corrupt checkpoint weights: ${bytes.length} bytes (expected ${raw.bytes}) or checksum mismatch`,
    );
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const names = new Set(raw.tensors.map((t) => t.name));
  for (const [name, shape] of expected) {
    const e = raw.tensors.find((t) => t.name === name);
    if (e === undefined)
      throw new InputError(metaPath, `checkpoint lacks tensor "${name}" of this model`, { field: 'tensors' });
    if (e.shape.join(',') !== shape.join(','))
      throw new InputError(
        metaPath,
        `tensor "${name}" has shape [${e.shape}] in the checkpoint, [${shape}] in this model`,
        {
          field: 'tensors',
        },
      );
  }
  const tensors = new Map<string, tf.Tensor>();
  for (const e of raw.tensors) {
    if (!names.has(e.name)) continue;
    const size = e.shape.reduce((a, b) => a * b, 1);
    tensors.set(e.name, tf.tensor(data.slice(e.offset, e.offset + size), e.shape));
  }
  return {
    meta: { version: 1, configHash: raw.configHash, epoch: raw.epoch, step: raw.step, extra: raw.extra },
    tensors,
  };
}
