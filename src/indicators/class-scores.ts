/**
 * The input of the classifier-based indicators: a dataset's items with class scores (a model's own
 * logits, or a probe's), rows aligned, as both front doors load them.
 */
import { InputError } from '../core/errors.js';
import type { FailedItem, ManifestItem, Preprocess } from '../core/types.js';
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
