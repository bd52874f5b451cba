/**
 * OpenImages MIAP person boxes (protocols.md 1.2, 9.4), one item per box, in either published form:
 *
 * (a) the CSV as released (ImageID, LabelName, Confidence, XMin, XMax, YMin, YMax normalised to
 *     0..1, IsOccluded, IsTruncated, IsGroupOf, IsDepictionOf, IsInsideOf, GenderPresentation,
 *     AgePresentation) with `--images DIR` holding `<ImageID>.jpg`; each image's size is read with
 *     sharp to turn the normalised box into pixels (stored pixel grid, no EXIF rotation, as PIL in
 *     vissl reads it);
 * (b) the vissl JSON list (`bbox` [x1, y1, x2, y2] pixel strings, `path`, the same attribute fields).
 *
 * Boxes narrower or shorter than 100 px are skipped. gender = last word of GenderPresentation,
 * lowercased, mapped feminine→female, masculine→male, unknown→gender_unknown; age =
 * AgePresentation lowercased. Unknown gender/age boxes are KEPT by default, as the counts of
 * [P-FI] Table 4 show they were (App. B.2 says they were dropped); `--drop-unknown` drops them.
 * Each item has bbox and roi 'miap-square' (the square rule is applied by the image pipeline);
 * cluster = image id; id = `<image id>/<k>`, k the box's position among its image's rows.
 */
import { basename, extname, join, resolve } from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { InputError, UsageError } from '../../core/errors.js';
import type { BBox, ManifestItem } from '../../core/types.js';
import { numberCell, readCsv } from './csv.js';
import { loadImporterData } from './data-file.js';
import {
  filesExist,
  flagOption,
  folderOf,
  requireFolder,
  resolveFrom,
  singleInput,
  stringOption,
  toSource,
} from './inputs.js';
import { anyField, readInputText, readJsonList, stringField } from './json-list.js';
import type { Importer, ImportIssue, ImportOptions, ImportResult } from './types.js';

const TaxonomySchema = z.object({
  minBoxSide: z.number().positive(),
  gender: z.record(z.string()),
  genderUnknown: z.string(),
  ages: z.array(z.string()).nonempty(),
  ageUnknown: z.string(),
});
export type MiapTaxonomy = z.infer<typeof TaxonomySchema>;

const CSV_COLUMNS = ['ImageID', 'XMin', 'XMax', 'YMin', 'YMax', 'GenderPresentation', 'AgePresentation'];

/** The normalised gender of a GenderPresentation value, or null when unknown to the taxonomy. */
export function miapGender(presentation: string, tax: MiapTaxonomy): string | null {
  const words = presentation.trim().split(/\s+/);
  const last = words[words.length - 1].toLowerCase();
  return tax.gender[last] ?? null;
}

/** The normalised age of an AgePresentation value, or null when unknown to the taxonomy. */
export function miapAge(presentation: string, tax: MiapTaxonomy): string | null {
  const age = presentation.trim().toLowerCase();
  return tax.ages.includes(age) ? age : null;
}

/** One box before the size filter, wherever it came from. */
interface RawBox {
  imageId: string;
  /** Absolute image path. */
  path: string;
  line: number;
  genderPresentation: string;
  agePresentation: string;
  /** Pixel box, or the normalised box when `normalised`. */
  box: BBox;
  normalised: boolean;
}

