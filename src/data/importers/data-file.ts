/**
 * Taxonomies and label maps of the importers live in data/importers/*.json (never in code). This
 * finds that folder from the module's own location, from source (src/data/importers) or from a build
 * (dist/src/data/importers), and validates the file against its schema.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { FairscopeError } from '../../core/errors.js';

const cache = new Map<string, unknown>();

/** Absolute path of data/importers/<name>, searched upwards from this module. */
export function importerDataPath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'data', 'importers', name);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new FairscopeError(
    `data file data/importers/${name} not found above ${fileURLToPath(import.meta.url)}`,
  );
}

/** Reads and validates data/importers/<name> (cached). */
export async function loadImporterData<T>(name: string, schema: z.ZodType<T>): Promise<T> {
  const hit = cache.get(name);
  if (hit !== undefined) return hit as T;
  const path = importerDataPath(name);
  const parsed = schema.safeParse(JSON.parse(await readFile(path, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FairscopeError(`${path}: field "${issue.path.join('.')}" ${issue.message}`);
  }
  cache.set(name, parsed.data);
  return parsed.data;
}
