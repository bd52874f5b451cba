/**
 * Small side files the stages take besides manifests and stores: JSON maps (label names, concept
 * maps, label maps, baseline errors) and class lists (one name per line). Errors name the file.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../core/errors.js';

/** Reads and parses a JSON file; `what` names it in errors ("label-name map"). */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(path, `cannot read ${what}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(path, `${what}: invalid JSON: ${(err as Error).message}`);
  }
}

/** Reads a class list: one name per line; blank lines and lines starting with # are skipped. */
export async function readClassList(path: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(path, `cannot read class list: ${(err as Error).message}`);
  }
  const classes = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (classes.length === 0) throw new InputError(path, 'the class list is empty (one class name per line)');
  return classes;
}
