/**
 * What every importer needs around its format: checking the positional inputs and options, listing
 * folders, checking that image files exist, and writing sources relative to the manifest's folder.
 */
import { readdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { InputError, UsageError } from '../../core/errors.js';
import type { ImportOptions } from './types.js';

/** The single input of an importer that takes exactly one, or a usage error. */
export function singleInput(opts: ImportOptions, format: string, what: string): string {
  if (opts.inputs.length !== 1) {
    throw new UsageError(`${format} takes exactly one input (${what}), got ${opts.inputs.length}`);
  }
  return resolve(opts.inputs[0]);
}

/** A string option (`--key value`), or undefined. A bare `--key` is a usage error. */
export function stringOption(opts: ImportOptions, name: string): string | undefined {
  const v = opts.options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v === '') throw new UsageError(`--${name} needs a value`);
  return v;
}

/** A boolean flag option (`--key`). */
export function flagOption(opts: ImportOptions, name: string): boolean {
  const v = opts.options[name];
  return v === true || v === 'true';
}

/** A positive integer option, or undefined. */
export function positiveIntOption(opts: ImportOptions, name: string): number | undefined {
  const v = stringOption(opts, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive integer, got "${v}"`);
  return n;
}

/** A folder option resolved to an absolute path, or the fallback. The folder must exist. */
export async function folderOption(opts: ImportOptions, name: string, fallback: string): Promise<string> {
  const given = stringOption(opts, name);
  const dir = resolve(given ?? fallback);
  await requireFolder(dir, given === undefined ? undefined : `--${name}`);
  return dir;
}

/** Throws an InputError unless `dir` is an existing folder. */
export async function requireFolder(dir: string, what?: string): Promise<void> {
  let isDir = false;
  try {
    isDir = (await stat(dir)).isDirectory();
  } catch {
    throw new InputError(dir, `${what === undefined ? 'folder' : `${what} folder`} does not exist`);
  }
  if (!isDir) throw new InputError(dir, `${what === undefined ? 'expected' : `${what}: expected`} a folder`);
}

/** Entries of a folder, sorted by name (code-point order, so runs are deterministic everywhere). */
export async function listFolder(dir: string): Promise<{ name: string; isDir: boolean; isFile: boolean }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .map((e) => ({ name: e.name, isDir: e.isDirectory(), isFile: e.isFile() }))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Whether each path is an existing regular file; checked `concurrency` at a time. */
export async function filesExist(paths: readonly string[], concurrency = 32): Promise<boolean[]> {
  const out = new Array<boolean>(paths.length).fill(false);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const k = next++;
      try {
        out[k] = (await stat(paths[k])).isFile();
      } catch {
        out[k] = false;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  return out;
}

/** A manifest source for an absolute image path: relative to the manifest's folder, with '/' separators. */
export function toSource(outDir: string, absPath: string): string {
  const rel = relative(resolve(outDir), absPath);
  if (rel === '' || isAbsolute(rel)) return absPath;
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** An image path from the metadata: absolute as is, relative to `root` otherwise. */
export function resolveFrom(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

/** The folder of an input file (the default root for paths it lists). */
export function folderOf(file: string): string {
  return dirname(resolve(file));
}
