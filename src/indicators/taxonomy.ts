/**
 * Label-association taxonomies (Indicator 1): association types mapped to label names, as JSON data
 * files. Built-in ones (data/taxonomies/*.json) follow [P-FI] Table 3; users can pass their own file
 * of the same format:
 *
 *   { "name": "...", "associations": { "Human": ["people", "face"], ... },
 *     "harmful": { "types": ["Non-Human", "Crime"], "note": "..." },          // optional
 *     "disparateLabels": { "labels": ["animal"], "threshold": 0.2 } }        // optional
 */
import { InputError } from '../core/errors.js';

export const BUILTIN_TAXONOMIES = ['casual-conversations', 'miap'] as const;

export interface AssociationType {
  name: string;
  labels: string[];
}

export interface Taxonomy {
  name: string;
  /** The file it was read from. */
  file: string;
  source?: string;
  /** Association types in file order; types with no labels are kept here but not reported. */
  associations: AssociationType[];
  /** Types whose union forms the aggregated "harmful" rate; empty when the file has none. */
  harmfulTypes: string[];
  harmfulNote?: string;
  /** Labels of the disparate-label statistic and its score threshold (protocols.md 3.2). */
  disparateLabels: string[];
  disparateThreshold: number;
}

function stringList(value: unknown, file: string, field: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new InputError(file, `must be a list of non-empty strings, got ${JSON.stringify(value)}`, {
      field,
    });
  }
  return value as string[];
}

/** Validates a parsed taxonomy file; errors name the file and field. */
export function parseTaxonomy(raw: unknown, file: string): Taxonomy {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(file, 'a taxonomy must be a JSON object');
  }
  const obj = raw as Record<string, unknown>;
  const assoc = obj.associations;
  if (
    assoc === null ||
    typeof assoc !== 'object' ||
    Array.isArray(assoc) ||
    Object.keys(assoc).length === 0
  ) {
    throw new InputError(file, 'must be an object of association type -> list of label names', {
      field: 'associations',
    });
  }
  const associations = Object.entries(assoc as Record<string, unknown>).map(([name, labels]) => ({
    name,
    labels: stringList(labels, file, `associations.${name}`),
  }));
  const names = new Set(associations.map((a) => a.name));
  let harmfulTypes: string[] = [];
  let harmfulNote: string | undefined;
  if (obj.harmful !== undefined) {
    const h = obj.harmful as Record<string, unknown>;
    harmfulTypes = stringList(h?.types, file, 'harmful.types');
    const unknown = harmfulTypes.filter((t) => !names.has(t));
    if (unknown.length > 0) {
      throw new InputError(file, `names unknown association type(s) ${unknown.join(', ')}`, {
        field: 'harmful.types',
      });
    }
    if (h.note !== undefined && typeof h.note !== 'string') {
      throw new InputError(file, 'must be a string', { field: 'harmful.note' });
    }
    harmfulNote = h.note as string | undefined;
  }
  let disparateLabels: string[] = [];
  let disparateThreshold = 0;
  if (obj.disparateLabels !== undefined) {
    const d = obj.disparateLabels as Record<string, unknown>;
    disparateLabels = stringList(d?.labels, file, 'disparateLabels.labels');
    if (typeof d.threshold !== 'number' || !(d.threshold >= 0 && d.threshold <= 1)) {
      throw new InputError(file, `must be a number in [0, 1], got ${JSON.stringify(d.threshold)}`, {
        field: 'disparateLabels.threshold',
      });
    }
    disparateThreshold = d.threshold;
  }
  if (obj.name !== undefined && typeof obj.name !== 'string') {
    throw new InputError(file, 'must be a string', { field: 'name' });
  }
  return {
    name: (obj.name as string | undefined) ?? file,
    file,
    source: typeof obj.source === 'string' ? obj.source : undefined,
    associations,
    harmfulTypes,
    harmfulNote,
    disparateLabels,
    disparateThreshold,
  };
}

/** All label names the taxonomy refers to (associations and disparate labels), sorted. */
export function taxonomyLabels(taxonomy: Taxonomy): string[] {
  return [
    ...new Set([...taxonomy.associations.flatMap((a) => a.labels), ...taxonomy.disparateLabels]),
  ].sort();
}

/**
 * Checks that every label of the taxonomy is a label name of the model's classes. Missing labels are
 * an error listing them, unless `allowPartial`, which returns them for a warning (needed for small
 * demo label spaces).
 */
export function checkTaxonomyCoverage(
  taxonomy: Taxonomy,
  labelNames: readonly string[],
  options: { allowPartial?: boolean; classesFile?: string } = {},
): { missing: string[] } {
  const present = new Set(labelNames);
  const missing = taxonomyLabels(taxonomy).filter((l) => !present.has(l));
  if (missing.length > 0 && !options.allowPartial) {
    throw new InputError(
      taxonomy.file,
      `${missing.length} label(s) of taxonomy "${taxonomy.name}" are not among the model's ${labelNames.length} class label names${
        options.classesFile ? ` (${options.classesFile})` : ''
      }: ${missing.join(', ')}. Pass --allow-partial-taxonomy to go on with the labels present.`,
    );
  }
  return { missing };
}
