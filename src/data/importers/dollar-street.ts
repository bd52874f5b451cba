/**
 * Dollar Street (protocols.md 1.4, 4.2, 9.8): the metadata JSON list (`_id`, `label`, `country`,
 * `region`, `income`, and `url` or a local `path`) with an images folder.
 *
 * - household = `_id`, the second part of the vissl key `"{label}/{_id}"`; it is the item's cluster.
 * - image identity = the URL checksum (last path segment, up to its first '.', after its last '-'),
 *   or the `path` when there is no URL. An image listed under several labels is ONE item whose labels
 *   are all of them (the de-duplication of protocols.md 4.2 step 1, commented out in vissl).
 * - image file = `path` (relative to --images), else `<images>/<label>/<_id>.<ext>` (vissl layout).
 * - income_bucket = INCOME_BUCKETS[round(ln(income) / 3)] with round half to even (numpy), 1 low,
 *   2 medium, 3 high. An income outside that range (below e^1.5 ≈ $4.5, at or above e^10.5 ≈ $36k,
 *   or not positive) raises a KeyError in vissl; here the record is skipped with the reason.
 *
 * attrs: region, country, income (number), income_bucket. labels: the concepts.
 */
import { join, parse } from 'node:path';
import { z } from 'zod';
import { InputError } from '../../core/errors.js';
import type { ManifestItem } from '../../core/types.js';
import { loadImporterData } from './data-file.js';
import {
  filesExist,
  folderOf,
  folderOption,
  listFolder,
  resolveFrom,
  singleInput,
  toSource,
} from './inputs.js';
import { anyField, type JsonRecord, optionalStringField, readJsonList, stringField } from './json-list.js';
import type { Importer, ImportIssue, ImportOptions, ImportResult } from './types.js';

const TaxonomySchema = z.object({
  incomeBuckets: z.record(z.string()),
  regions: z.array(z.string()).nonempty(),
});
export type DollarStreetTaxonomy = z.infer<typeof TaxonomySchema>;

/** numpy's round: to the nearest integer, halves to the even neighbour. */
export function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** The bucket index round(ln(income) / 3) (protocols.md 4.1). */
export function incomeBucketIndex(income: number): number {
  return roundHalfEven(Math.log(income) / 3);
}

/** The image checksum of a Dollar Street URL, as vissl takes it (`url.split('/')[-1].split('.')[0].split('-')[-1]`). */
export function urlChecksum(url: string): string {
  const last = url.split('/').at(-1) ?? '';
  return (last.split('.')[0] ?? '').split('-').at(-1) ?? '';
}

interface Entry {
  rec: JsonRecord;
  household: string;
  label: string;
  country: string;
  region: string;
  income: number;
  identity: string;
  /** Absolute image path, or null to look it up in the vissl layout. */
  path: string | null;
}

function readEntry(rec: JsonRecord, imagesDir: string): Entry {
  const household = stringField(rec, '_id');
  const label = stringField(rec, 'label');
  const country = stringField(rec, 'country');
  const region = stringField(rec, 'region');
  const rawIncome = anyField(rec, 'income');
  const income = typeof rawIncome === 'string' && rawIncome.trim() !== '' ? Number(rawIncome) : rawIncome;
  if (typeof income !== 'number' || !Number.isFinite(income)) {
    throw new InputError(rec.file, `must be a number, got ${JSON.stringify(rawIncome)}`, {
      line: rec.line,
      field: 'income',
    });
  }
  const url = optionalStringField(rec, 'url');
  const path = optionalStringField(rec, 'path');
  if (url === undefined && path === undefined) {
    throw new InputError(rec.file, `record ${rec.index} has neither "url" nor "path"`, {
      line: rec.line,
      field: 'url',
    });
  }
  let identity: string;
  if (url !== undefined) {
    identity = urlChecksum(url);
    if (identity === '') {
      throw new InputError(rec.file, `no image checksum in ${JSON.stringify(url)}`, {
        line: rec.line,
        field: 'url',
      });
    }
  } else identity = path as string;
  return {
    rec,
    household,
    label,
    country,
    region,
    income,
    identity,
    path: path === undefined ? null : resolveFrom(imagesDir, path),
  };
}

