/**
 * UTKFace (protocols.md 1.3): folders of `[age]_[gender]_[race]_[datetime].jpg` images (the aligned
 * and cropped release adds `.chip.jpg`). Labels come from the file name only; a name that does not
 * fit the pattern or has an unknown code is reported in `skipped`, never guessed.
 *
 * attrs: gender (male/female), race (white/black/asian/indian/others), age (number). No cluster.
 * id: the file name. Sub-folders (part1/part2/part3) are walked, in name order.
 */
import { basename, join, resolve } from 'node:path';
import { z } from 'zod';
import { InputError, UsageError } from '../../core/errors.js';
import type { ManifestItem } from '../../core/types.js';
import { loadImporterData } from './data-file.js';
import { listFolder, requireFolder, toSource } from './inputs.js';
import type { Importer, ImportIssue, ImportOptions, ImportResult } from './types.js';

const TaxonomySchema = z.object({ gender: z.record(z.string()), race: z.record(z.string()) });
export type UtkTaxonomy = z.infer<typeof TaxonomySchema>;

const NAME = /^(\d+)_(\d+)_(\d+)_(\d+)\.jpg(\.chip\.jpg)?$/i;

/** The parsed labels of a UTKFace file name, or the reason it cannot be parsed. */
export function parseUtkName(
  name: string,
  tax: UtkTaxonomy,
): { age: number; gender: string; race: string } | { reason: string } {
  if (!/\.jpg$/i.test(name)) return { reason: 'not a .jpg file' };
  const m = NAME.exec(name);
  if (m === null) {
    return {
      reason: 'file name does not match [age]_[gender]_[race]_[datetime].jpg (four "_"-separated numbers)',
    };
  }
  const [, age, genderCode, raceCode] = m;
  const gender = tax.gender[String(Number(genderCode))];
  if (gender === undefined) {
    return { reason: `gender code ${genderCode} is not one of ${codes(tax.gender)}` };
  }
  const race = tax.race[String(Number(raceCode))];
  if (race === undefined) return { reason: `race code ${raceCode} is not one of ${codes(tax.race)}` };
  return { age: Number(age), gender, race };
}

function codes(map: Record<string, string>): string {
  return Object.entries(map)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

async function walk(dir: string, out: string[]): Promise<void> {
  for (const e of await listFolder(dir)) {
    if (e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDir) await walk(full, out);
    else if (e.isFile) out.push(full);
  }
}

async function importUtkFace(opts: ImportOptions): Promise<ImportResult> {
  if (opts.inputs.length === 0) throw new UsageError('utkface needs at least one image folder');
  const tax = await loadImporterData('utkface.json', TaxonomySchema);
  const items: ManifestItem[] = [];
  const skipped: ImportIssue[] = [];
  const firstPath = new Map<string, string>();
  for (const input of opts.inputs.map((p) => resolve(p))) {
    await requireFolder(input);
    const files: string[] = [];
    await walk(input, files);
    for (const path of files) {
      const name = basename(path);
      const parsed = parseUtkName(name, tax);
      if ('reason' in parsed) {
        skipped.push({ file: path, reason: parsed.reason });
        continue;
      }
      const first = firstPath.get(name);
      if (first !== undefined) {
        skipped.push({ file: path, reason: `same file name as ${first} (ids are file names)` });
        continue;
      }
      firstPath.set(name, path);
      items.push({
        id: name,
        source: toSource(opts.outDir, path),
        labels: [],
        attrs: { gender: parsed.gender, race: parsed.race, age: parsed.age },
      });
    }
  }
  if (items.length === 0 && skipped.length === 0) {
    throw new InputError(opts.inputs.join(', '), 'no files found (expected UTKFace .jpg images)');
  }
  return { items, skipped };
}

export const importer: Importer = {
  name: 'utkface',
  summary: 'UTKFace image folders named [age]_[gender]_[race]_[datetime].jpg',
  optionsHelp: {},
  import: importUtkFace,
};
