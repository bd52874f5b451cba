/**
 * Casual Conversations v1 (protocols.md 1.1): the metadata JSON list
 * `[{"age":"20","gender":"Female","img_path":...,"skin-type":"5","subject_id":"1"}, ...]` of face
 * crops, one per video.
 *
 * attrs: gender (lowercased, one of male/female/other/n/a), age (number, when it parses), age_bucket
 * (<18, 18-30, 30-45, 45-70, 70+, or unknown), skin_type (number, when it parses), skintone
 * (lighter 1-3, darker 4-6, else unknown), gender_skintone (`${gender}_${skintone}`).
 * cluster: subject_id. id: the video key of protocols.md 9.11.
 */
import { z } from 'zod';
import type { AttrValue, ManifestItem } from '../../core/types.js';
import { loadImporterData } from './data-file.js';
import { filesExist, folderOf, folderOption, resolveFrom, singleInput, toSource } from './inputs.js';
import { anyField, readJsonList, stringField } from './json-list.js';
import type { Importer, ImportIssue, ImportOptions, ImportResult } from './types.js';

const TaxonomySchema = z.object({
  genders: z.array(z.string()).nonempty(),
  ageBuckets: z
    .array(z.object({ name: z.string(), from: z.number().optional(), below: z.number().optional() }))
    .nonempty(),
  ageUnknown: z.string(),
  skinTones: z.record(z.string()),
  skinToneUnknown: z.string(),
});
export type CasualConversationsTaxonomy = z.infer<typeof TaxonomySchema>;

export function loadTaxonomy(): Promise<CasualConversationsTaxonomy> {
  return loadImporterData('casual-conversations.json', TaxonomySchema);
}

/**
 * Python's `int(x)` on a JSON value, as the vissl scripts apply it to age and skin type: integers and
 * integer strings (surrounding spaces, a sign, `_` between digits) parse; floats truncate toward
 * zero; anything else is null (the scripts' `except` branch).
 */
export function pythonInt(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) + 0 : null; // + 0: no -0
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value !== 'string') return null;
  const s = value.trim();
  if (!/^[+-]?\d+(_\d+)*$/.test(s)) return null;
  return Number.parseInt(s.replaceAll('_', ''), 10);
}

/** The age bucket of an age (get_cc_age_bucket): first bucket with from <= age < below. */
export function ageBucket(age: number | null, tax: CasualConversationsTaxonomy): string {
  if (age === null) return tax.ageUnknown;
  for (const b of tax.ageBuckets) {
    if ((b.from === undefined || age >= b.from) && (b.below === undefined || age < b.below)) return b.name;
  }
  return tax.ageUnknown;
}

/** The skin tone group of a Fitzpatrick type (get_cc_skintone_name). */
export function skinTone(type: number | null, tax: CasualConversationsTaxonomy): string {
  if (type === null) return tax.skinToneUnknown;
  return tax.skinTones[String(type)] ?? tax.skinToneUnknown;
}

/**
 * The video key of an image path, as the vissl scripts build it (protocols.md 9.11): the last three
 * path components with the final `_<frame>` suffix removed. When the file name itself has no `_`
 * the formula would strip a folder name (or give ''), so the key is then the last three components
 * without the extension: one crop per file.
 */
export function videoKey(imgPath: string): string {
  const parts = imgPath.split('/');
  const last3 = parts.slice(-3).join('/');
  const fileName = parts[parts.length - 1];
  if (fileName.includes('_')) return last3.split('_').slice(0, -1).join('_');
  const dot = last3.lastIndexOf('.');
  return dot > last3.lastIndexOf('/') ? last3.slice(0, dot) : last3;
}

async function importCasualConversations(opts: ImportOptions): Promise<ImportResult> {
  const file = singleInput(opts, 'casual-conversations', 'the metadata JSON list');
  const tax = await loadTaxonomy();
  const records = await readJsonList(file);
  const root = await folderOption(opts, 'root', folderOf(file));
  const skipped: ImportIssue[] = [];
  const candidates: { item: ManifestItem; path: string; line: number }[] = [];
  // vissl keys its metadata by video (a dict): a later crop of a video replaces the earlier one,
  // which keeps its place (dict order is first insertion).
  const candidateOfKey = new Map<string, number>();
  const unexpectedGenders = new Map<string, number>();

  for (const rec of records) {
    const imgPath = stringField(rec, 'img_path');
    const subject = stringField(rec, 'subject_id');
    const rawGender = stringField(rec, 'gender');
    const rawAge = anyField(rec, 'age');
    const rawSkin = anyField(rec, 'skin-type');
    // Lowercased, as vissl does; a value outside the taxonomy is kept (and counted), not dropped.
    const gender = rawGender.toLowerCase();
    if (!tax.genders.includes(gender))
      unexpectedGenders.set(gender, (unexpectedGenders.get(gender) ?? 0) + 1);
    const key = videoKey(imgPath);
    const age = pythonInt(rawAge);
    const skinType = pythonInt(rawSkin);
    const tone = skinTone(skinType, tax);
    const attrs: Record<string, AttrValue> = { gender };
    if (age !== null) attrs.age = age;
    attrs.age_bucket = ageBucket(age, tax);
    if (skinType !== null) attrs.skin_type = skinType;
    attrs.skintone = tone;
    attrs.gender_skintone = `${gender}_${tone}`;
    const path = resolveFrom(root, imgPath);
    const candidate = {
      item: { id: key, source: toSource(opts.outDir, path), labels: [], attrs, cluster: subject },
      path,
      line: rec.line,
    };
    const earlier = candidateOfKey.get(key);
    if (earlier === undefined) {
      candidateOfKey.set(key, candidates.length);
      candidates.push(candidate);
      continue;
    }
    const replaced = candidates[earlier] as (typeof candidates)[number];
    skipped.push({
      file,
      line: replaced.line,
      field: 'img_path',
      reason: `another crop of video "${key}" (line ${rec.line}) replaces it: vissl keeps the last crop of a video (protocols.md 9.11)`,
    });
    candidates[earlier] = candidate;
  }

  const exists = await filesExist(candidates.map((c) => c.path));
  const items: ManifestItem[] = [];
  candidates.forEach((c, k) => {
    if (exists[k]) items.push(c.item);
    else skipped.push({ file, line: c.line, field: 'img_path', reason: `image file not found: ${c.path}` });
  });
  skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const notes =
    unexpectedGenders.size === 0
      ? []
      : [
          `${[...unexpectedGenders.values()].reduce((a, b) => a + b, 0)} record(s) have a gender outside ${tax.genders.join(', ')}, kept lowercased as vissl reads them: ${[
            ...unexpectedGenders,
          ]
            .map(([g, k]) => `${g} (${k})`)
            .join(', ')}`,
        ];
  return { items, skipped, notes };
}

export const importer: Importer = {
  name: 'casual-conversations',
  summary: 'Casual Conversations v1 metadata JSON list (age, gender, skin-type, img_path, subject_id)',
  optionsHelp: {
    root: 'folder that relative img_path values are resolved against (default: the JSON file’s folder)',
  },
  import: importCasualConversations,
};