/** Finds `<images>/<label>/<_id>.<any extension>`, listing each label folder once. */
class VisslLayout {
  private readonly folders = new Map<string, Map<string, string> | null>();
  constructor(private readonly root: string) {}
  async find(label: string, id: string): Promise<string | null> {
    let stems = this.folders.get(label);
    if (stems === undefined) {
      try {
        const files = (await listFolder(join(this.root, label))).filter((e) => e.isFile);
        stems = new Map(files.map((e) => [parse(e.name).name, e.name]));
      } catch {
        stems = null;
      }
      this.folders.set(label, stems);
    }
    const name = stems?.get(id);
    return name === undefined ? null : join(this.root, label, name);
  }
}

async function importDollarStreet(opts: ImportOptions): Promise<ImportResult> {
  const file = singleInput(opts, 'dollar-street', 'the metadata JSON list');
  const tax = await loadImporterData('dollar-street.json', TaxonomySchema);
  const records = await readJsonList(file);
  const imagesDir = await folderOption(opts, 'images', folderOf(file));
  const layout = new VisslLayout(imagesDir);
  const skipped: ImportIssue[] = [];
  const skip = (e: Entry, field: string | undefined, reason: string) =>
    skipped.push({ file, line: e.rec.line, field, reason });

  // Group entries by image identity, in first-seen order.
  const groups = new Map<string, Entry[]>();
  for (const rec of records) {
    const e = readEntry(rec, imagesDir);
    if (!tax.regions.includes(e.region)) {
      skip(
        e,
        'region',
        `unknown region ${JSON.stringify(e.region)}; expected one of ${tax.regions.join(', ')}`,
      );
      continue;
    }
    const bucket = e.income > 0 ? tax.incomeBuckets[String(incomeBucketIndex(e.income))] : undefined;
    if (bucket === undefined) {
      const k = e.income > 0 ? `round(ln(${e.income})/3) = ${incomeBucketIndex(e.income)}` : 'ln undefined';
      skip(
        e,
        'income',
        `income ${e.income} is outside the buckets (${k}; buckets ${Object.keys(tax.incomeBuckets).join(', ')})`,
      );
      continue;
    }
    const group = groups.get(e.identity);
    if (group === undefined) groups.set(e.identity, [e]);
    else group.push(e);
  }

  const candidates: { item: ManifestItem; entries: Entry[]; paths: string[] }[] = [];
  for (const [identity, entries] of groups) {
    const [first] = entries;
    const agreeing: Entry[] = [];
    for (const e of entries) {
      const diff = (['household', 'country', 'region', 'income'] as const).find((k) => e[k] !== first[k]);
      if (diff !== undefined) {
        skip(
          e,
          diff === 'household' ? '_id' : diff,
          `same image as line ${first.rec.line} but a different ${diff}`,
        );
      } else agreeing.push(e);
    }
    const labels = [...new Set(agreeing.map((e) => e.label))];
    const paths: string[] = [];
    for (const e of agreeing) {
      const p = e.path ?? (await layout.find(e.label, e.household));
      if (p !== null) paths.push(p);
    }
    candidates.push({
      item: {
        id: identity,
        source: '',
        labels,
        attrs: {
          region: first.region,
          country: first.country,
          income: first.income,
          income_bucket: tax.incomeBuckets[String(incomeBucketIndex(first.income))],
        },
        cluster: first.household,
      },
      entries: agreeing,
      paths,
    });
  }

  // The item's image is the first listed file that exists.
  const allPaths = [...new Set(candidates.flatMap((c) => c.paths))];
  const exists = new Map((await filesExist(allPaths)).map((ok, k) => [allPaths[k], ok]));
  const items: ManifestItem[] = [];
  for (const c of candidates) {
    const found = c.paths.find((p) => exists.get(p));
    if (found === undefined) {
      for (const e of c.entries) {
        const where = e.path ?? join(imagesDir, e.label, `${e.household}.*`);
        skip(e, e.path === null ? 'url' : 'path', `image file not found: ${where}`);
      }
      continue;
    }
    c.item.source = toSource(opts.outDir, found);
    items.push(c.item);
  }
  skipped.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { items, skipped };
}

export const importer: Importer = {
  name: 'dollar-street',
  summary: 'Dollar Street metadata JSON list (_id, label, country, region, income, url or path) + images',
  optionsHelp: {
    images:
      'images folder: root of relative `path` values, or <label>/<_id>.<ext> files for URL records (default: the JSON file’s folder)',
  },
  import: importDollarStreet,
};
