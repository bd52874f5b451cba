/** Reading taxonomies from files: the built-in ones (data/taxonomies/*.json) by name, or a user's file. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FairscopeError, InputError } from '../../core/errors.js';
import { BUILTIN_TAXONOMIES, parseTaxonomy, type Taxonomy } from '../taxonomy.js';

/** Absolute path of data/taxonomies/<name>.json, searched upwards from this module (source or build). */
export function builtinTaxonomyPath(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 6; up++) {
    const candidate = join(dir, 'data', 'taxonomies', `${name}.json`);
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new FairscopeError(
    `data file data/taxonomies/${name}.json not found above ${fileURLToPath(import.meta.url)}`,
  );
}

/** Loads a built-in taxonomy by name (casual-conversations, miap) or a user file by path. */
export async function loadTaxonomy(nameOrPath: string): Promise<Taxonomy> {
  const file = (BUILTIN_TAXONOMIES as readonly string[]).includes(nameOrPath)
    ? builtinTaxonomyPath(nameOrPath)
    : nameOrPath;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(
      file,
      `cannot read taxonomy (${(err as Error).message}); built-in taxonomies are: ${BUILTIN_TAXONOMIES.join(', ')}`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new InputError(file, `invalid JSON: ${(err as Error).message}`);
  }
  return parseTaxonomy(raw, file);
}
