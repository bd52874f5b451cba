/**
 * Reading the Dollar Street images list (`--images-list`, the stage's `imagesList`): vissl's
 * `dollarstreet_in22k_cls_overlapped_images.npy` (a 1-D string array of image paths) or a text file
 * of paths or item ids, one per line (blank lines and lines starting with # skipped).
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import { readNpyStrings } from '../../models/npy.js';
import type { ImagesList } from '../geographic-units.js';

/**
 * Reads an images list.
 * @throws InputError naming the file: unreadable, not a string array, or empty
 */
export async function readImagesList(file: string): Promise<ImagesList> {
  let ids: string[];
  if (file.endsWith('.npy')) {
    try {
      ids = (await readNpyStrings(file)).map((s) => s.trim());
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw new InputError(file, `cannot read images list: ${(err as Error).message}`);
    }
  } else {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new InputError(file, `cannot read images list: ${(err as Error).message}`);
    }
    ids = text.split('\n').map((l) => l.trim());
  }
  ids = ids.filter((l) => l !== '' && !l.startsWith('#'));
  if (ids.length === 0)
    throw new InputError(file, 'the images list is empty (one path or item id per entry)');
  return { ids, file };
}
