/**
 * The dataset formats of `fairscope import`, as data: a frozen map from format name to a lazy loader
 * of the module that exports its `importer`. Loading is lazy so that `import utkface` never loads
 * sharp-heavy or package-heavy importers it does not need.
 */
import { FairscopeError, UsageError } from '../../core/errors.js';
import type { Importer } from './types.js';

export interface ImporterModule {
  importer: Importer;
}

type ImporterLoader = () => Promise<ImporterModule>;

// A variable specifier keeps this file type-checking whether or not emoji.ts (written by another
// module owner) is present; at run time it resolves relative to this file like a literal would.
const EMOJI_MODULE: string = './emoji.js';

export const IMPORTERS = Object.freeze({
  'casual-conversations': () => import('./casual-conversations.js'),
  utkface: () => import('./utkface.js'),
  miap: () => import('./miap.js'),
  'dollar-street': () => import('./dollar-street.js'),
  'image-folder': () => import('./image-folder.js'),
  fairface: () => import('./fairface.js'),
  'fashion-mnist': () => import('./fashion-mnist.js'),
  emoji: () => import(EMOJI_MODULE) as Promise<ImporterModule>,
} satisfies Record<string, ImporterLoader>);

export type ImporterName = keyof typeof IMPORTERS;

/** Format names in registry order. */
export const IMPORTER_NAMES: readonly ImporterName[] = Object.freeze(
  Object.keys(IMPORTERS) as ImporterName[],
);

export function isImporterName(name: string): name is ImporterName {
  return Object.hasOwn(IMPORTERS, name);
}

/**
 * Loads the importer of a format. An unknown name is a usage error listing the formats; a module
 * that cannot be loaded is reported as an unavailable format.
 */
export async function loadImporter(name: string): Promise<Importer> {
  if (!isImporterName(name)) {
    throw new UsageError(`unknown format "${name}"; formats are: ${IMPORTER_NAMES.join(', ')}`);
  }
  let mod: ImporterModule;
  try {
    mod = await IMPORTERS[name]();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') {
      throw new FairscopeError(`format "${name}" is not available: ${(err as Error).message}`);
    }
    throw err;
  }
  if (mod.importer?.name !== name) {
    throw new FairscopeError(`the module of format "${name}" exports importer "${mod.importer?.name}"`);
  }
  return mod.importer;
}
