/**
 * The input of the classifier-based indicators: a dataset's items with class scores (a model's own
 * logits, or a probe's), rows aligned, as both front doors load them.
 */
import { InputError } from '../core/errors.js';
import type { FailedItem, ManifestItem, Preprocess } from '../core/types.js';
import type { EmbeddedItems } from '../embed/join.js';
import { checkLogits } from './predictions.js';

export interface ClassScores {
  /** Model name in the rows. */
  model: string;
  /** Dataset name in the rows. */
  dataset: string;
  /** Where the scores come from (a store folder, `model × dataset`), for messages. */
  source: string;
  items: ManifestItem[];
  /** (items.length, classes.length) row-major raw scores; a softmax over all classes gives probabilities. */
  logits: Float32Array;
  classes: string[];
  /** Items left out before scoring (failed images), reported as failures. */
  excluded?: FailedItem[];
  /** The preprocessing of the images behind the scores, when the store records it. */
  preprocess?: Preprocess;
}

/**
 * The class scores of a prediction store joined with a manifest: its logits, named by the store's
 * classes, or by `classes` (a class list given separately), or "0".."C-1" when neither names them.
 * @throws InputError when the store has no logits, or the class names do not match their columns
 */
export function scoresOfStore(
  model: string,
  joined: EmbeddedItems,
  options: { classes?: readonly string[]; classesFile?: string; nameByIndex?: boolean } = {},
): ClassScores {
  if (joined.logits === undefined) {
    throw new InputError(
      joined.store,
      'the store has no logits column: run `fairscope probe predict` (or embed a classifier) first',
      { field: 'logits' },
    );
  }
  const width = joined.logits.length / Math.max(1, joined.items.length);
  if (options.classes !== undefined && joined.classes !== undefined) {
    const differ = options.classes.findIndex((c, i) => c !== joined.classes?.[i]);
    if (differ >= 0 || options.classes.length !== joined.classes.length) {
      throw new InputError(
        options.classesFile ?? 'classes',
        `does not match the class list of ${joined.store} (${joined.classes.length} classes)${differ >= 0 ? `: class ${differ} is "${options.classes[differ]}" here, "${joined.classes[differ]}" there` : ''}`,
        { field: 'classes' },
      );
    }
  }
  const classes =
    options.classes ??
    joined.classes ??
    (options.nameByIndex ? Array.from({ length: width }, (_, i) => String(i)) : undefined);
  if (classes === undefined) {
    throw new InputError(joined.store, 'lists no classes: give a class list (--classes CLASSES.txt)', {
      field: 'classes',
    });
  }
  if (classes.length !== width) {
    throw new InputError(
      options.classesFile ?? joined.store,
      `${classes.length} class names for logits of ${width} columns`,
      {
        field: 'classes',
      },
    );
  }
  return {
    model,
    dataset: joined.dataset,
    source: joined.store,
    items: joined.items,
    logits: joined.logits,
    classes: [...classes],
    excluded: joined.excluded,
    ...(joined.preprocess === undefined ? {} : { preprocess: joined.preprocess }),
  };
}

/**
 * Checks class scores: one row per item, one column per class, finite values (−Infinity allowed:
 * a class with no kNN vote), at least one item.
 * @throws InputError naming the source, item and class
 */
export function checkClassScores(scores: ClassScores): void {
  if (scores.classes.length === 0)
    throw new InputError(scores.source, 'lists no classes', { field: 'classes' });
  if (scores.items.length === 0) throw new InputError(scores.source, 'has no item to score', { field: 'id' });
  checkLogits(
    scores.logits,
    scores.items.map((i) => i.id),
    scores.classes,
    scores.source,
  );
}
