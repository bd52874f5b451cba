/**
 * The class of a manifest item for a probe or an evaluator: its first label, or one attribute
 * (`labelFrom: labels | attr:NAME`). Joining items with embeddings is embed/join.ts.
 */
import { UsageError } from '../core/errors.js';
import type { ManifestItem } from '../core/types.js';

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
