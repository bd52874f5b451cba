/**
 * Part files: each finished batch of `fairscope embed` is written at once to
 * DIR/parts/part-<hash of its ids>.arrow (Arrow IPC, temporary name then rename), so a killed run
 * loses at most the batches in flight and a re-run skips every item already in a part.
 * DIR/parts/run.json records the key (model, preprocess) the parts were computed with.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import * as arrow from 'apache-arrow';
import { stableHash } from '../core/hash.js';
import { type EmbeddingRows, rowsToTable, tableToRows } from './columns.js';
import { writeAtomic } from './store.js';

export const PARTS_DIR = 'parts';
export const RUN_FILE = 'run.json';

/** What must match for stored embeddings to be reused. */
export interface StoreKey {
  modelId: string;
  preprocessHash: string;
  dim: number;
  /** Logits width (0 without logits). */
  logitsDim: number;
}

export function partsDir(dir: string): string {
  return join(dir, PARTS_DIR);
}

/** Writes one batch's rows as a part file; returns its path. */
export async function writePart(dir: string, rows: EmbeddingRows): Promise<string> {
  await mkdir(partsDir(dir), { recursive: true });
  const path = join(partsDir(dir), `part-${stableHash(rows.ids)}.arrow`);
  await writeAtomic(path, arrow.tableToIPC(rowsToTable(rows), 'file'));
  return path;
}

/** Paths of the finished part files (temporary files of an interrupted write are not listed). */
export async function listParts(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(partsDir(dir));
  } catch {
    return [];
  }
  return names
    .filter((n) => /^part-[0-9a-f]+\.arrow$/.test(n))
    .sort()
    .map((n) => join(partsDir(dir), n));
}

export async function readPart(path: string): Promise<EmbeddingRows> {
  return tableToRows(arrow.tableFromIPC(await readFile(path)), path);
}

/** Reads DIR/parts/run.json, or null when there is none. */
export async function readRunKey(dir: string): Promise<StoreKey | null> {
  try {
    return JSON.parse(await readFile(join(partsDir(dir), RUN_FILE), 'utf8')) as StoreKey;
  } catch {
    return null;
  }
}

export async function writeRunKey(dir: string, key: StoreKey): Promise<void> {
  await mkdir(partsDir(dir), { recursive: true });
  await writeAtomic(join(partsDir(dir), RUN_FILE), `${JSON.stringify(key, null, 2)}\n`);
}

export async function removeParts(dir: string): Promise<void> {
  await rm(partsDir(dir), { recursive: true, force: true });
}
