/**
 * Class -> concepts maps for Indicator 2 (protocols.md 4.1, 9.8): each model class maps to a LIST of
 * Dollar Street concepts (vissl in22k_cls_idx_to_dollar_street_labels_map.json). File format:
 *
 *   { "name": "...", "map": { "<class name or index>": ["concept", ...], ... } }
 *
 * or the bare map object itself. Keys are class names; when not every key is a class name but every
 * key is a class index ("0", "1", ...), they are read as indices (the released map's form).
 */
import { InputError } from '../core/errors.js';

export interface ConceptMap {
  name: string;
  file: string;
  /** (nClasses) concepts of each class; [] for unmapped classes. */
  conceptsOfClass: string[][];
  /** Classes the file maps. */
  mappedClasses: number;
  keys: 'class-name' | 'class-index';
}

/** Validates a parsed concept map against the model's classes; errors name the file and field. */
export function parseConceptMap(raw: unknown, file: string, classes: readonly string[]): ConceptMap {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(file, 'a concept map must be a JSON object');
  }
  const obj = raw as Record<string, unknown>;
  const wrapped = obj.map !== undefined && typeof obj.map === 'object' && !Array.isArray(obj.map);
  const map = (wrapped ? obj.map : obj) as Record<string, unknown>;
  const prefix = wrapped ? 'map.' : '';
  const keys = Object.keys(map);
  if (keys.length === 0) throw new InputError(file, 'maps no class', { field: wrapped ? 'map' : undefined });
  const byName = new Map(classes.map((c, i) => [c, i]));
  const allNames = keys.every((k) => byName.has(k));
  const isIndex = (k: string) => /^\d+$/.test(k) && Number(k) < classes.length;
  const mode = allNames ? 'class-name' : keys.every(isIndex) ? 'class-index' : undefined;
  if (mode === undefined) {
    const unknown = keys.filter((k) => !byName.has(k));
    throw new InputError(
      file,
      `${unknown.length} key(s) are not class names of the model (${classes.length} classes) nor class indices: ${unknown
        .slice(0, 10)
        .join(', ')}${unknown.length > 10 ? ', ...' : ''}`,
      { field: wrapped ? 'map' : undefined },
    );
  }
  const conceptsOfClass: string[][] = classes.map(() => []);
  for (const k of keys) {
    const v = map[k];
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
      throw new InputError(file, `must be a list of concept names, got ${JSON.stringify(v)}`, {
        field: `${prefix}${k}`,
      });
    }
    const c = mode === 'class-name' ? (byName.get(k) as number) : Number(k);
    conceptsOfClass[c] = [...new Set(v as string[])];
  }
  return {
    name: typeof obj.name === 'string' ? obj.name : file,
    file,
    conceptsOfClass,
    mappedClasses: keys.length,
    keys: mode,
  };
}
