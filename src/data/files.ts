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

/**
 * A class list from parsed JSON: a list of names, or vissl's label-to-index map
 * ({"name": index}, the shape of imagenet_to_idx_labels_map.json), ordered by index.
 * @throws InputError naming the file: indices that are not 0..C-1 each once, or another shape
 */
export function classListOfJson(raw: unknown, file: string): string[] {
  if (Array.isArray(raw) && raw.every((x) => typeof x === 'string' && x !== '')) return raw as string[];
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(file, 'a class list must be a list of names or a {name: index} map');
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  const names = new Array<string | undefined>(entries.length);
  for (const [name, index] of entries) {
    if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= entries.length) {
      throw new InputError(file, `index ${JSON.stringify(index)} is not in 0..${entries.length - 1}`, {
        field: name,
      });
    }
    if (names[index as number] !== undefined) {
      throw new InputError(file, `index ${index} is given to "${names[index as number]}" and "${name}"`, {
        field: name,
      });
    }
    names[index as number] = name;
  }
  return names as string[];
}

/**
 * Reads a class list: a text file of one name per line (blank lines and lines starting with # are
 * skipped), or a .json list of names or label-to-index map (classListOfJson).
 */
export async function readClassList(path: string): Promise<string[]> {
  if (path.endsWith('.json')) return classListOfJson(await readJsonFile(path, 'class list'), path);
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
