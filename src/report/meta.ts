/**
 * Reading the free-form `models` and `datasets` entries of results.json. Known keys (licence, source,
 * adaptation...) are looked up under their usual spellings; everything else is shown as key: value.
 */
import type { ResultsFile } from '../core/results.js';

export type Entry = Record<string, unknown>;

/** Key spellings tried, in order, for each field the report shows in its own column. */
export const ENTRY_KEYS = {
  name: ['name', 'title'],
  license: ['license', 'licence', 'licenses', 'licences'],
  source: ['source', 'url', 'homepage'],
  citation: ['citation', 'credit', 'credits', 'attribution'],
  adaptation: ['adaptation', 'adapter', 'head'],
  adaptationDetail: ['adaptationDetail', 'adaptation_detail'],
  images: ['images', 'size', 'items', 'n'],
  note: ['note', 'notes', 'disclaimer'],
} as const;

export type EntryField = keyof typeof ENTRY_KEYS;

/** A field's value as display text ('' when absent); arrays are joined with ', '. */
export function entryText(entry: Entry | undefined, field: EntryField): string {
  if (entry === undefined) return '';
  for (const k of ENTRY_KEYS[field]) {
    const v = entry[k];
    if (v !== undefined && v !== null && v !== '') return valueText(v);
  }
  return '';
}

export function valueText(v: unknown): string {
  if (Array.isArray(v)) return v.map(valueText).join(', ');
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v as Entry)
      .map(([k, x]) => `${k}: ${valueText(x)}`)
      .join('; ');
  }
  return String(v);
}

/** Entries of an object that are not one of the known fields (shown as details). */
export function otherFields(entry: Entry | undefined, shown: readonly EntryField[]): [string, string][] {
  if (entry === undefined) return [];
  const known = new Set<string>(shown.flatMap((f) => ENTRY_KEYS[f]));
  return Object.entries(entry)
    .filter(([k, v]) => !known.has(k) && v !== undefined && v !== null && v !== '')
    .map(([k, v]) => [k, valueText(v)]);
}

/** Plain words for the adaptation protocols the evaluators write. */
export function adaptationText(entry: Entry | undefined): string {
  const raw = entryText(entry, 'adaptation');
  const words: Record<string, string> = {
    'linear-probe': 'linear probe on frozen features',
    'zero-shot-logits': "zero-shot: the model's own classifier logits",
    'zero-shot': "zero-shot: the model's own classifier logits",
    'fine-tune': 'full fine-tuning',
    knn: 'kNN on frozen features',
    embeddings: 'raw embeddings (no head)',
  };
  const detail = entryText(entry, 'adaptationDetail');
  const head = words[raw] ?? raw;
  return [head, detail].filter((s) => s !== '').join(' — ');
}

/** Datasets that rows refer to but that have no entry, so the header can say they are undocumented. */
export function undocumentedDatasets(results: ResultsFile): string[] {
  const used = new Set(results.rows.map((r) => r.dataset).filter((d): d is string => d !== undefined));
  return [...used].filter((d) => !(d in results.datasets));
}

/** `extra.protocol` as [choice, value] pairs when it is an object; see renderReport. */
export function protocolChoices(results: ResultsFile): [string, string][] {
  const p = results.extra.protocol;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return [];
  return Object.entries(p as Entry).map(([k, v]) => [k, valueText(v)]);
}
