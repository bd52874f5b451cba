import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import type { ClassScores } from '../indicators/class-scores.js';
import { evaluateRobustnessStage } from './stage.js';

const items: ManifestItem[] = ['a', 'b', 'c', 'd'].map((id, i) => ({
  id,
  source: `${id}.png`,
  labels: [i % 2 === 0 ? 'cat' : 'dog'],
  attrs: { tone: i < 2 ? 'x' : 'y' },
}));
const scores: ClassScores = {
  model: 'm',
  dataset: 'clean',
  source: 'preds',
  items,
  logits: new Float32Array([2, 0, 0, 2, 2, 0, 2, 0]),
  classes: ['cat', 'dog'],
};
const sets = [{ name: 'clean', kind: 'in-distribution' as const, items }];
const models = [{ id: 'm', scores: new Map([['clean', scores]]) }];
const bootstrap = { seed: 0, resamples: 20, level: 0.95 };

test('robustness per group: an attribute no item has is an error naming it', () => {
  const ok = evaluateRobustnessStage(sets, models, {
    inDistribution: 'clean',
    attributes: ['tone'],
    bootstrap,
  });
  const overall = ok.rows.find((r) => r.metric === 'top1' && Object.keys(r.group).length === 0);
  assert.equal(overall?.value, 0.75);
  assert.throws(
    () =>
      evaluateRobustnessStage(sets, models, { inDistribution: 'clean', attributes: ['region'], bootstrap }),
    /groups: unknown attribute\(s\) region; attributes are: tone/,
  );
});
