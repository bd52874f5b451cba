/**
 * The one reader and the one writer of results.json files. Every command that writes results, and
 * the audit, saves through saveResults: a run replaces the rows it recomputes and keeps the others
 * (mergeResults), and what is written always passes the reader's validation (parseResults), so
 * `report`, `compare` and `gate` accept the file after any number of re-runs.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { InputError } from '../../core/errors.js';
import {
  emptyResults,
  mergeResults,
  type ResultsFile,
  type ResultsUpdate,
  resultsJson,
} from '../../core/results.js';
import { parseResults } from '../schema.js';

/**
 * Reads and validates a results.json file (a version-1 file is upgraded).
 * @throws InputError naming the file (and the field, for schema errors)
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

/**
 * Writes a results file atomically (temporary file, then rename), after checking that it passes
 * the reader's validation.
 * @throws InputError when `path` is a folder; Error when the results would not validate (a bug)
 */
export async function writeResultsFile(path: string, results: ResultsFile): Promise<void> {
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new InputError(path, 'is a folder; give the path of a results file (e.g. results.json)');
  }
  const text = resultsJson(results);
  // What is written must be readable: the same validation as `report`, `compare` and `gate`.
  parseResults(JSON.parse(text), path);
  await mkdir(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, text);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Saves a run's results to `path`: with `merge`, into the file already there (a run replaces the
 * rows it recomputes and keeps the others, see mergeResults); without, as a new file.
 * @returns the file as written
 */
export async function saveResults(
  path: string,
  update: ResultsUpdate,
  options: { merge: boolean },
): Promise<ResultsFile> {
  const base = options.merge && existsSync(path) ? await loadResults(path) : emptyResults();
  const results = mergeResults(base, update);
  await writeResultsFile(path, results);
  return results;
}
