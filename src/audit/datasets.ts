/**
 * Resolves the spec's datasets to items. A root dataset is a manifest file (given, or written by an
 * importer the audit runs); a derived dataset is a filtered subset of another. Embeddings are computed
 * once per root and model, and subsets select their rows by id.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';
import type { ManifestItem } from '../core/types.js';
import { loadImporter } from '../data/importers/registry.js';
import { readManifest, writeManifest } from '../data/manifest.js';
import type { AuditSpec, DatasetSpec } from './spec.js';

export interface ResolvedDataset {
  name: string;
  /** The root dataset whose manifest (and embeddings) the items come from. */
  root: string;
  /** The root's manifest file: item sources resolve against its folder. */
  manifestPath: string;
  items: ManifestItem[];
  credit?: string;
}

function matches(item: ManifestItem, spec: DatasetSpec): boolean {
  for (const [attr, want] of Object.entries(spec.where)) {
    const have = item.attrs[attr];
    if (have === undefined) return false;
    const wanted = Array.isArray(want) ? want : [want];
    if (!wanted.some((w) => String(w) === String(have))) return false;
  }
  if (spec.labels !== undefined && !item.labels.some((l) => spec.labels?.includes(l))) return false;
  return true;
}

async function importRoot(name: string, spec: DatasetSpec, outDir: string): Promise<string> {
  const imp = spec.import;
  if (imp === undefined) throw new Error('unreachable: importRoot without import');
  const dir = join(outDir, 'datasets', name);
  const manifest = join(dir, 'manifest.jsonl');
  // An import is cached by its manifest: delete the folder to import again.
  if (existsSync(manifest)) return manifest;
  const importer = await loadImporter(imp.format);
  const options = Object.fromEntries(
    Object.entries(imp.options).map(([k, v]) => [k, typeof v === 'number' ? String(v) : v]),
  );
  const result = await importer.import({ inputs: imp.inputs, outDir: dir, options });
  if (result.items.length === 0) {
    throw new UsageError(
      `datasets.${name}: the ${imp.format} importer produced no items (${result.skipped.length} skipped)`,
    );
  }
  await writeManifest(manifest, result.items);
  return manifest;
}

/** Resolves every dataset of the spec, roots first; subsets keep their root's order. */
export async function resolveDatasets(
  spec: AuditSpec,
  outDir: string,
): Promise<Map<string, ResolvedDataset>> {
  const out = new Map<string, ResolvedDataset>();
  const resolving = new Set<string>();
  const resolve = async (name: string): Promise<ResolvedDataset> => {
    const done = out.get(name);
    if (done !== undefined) return done;
    const ds = spec.datasets[name];
    if (ds === undefined) throw new UsageError(`no dataset "${name}"`);
    if (resolving.has(name))
      throw new UsageError(`datasets.${name}: "from" forms a cycle through ${[...resolving].join(' → ')}`);
    resolving.add(name);
    let resolved: ResolvedDataset;
    if (ds.from !== undefined) {
      const parent = await resolve(ds.from);
      const items = parent.items.filter((it) => matches(it, ds));
      if (items.length === 0) {
        throw new UsageError(
          `datasets.${name}: no item of "${ds.from}" matches ${JSON.stringify({ where: ds.where, labels: ds.labels })}`,
        );
      }
      resolved = {
        name,
        root: parent.root,
        manifestPath: parent.manifestPath,
        items,
        credit: ds.credit ?? parent.credit,
      };
    } else {
      const manifestPath = ds.manifest ?? (await importRoot(name, ds, outDir));
      const items = (await readManifest(manifestPath)).filter((it) => matches(it, ds));
      resolved = { name, root: name, manifestPath, items, credit: ds.credit };
    }
    resolving.delete(name);
    out.set(name, resolved);
    return resolved;
  };
  for (const name of Object.keys(spec.datasets)) await resolve(name);
  return out;
}
