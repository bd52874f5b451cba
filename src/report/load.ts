import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';
import type { ResultsFile } from '../core/results.js';
import { parseResults } from './schema.js';

/**
 * Reads and validates a results.json file.
 * @throws InputError naming the file (and the field, for schema errors).
 */
export async function loadResults(path: string): Promise<ResultsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(path, `cannot read results: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new InputError(path, `not valid JSON: ${(err as Error).message}`);
  }
  return parseResults(data, path);
}
