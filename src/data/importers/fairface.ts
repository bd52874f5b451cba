/**
 * FairFace label CSV (`file,age,gender,race[,service_test]`, e.g. fairface_label_val.csv) with the
 * dataset's root folder (`--root`, default the CSV's folder), which holds the `file` paths
 * (`val/1.jpg`). Values outside the published taxonomy are reported in `skipped`.
 *
 * attrs: gender (male/female), age (the published bucket, e.g. "20-29"), race (as published, e.g.
 * "East Asian"), service_test ("true"/"false", when the column exists). id: the `file` value.
 */
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import type { AttrValue, ManifestItem } from '../../core/types.js';
import { readCsv } from './csv.js';
import { loadImporterData } from './data-file.js';
import { filesExist, folderOf, folderOption, resolveFrom, singleInput, toSource } from './inputs.js';
import type { Importer, ImportIssue, ImportOptions, ImportResult } from './types.js';

const TaxonomySchema = z.object({
  gender: z.record(z.string()),
  race: z.array(z.string()).nonempty(),
  age: z.array(z.string()).nonempty(),
});

async function importFairFace(opts: ImportOptions): Promise<ImportResult> {
  const file = singleInput(opts, 'fairface', 'the label CSV');
  const tax = await loadImporterData('fairface.json', TaxonomySchema);
  const rows = await readCsv(file, ['file', 'age', 'gender', 'race']);
  const root = await folderOption(opts, 'root', folderOf(file));
  const skipped: ImportIssue[] = [];
  const candidates: { item: ManifestItem; path: string; line: number }[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const { file: rel, age, gender: rawGender, race } = row.cells;
    if (rel.trim() === '') throw new InputError(file, 'empty file name', { line: row.line, field: 'file' });
    const skip = (field: string, reason: string) => skipped.push({ file, line: row.line, field, reason });
    const gender = tax.gender[rawGender];
    if (gender === undefined) {
      skip(
        'gender',
        `unknown gender ${JSON.stringify(rawGender)}; expected ${Object.keys(tax.gender).join(', ')}`,
      );
      continue;
    }
    if (!tax.age.includes(age)) {
      skip('age', `unknown age ${JSON.stringify(age)}; expected ${tax.age.join(', ')}`);
      continue;
    }
    if (!tax.race.includes(race)) {
      skip('race', `unknown race ${JSON.stringify(race)}; expected ${tax.race.join(', ')}`);
      continue;
    }
    const first = seen.get(rel);
    if (first !== undefined) {
      skip('file', `file listed again (first on line ${first})`);
      continue;
    }
    seen.set(rel, row.line);
    const attrs: Record<string, AttrValue> = { gender, age, race };
    const service = row.cells.service_test;
    if (service !== undefined) {
      const s = service.trim().toLowerCase();
      if (s !== 'true' && s !== 'false') {
        skip('service_test', `service_test must be True or False, got ${JSON.stringify(service)}`);
        continue;
      }
      attrs.service_test = s;
    }
    const path = resolveFrom(root, rel);
    candidates.push({
      item: { id: rel, source: toSource(opts.outDir, path), labels: [], attrs },
      path,
      line: row.line,
    });
  }
  const exists = await filesExist(candidates.map((c) => c.path));
  const items: ManifestItem[] = [];
  candidates.forEach((c, k) => {
    if (exists[k]) items.push(c.item);
    else skipped.push({ file, line: c.line, field: 'file', reason: `image file not found: ${c.path}` });
  });
  skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { items, skipped };
}

export const importer: Importer = {
  name: 'fairface',
  summary: 'FairFace label CSV (file,age,gender,race[,service_test]) with its root folder',
  optionsHelp: { root: 'folder the `file` paths are relative to (default: the CSV’s folder)' },
  import: importFairFace,
};
