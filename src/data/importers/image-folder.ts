/**
 * ImageNet-style class folders: `root/<class>/<image>`. The folder name is the class, unless
 * `--class-map FILE` maps folder names to class names: a JSON object of folder → class name or list
 * of class names (ImageNet-A/R/Sketch use wnid folders, ImageNet-V2 uses class indices). A class
 * folder that the map does not list is an error naming every such folder; map entries without a
 * folder are fine (ImageNet-A/R cover 200 of the 1000 classes).
 *
 * id: `<class folder>/<file name>`. No attrs, no cluster. Files that are not images and anything
 * outside a class folder are reported in `skipped`.
 */
import { extname, join } from 'node:path';
import { InputError } from '../../core/errors.js';
import type { ManifestItem } from '../../core/types.js';
import { listFolder, requireFolder, singleInput, stringOption, toSource } from './inputs.js';
import { parseJsonText, readInputText } from './json-list.js';
import type { Importer, ImportIssue, ImportOptions, ImportResult } from './types.js';

/** Image extensions sharp decodes, lowercased. */
const IMAGE_EXTENSIONS = new Set([
  '.jpg',
  '.jpeg',
  '.png',
  '.webp',
  '.gif',
  '.tif',
  '.tiff',
  '.avif',
  '.bmp',
]);

/** Reads a class map: folder name → one or more class names. */
export async function readClassMap(file: string): Promise<Map<string, string[]>> {
  const text = await readInputText(file);
  const parsed = parseJsonText(text, file);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new InputError(
      file,
      'a class map must be a JSON object of folder name -> class name or list of names',
    );
  }
  const map = new Map<string, string[]>();
  for (const [folder, value] of Object.entries(parsed as Record<string, unknown>)) {
    const names = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(names) || names.length === 0 || names.some((n) => typeof n !== 'string' || n === '')) {
      throw new InputError(
        file,
        `must be a class name or a non-empty list of names, got ${JSON.stringify(value)}`,
        {
          field: folder,
        },
      );
    }
    map.set(folder, names as string[]);
  }
  if (map.size === 0) throw new InputError(file, 'the class map is empty');
  return map;
}

async function importImageFolder(opts: ImportOptions): Promise<ImportResult> {
  const root = singleInput(opts, 'image-folder', 'the root folder of class folders');
  await requireFolder(root);
  const classMapFile = stringOption(opts, 'class-map');
  const classMap = classMapFile === undefined ? null : await readClassMap(classMapFile);
  const skipped: ImportIssue[] = [];
  const entries = await listFolder(root);
  const classFolders = entries.filter((e) => e.isDir && !e.name.startsWith('.')).map((e) => e.name);
  for (const e of entries) {
    if (!e.isDir && !e.name.startsWith('.'))
      skipped.push({ file: join(root, e.name), reason: 'not in a class folder' });
  }
  if (classFolders.length === 0)
    throw new InputError(root, 'no class folders (expected root/<class>/<image>)');
  if (classMap !== null) {
    const unmapped = classFolders.filter((f) => !classMap.has(f));
    if (unmapped.length > 0) {
      throw new InputError(
        classMapFile as string,
        `${unmapped.length} class folder(s) of ${root} are not in the class map: ${unmapped.join(', ')}`,
      );
    }
  }
  const items: ManifestItem[] = [];
  for (const folder of classFolders) {
    const labels = classMap?.get(folder) ?? [folder];
    for (const e of await listFolder(join(root, folder))) {
      if (e.name.startsWith('.')) continue;
      const path = join(root, folder, e.name);
      if (!e.isFile || !IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) {
        skipped.push({
          file: path,
          reason: e.isDir ? 'a folder inside a class folder' : 'not an image file (by extension)',
        });
        continue;
      }
      items.push({
        id: `${folder}/${e.name}`,
        source: toSource(opts.outDir, path),
        labels: [...labels],
        attrs: {},
      });
    }
  }
  return { items, skipped };
}

export const importer: Importer = {
  name: 'image-folder',
  summary: 'ImageNet-style class folders root/<class>/<image> (ImageNet-A/R/Sketch/V2 with --class-map)',
  optionsHelp: {
    'class-map': 'JSON object: folder name -> class name or list of class names (for wnid or index folders)',
  },
  import: importImageFolder,
};
