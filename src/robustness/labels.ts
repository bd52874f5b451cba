/**
 * Targets of out-of-distribution sets (protocols.md 8.2, 9.16): each item's labels are a SET of
 * model classes (ImageNet-V2/ReaL/ObjectNet multi-label targets; a prediction is right if it is any
 * of them), dataset labels can be mapped to model classes (ObjectNet class -> several ImageNet
 * classes), and the logits can be masked to the classes the set contains (IN-A, IN-R, ObjectNet:
 * vissl's model_output_mask). Labels absent from the model's label space are dropped and reported;
 * an item left with no label at all cannot be scored and is excluded, with a warning.
 */
import type { ManifestItem } from '../core/types.js';
import { type LabelSource, labelOf } from '../probe/dataset.js';

/** Dataset label -> the model class names it stands for. Labels without an entry map to themselves. */
export type ClassMap = Readonly<Record<string, readonly string[]>>;

/** Which classes a set is scored on: all, those its targets contain, or a given list. */
export type MaskSpec = 'none' | 'present' | { classes: readonly string[] };

/** Label sets of a dataset as model class indices. */
export interface Targets {
  /** (items) sorted, distinct class indices; empty when the item has no label in the label space. */
  positives: Int32Array[];
  /** Items with at least one positive (those that can be scored). */
  scorable: Uint8Array;
  /** Dataset labels (after mapping) that are not model classes, with how many items carry them. */
  absentLabels: Map<string, number>;
  /** Items that carried no label at all. */
  unlabeled: number;
}

/** Index of each class name; duplicate names are an error since a label would be ambiguous. */
export function classIndex(classes: readonly string[]): Map<string, number> {
  const index = new Map<string, number>();
  classes.forEach((name, i) => {
    if (index.has(name))
      throw new RangeError(`classIndex: class "${name}" appears twice (indices ${index.get(name)} and ${i})`);
    index.set(name, i);
  });
  return index;
}

/** Each item's labels under a label source: every label (a multi-label target), or one attribute's value. */
export function labelSetsOf(items: readonly ManifestItem[], source: LabelSource): string[][] {
  return items.map((it) => {
    if (source.kind === 'labels') return [...it.labels];
    const l = labelOf(it, source);
    return l === undefined ? [] : [l];
  });
}

/**
 * Maps every item's labels to model class indices.
 * @param labelSets (items) dataset labels of each item
 * @param classes the model's classes, in logit order
 * @param classMap optional dataset label -> model class names
 */
export function buildTargets(
  labelSets: readonly (readonly string[])[],
  classes: readonly string[],
  classMap?: ClassMap,
): Targets {
  const index = classIndex(classes);
  const absentLabels = new Map<string, number>();
  let unlabeled = 0;
  const positives = labelSets.map((labels) => {
    if (labels.length === 0) unlabeled++;
    const found = new Set<number>();
    const absent = new Set<string>();
    for (const label of labels) {
      for (const name of classMap?.[label] ?? [label]) {
        const i = index.get(name);
        if (i === undefined) absent.add(name);
        else found.add(i);
      }
    }
    for (const name of absent) absentLabels.set(name, (absentLabels.get(name) ?? 0) + 1);
    return Int32Array.from([...found].sort((a, b) => a - b));
  });
  const scorable = Uint8Array.from(positives, (p) => (p.length > 0 ? 1 : 0));
  return { positives, scorable, absentLabels, unlabeled };
}

/**
 * The classes a set is scored on, as a 0/1 mask over the model's classes; undefined for 'none'.
 * 'present': the union of the targets. A given list: names absent from the model are ignored and
 * returned in `absent`.
 */
export function classMask(
  spec: MaskSpec,
  classes: readonly string[],
  targets: Targets,
): { mask: Uint8Array | undefined; absent: string[] } {
  if (spec === 'none') return { mask: undefined, absent: [] };
  const mask = new Uint8Array(classes.length);
  if (spec === 'present') {
    for (const p of targets.positives) for (const c of p) mask[c] = 1;
    return { mask, absent: [] };
  }
  const index = classIndex(classes);
  const absent: string[] = [];
  for (const name of spec.classes) {
    const i = index.get(name);
    if (i === undefined) absent.push(name);
    else mask[i] = 1;
  }
  return { mask, absent };
}

/** Plain-words warnings about labels the model cannot predict (for result rows). */
export function targetWarnings(dataset: string, targets: Targets, masked: { absent: string[] }): string[] {
  const warnings: string[] = [];
  const excluded = targets.scorable.length - targets.scorable.reduce((a, b) => a + b, 0);
  if (targets.absentLabels.size > 0) {
    const names = [...targets.absentLabels.keys()].sort();
    const shown = names.slice(0, 8).join(', ') + (names.length > 8 ? `, ... (${names.length} in all)` : '');
    warnings.push(
      `${dataset}: labels absent from the model's classes were dropped from label sets: ${shown}`,
    );
  }
  if (excluded > 0) {
    warnings.push(
      `${dataset}: ${excluded} of ${targets.scorable.length} items have no label among the model's classes and are left out`,
    );
  }
  if (masked.absent.length > 0) {
    warnings.push(
      `${dataset}: mask classes absent from the model were ignored: ${masked.absent.slice(0, 8).join(', ')}`,
    );
  }
  return warnings;
}
