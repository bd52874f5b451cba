/**
 * Reading the free-form `models` and `datasets` entries of results.json. Known keys (licence, source,
 * adaptation...) are looked up under their usual spellings; everything else is shown as key: value.
 */
import type { ResultsFile } from '../core/results.js';
import { formatCount } from './format.js';

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
  training: ['training'],
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

/**
 * Citation lines of an entry: one per element when the citation field is a list of objects (e.g.
 * per-style credits: 'Noto Emoji — Google Inc. — Apache-2.0 — https://…'), else the field as text.
 */
export function citationLines(entry: Entry | undefined): string[] {
  if (entry === undefined) return [];
  for (const k of ENTRY_KEYS.citation) {
    const v = entry[k];
    if (v === undefined || v === null || v === '') continue;
    if (Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) {
      return v.map((x) => {
        const o = x as Entry;
        const pick = (...keys: string[]) =>
          keys.map((key) => o[key]).find((y) => typeof y === 'string' && y !== '');
        const parts = [
          pick('title', 'name', 'package'),
          pick('author', 'authors'),
          pick('license', 'licence'),
          pick('url', 'source', 'homepage'),
        ].filter((y): y is string => y !== undefined);
        const attribution = pick('attribution');
        return [parts.join(' — '), attribution].filter((y) => y !== undefined && y !== '').join('. ');
      });
    }
    return [valueText(v)];
  }
  return [];
}

/** The documented dataset this one is a subset of ('' when none). */
export function subsetOf(results: ResultsFile, entry: Entry | undefined): string {
  const v = entry?.subsetOf ?? entry?.subset_of;
  return typeof v === 'string' && v in results.datasets ? v : '';
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

/**
 * One line on how a model was trained, from its `training` entry (written by an audit that trains
 * its models: src/audit/train-models.ts); '' when it has none. A string entry is shown as it is.
 */
export function trainingText(entry: Entry | undefined): string {
  const t = entry?.training;
  if (typeof t === 'string') return t;
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return '';
  const o = t as Entry;
  const num = (k: string) => (typeof o[k] === 'number' ? (o[k] as number) : null);
  const int = (k: string) => (num(k) === null ? '?' : formatCount(num(k) as number));
  const fix = (k: string, d: number) => (num(k) === null ? 'n/a' : (num(k) as number).toFixed(d));
  const data = `${String(o.dataset ?? '?')} (${int('images')} images)`;
  const net = `${String(o.backbone ?? '?')}, ${int('imageSize')} px`;
  const classes = typeof o.labelFrom === 'string' && o.labelFrom !== 'labels' ? o.labelFrom : 'first-label';
  const monitors = `kNN accuracy ${fix('knnAccuracy', 3)} (${classes} classes, leave-one-out on the training images), RankMe ${fix('rankMe', 1)}`;
  if (o.method === 'none')
    return `untrained: ${net} at its random initialisation (seed ${int('seed')}); on ${data}: ${monitors}`;
  const minutes = num('seconds') === null ? '' : `; ${((num('seconds') as number) / 60).toFixed(1)} min`;
  const warning = typeof o.warning === 'string' && o.warning !== '' ? `; ⚠ ${o.warning}` : '';
  return `${String(o.method ?? '?')} on ${data}: ${net}, ${int('epochs')} epochs = ${int('steps')} steps at batch ${int('batch')}, ${String(o.optimizer ?? '')} lr ${String(o.lr ?? '?')}, seed ${int('seed')}; last epoch: loss ${fix('finalLoss', 3)}, ${monitors}${minutes}${warning}`;
}

/** Datasets that rows refer to but that have no entry, so the header can say they are undocumented. */
export function undocumentedDatasets(results: ResultsFile): string[] {
  const used = new Set(results.rows.map((r) => r.dataset).filter((d): d is string => d !== undefined));
  return [...used].filter((d) => !(d in results.datasets));
}

/** A dataset id the rows use, as the header lists it. */
export interface DatasetListing {
  /** The id (for derived sets, 'base~…' standing for all of them). */
  id: string;
  entry?: Entry;
  /** How an undocumented id derives from documented ones ('' when it does not). */
  derived: string;
  /** Ids this listing stands for (one, or every derived copy). */
  ids: string[];
}

/**
 * Documented datasets, then the undocumented ids the rows use; 'Q → D' (retrieval queries Q against
 * database D) is explained when both sides are documented.
 */
export function datasetListings(results: ResultsFile): DatasetListing[] {
  const out: DatasetListing[] = Object.keys(results.datasets).map((id) => ({
    id,
    entry: results.datasets[id],
    derived: '',
    ids: [id],
  }));
  const documented = (id: string) => id in results.datasets;
  for (const id of undocumentedDatasets(results)) {
    const arrow = id.split(' → ');
    out.push({
      id,
      derived:
        arrow.length === 2 && arrow.every(documented)
          ? `retrieval: queries ${arrow[0]}, database ${arrow[1]}`
          : '',
      ids: [id],
    });
  }
  return out;
}

/** `extra.protocol` as [choice, value] pairs when it is an object; see renderReport. */
export function protocolChoices(results: ResultsFile): [string, string][] {
  const p = results.extra.protocol;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) return [];
  return Object.entries(p as Entry).map(([k, v]) => [k, valueText(v)]);
}
