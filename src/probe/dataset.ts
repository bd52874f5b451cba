/**
 * Joining a manifest (labels, attributes) with an embedding store (features by id): which rows to
 * train or evaluate on, with which class. Items whose image could not be embedded (listed in the
 * store's failures.jsonl) are left out and counted, never replaced.
 */
import { InputError, UsageError } from '../core/errors.js';
import type { EmbeddingSet, ManifestItem } from '../core/types.js';

/** Where an item's class comes from: its first label, or one attribute. */
export type LabelSource = { kind: 'labels' } | { kind: 'attr'; name: string };

/** Parses `--label-from labels|attr:NAME`. */
export function parseLabelSource(text: string): LabelSource {
  if (text === 'labels') return { kind: 'labels' };
  if (text.startsWith('attr:') && text.length > 5) return { kind: 'attr', name: text.slice(5) };
  throw new UsageError(`--label-from must be "labels" or "attr:NAME", got "${text}"`);
}

export function formatLabelSource(source: LabelSource): string {
  return source.kind === 'labels' ? 'labels' : `attr:${source.name}`;
}

/** The item's class name, or undefined when it has none. */
export function labelOf(item: ManifestItem, source: LabelSource): string | undefined {
  if (source.kind === 'labels') return item.labels[0];
  const v = item.attrs[source.name];
  return v === undefined ? undefined : String(v);
}

/** Sorted distinct class names: numerically when all are numbers, else by code unit. */
export function classList(names: Iterable<string>): string[] {
  const unique = [...new Set(names)];
  const numeric = unique.every((s) => s.trim() !== '' && Number.isFinite(Number(s)));
  return numeric ? unique.sort((a, b) => Number(a) - Number(b)) : unique.sort();
}

export interface JoinOptions {
  labelSource: LabelSource;
  /** Skip (and count) items without a label instead of failing. */
  skipUnlabeled?: boolean;
  /** Ids listed in the store's failures.jsonl: skipped and counted. */
  failedIds?: ReadonlySet<string>;
}

/** Manifest items matched to embedding rows, in manifest order. */
export interface JoinedRows {
  items: ManifestItem[];
  /** (items.length) row of each item in the EmbeddingSet. */
  rows: Int32Array;
  /** (items.length) class name of each item. */
  labels: string[];
  skippedUnlabeled: number;
  skippedFailed: number;
}

/**
 * Matches manifest items to embedding rows by id. An item with no label is an error naming it
 * (unless skipUnlabeled); an item with no embedding row is an error unless failures.jsonl lists it.
 * Embedding rows not in the manifest are ignored, so one store can serve train and test manifests.
 */
export function joinManifest(
  manifestPath: string,
  items: readonly ManifestItem[],
  set: EmbeddingSet,
  storeDir: string,
  opts: JoinOptions,
): JoinedRows {
  const rowOf = new Map<string, number>();
  set.ids.forEach((id, i) => {
    rowOf.set(id, i);
  });
  const out: JoinedRows = {
    items: [],
    rows: new Int32Array(0),
    labels: [],
    skippedUnlabeled: 0,
    skippedFailed: 0,
  };
  const rows: number[] = [];
  const missing: string[] = [];
  for (const item of items) {
    const label = labelOf(item, opts.labelSource);
    if (label === undefined || label === '') {
      if (opts.skipUnlabeled) {
        out.skippedUnlabeled++;
        continue;
      }
      const where = opts.labelSource.kind === 'labels' ? 'labels' : `attrs.${opts.labelSource.name}`;
      throw new InputError(
        manifestPath,
        `item "${item.id}" has no label in ${where} (use --skip-unlabeled to leave such items out)`,
        { field: where },
      );
    }
    const row = rowOf.get(item.id);
    if (row === undefined) {
      if (opts.failedIds?.has(item.id)) out.skippedFailed++;
      else missing.push(item.id);
      continue;
    }
    out.items.push(item);
    rows.push(row);
    out.labels.push(label);
  }
  if (missing.length > 0) {
    const shown = missing
      .slice(0, 5)
      .map((id) => `"${id}"`)
      .join(', ');
    throw new InputError(
      storeDir,
      `has no embedding for ${missing.length} manifest item(s) not listed in failures.jsonl, e.g. ${shown}: ` +
        `was it embedded from ${manifestPath}?`,
    );
  }
  if (out.items.length === 0) throw new InputError(manifestPath, 'no labelled item with an embedding to use');
  out.rows = Int32Array.from(rows);
  return out;
}

/**
 * The features of the given rows, gathered in order.
 * @returns (rows.length, set.dim) row-major
 */
export function gatherRows(set: EmbeddingSet, rows: Int32Array): Float32Array {
  const d = set.dim;
  const out = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    out.set(set.data.subarray(r * d, (r + 1) * d), i * d);
  });
  return out;
}