async function readCsvBoxes(file: string, imagesDir: string): Promise<RawBox[]> {
  const rows = await readCsv(file, CSV_COLUMNS);
  return rows.map((row) => {
    const imageId = row.cells.ImageID.trim();
    if (imageId === '') throw new InputError(file, 'empty ImageID', { line: row.line, field: 'ImageID' });
    const [x1, x2, y1, y2] = ['XMin', 'XMax', 'YMin', 'YMax'].map((c) => {
      const v = numberCell(row, c);
      if (v < 0 || v > 1) {
        throw new InputError(file, `must be a normalised coordinate in [0, 1], got ${v}`, {
          line: row.line,
          field: c,
        });
      }
      return v;
    });
    if (!(x2 > x1))
      throw new InputError(file, `XMax ${x2} must exceed XMin ${x1}`, { line: row.line, field: 'XMax' });
    if (!(y2 > y1))
      throw new InputError(file, `YMax ${y2} must exceed YMin ${y1}`, { line: row.line, field: 'YMax' });
    return {
      imageId,
      path: join(imagesDir, `${imageId}.jpg`),
      line: row.line,
      genderPresentation: row.cells.GenderPresentation,
      agePresentation: row.cells.AgePresentation,
      box: [x1, y1, x2, y2],
      normalised: true,
    };
  });
}

async function readJsonBoxes(file: string, imagesDir: string): Promise<RawBox[]> {
  const records = await readJsonList(file);
  return records.map((rec) => {
    const path = stringField(rec, 'path');
    const raw = anyField(rec, 'bbox');
    const nums = Array.isArray(raw)
      ? raw.map((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v))
      : [];
    if (nums.length !== 4 || nums.some((v) => typeof v !== 'number' || !Number.isFinite(v))) {
      throw new InputError(
        file,
        `must be [x1, y1, x2, y2] of 4 numbers (or numeric strings), got ${JSON.stringify(raw)}`,
        {
          line: rec.line,
          field: 'bbox',
        },
      );
    }
    const box = nums as BBox;
    if (!(box[2] > box[0] && box[3] > box[1])) {
      throw new InputError(file, `must have x2 > x1 and y2 > y1, got ${JSON.stringify(raw)}`, {
        line: rec.line,
        field: 'bbox',
      });
    }
    return {
      imageId: basename(path, extname(path)),
      path: resolveFrom(imagesDir, path),
      line: rec.line,
      genderPresentation: stringField(rec, 'GenderPresentation'),
      agePresentation: stringField(rec, 'AgePresentation'),
      box,
      normalised: false,
    };
  });
}

/** Whether the input is the JSON list form: by extension, else by its first character. */
async function isJsonForm(file: string): Promise<boolean> {
  const ext = extname(file).toLowerCase();
  if (ext === '.json') return true;
  if (ext === '.csv') return false;
  const first = (await readInputText(file)).trimStart()[0];
  return first === '[' || first === '{';
}

/** `true` for each image file that exists, else the reason. */
async function imagePresence(paths: readonly string[]): Promise<Map<string, true | string>> {
  const exists = await filesExist(paths);
  return new Map(paths.map((p, k) => [p, exists[k] ? true : `image file not found: ${p}`]));
}

