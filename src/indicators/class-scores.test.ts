import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { embeddedItems } from '../embed/join.js';
import { scoresOfStore } from './class-scores.js';

const items: ManifestItem[] = ['a', 'b'].map((id) => ({ id, source: `${id}.png`, labels: [], attrs: {} }));
const joined = (classes?: string[]) =>
  embeddedItems(
    items,
    {
      ids: ['a', 'b'],
      dim: 1,
      data: new Float32Array(2),
      logits: new Float32Array(4),
      modelId: 'm',
      ...(classes ? { classes } : {}),
    },
    { manifest: 'm.jsonl', store: 'preds/', dataset: 'd' },
  );

test("a store's classes, a given class list, or indices; a given list must match the store's", () => {
  assert.deepEqual(scoresOfStore('m', joined(['cat', 'dog'])).classes, ['cat', 'dog']);
  assert.deepEqual(scoresOfStore('m', joined(), { classes: ['cat', 'dog'] }).classes, ['cat', 'dog']);
  assert.deepEqual(scoresOfStore('m', joined(), { nameByIndex: true }).classes, ['0', '1']);
  assert.throws(() => scoresOfStore('m', joined()), /preds\/: field "classes" lists no classes/);
  assert.throws(
    () => scoresOfStore('m', joined(['cat', 'dog']), { classes: ['dog', 'cat'], classesFile: 'map.json' }),
    /map\.json: field "classes" does not match the class list of preds\/ \(2 classes\): class 0 is "dog" here, "cat" there/,
  );
  assert.throws(
    () => scoresOfStore('m', joined(), { classes: ['cat'] }),
    /1 class names for logits of 2 columns/,
  );
});