/** Pixel sizes of images, read from their headers `concurrency` at a time; a failure is a reason. */
async function imageSizes(
  paths: readonly string[],
  concurrency = 8,
): Promise<Map<string, [number, number] | string>> {
  const out = new Map<string, [number, number] | string>();
  const exists = await filesExist(paths);
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const k = next++;
      if (!exists[k]) {
        out.set(paths[k], `image file not found: ${paths[k]}`);
        continue;
      }
      try {
        const meta = await sharp(paths[k]).metadata();
        if (!meta.width || !meta.height) out.set(paths[k], `image has no size in its header: ${paths[k]}`);
        else out.set(paths[k], [meta.width, meta.height]);
      } catch (err) {
        out.set(paths[k], `cannot read image size of ${paths[k]}: ${(err as Error).message}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, paths.length) }, worker));
  return out;
}

async function importMiap(opts: ImportOptions): Promise<ImportResult> {
  const file = singleInput(opts, 'miap', 'the MIAP boxes CSV or the vissl JSON list');
  const tax = await loadImporterData('miap.json', TaxonomySchema);
  const dropUnknown = flagOption(opts, 'drop-unknown');
  const json = await isJsonForm(file);
  const imagesOpt = stringOption(opts, 'images');
  if (!json && imagesOpt === undefined) {
    throw new UsageError('miap: the CSV form needs --images DIR (the folder of <ImageID>.jpg files)');
  }
  const imagesDir = resolve(imagesOpt ?? folderOf(file));
  await requireFolder(imagesDir, imagesOpt === undefined ? undefined : '--images');
  const boxes = json ? await readJsonBoxes(file, imagesDir) : await readCsvBoxes(file, imagesDir);

  const skipped: ImportIssue[] = [];
  const boxIndex = new Map<string, number>();
  const seenBox = new Map<string, number>();
  const kept: { raw: RawBox; id: string; gender: string; age: string }[] = [];
  for (const raw of boxes) {
    const k = boxIndex.get(raw.imageId) ?? 0;
    boxIndex.set(raw.imageId, k + 1);
    const skip = (field: string | undefined, reason: string) =>
      skipped.push({ file, line: raw.line, field, reason });
    const gender = miapGender(raw.genderPresentation, tax);
    if (gender === null) {
      skip('GenderPresentation', `unknown GenderPresentation ${JSON.stringify(raw.genderPresentation)}`);
      continue;
    }
    const age = miapAge(raw.agePresentation, tax);
    if (age === null) {
      skip('AgePresentation', `unknown AgePresentation ${JSON.stringify(raw.agePresentation)}`);
      continue;
    }
    if (dropUnknown && (gender === tax.genderUnknown || age === tax.ageUnknown)) {
      skip(undefined, `unknown ${gender === tax.genderUnknown ? 'gender' : 'age'} dropped by --drop-unknown`);
      continue;
    }
    const boxKey = `${raw.path}|${raw.box.join(',')}`;
    const dup = seenBox.get(boxKey);
    if (dup !== undefined) {
      skip(undefined, `duplicate of the box on line ${dup}`);
      continue;
    }
    seenBox.set(boxKey, raw.line);
    kept.push({ raw, id: `${raw.imageId}/${k}`, gender, age });
  }

  // CSV boxes need each image's size; JSON boxes are already in pixels and need only the file.
  const paths = [...new Set(kept.map((b) => b.raw.path))];
  const status = json ? await imagePresence(paths) : await imageSizes(paths);
  const items: ManifestItem[] = [];
  for (const b of kept) {
    const skip = (reason: string) => skipped.push({ file, line: b.raw.line, reason });
    const st = status.get(b.raw.path) ?? 'image not checked';
    if (typeof st === 'string') {
      skip(st);
      continue;
    }
    let box = b.raw.box;
    if (b.raw.normalised && st !== true) {
      const [w, h] = st;
      box = [box[0] * w, box[1] * h, box[2] * w, box[3] * h];
    }
    const width = box[2] - box[0];
    const height = box[3] - box[1];
    if (width < tax.minBoxSide || height < tax.minBoxSide) {
      skip(
        `box is ${width.toFixed(1)}x${height.toFixed(1)} px; boxes need width and height >= ${tax.minBoxSide} px (protocols.md 1.2)`,
      );
      continue;
    }
    items.push({
      id: b.id,
      source: toSource(opts.outDir, b.raw.path),
      bbox: box,
      roi: 'miap-square',
      labels: [],
      attrs: { gender: b.gender, age: b.age },
      cluster: b.raw.imageId,
    });
  }
  skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { items, skipped };
}

export const importer: Importer = {
  name: 'miap',
  summary: 'OpenImages MIAP person boxes: the published CSV (with --images) or the vissl JSON list',
  optionsHelp: {
    images: 'folder of <ImageID>.jpg (required for the CSV; for the JSON list, the root of relative paths)',
    'drop-unknown':
      'drop boxes whose gender or age is unknown (App. B.2); by default they are kept, as Table 4 counts them',
  },
  flags: ['drop-unknown'],
  import: importMiap,
};
