import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../core/errors.js';
import { renderModelCard } from './model-card.js';
import { loadResults } from './node/results-file.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'report', 'sample-results.json');

test('the card holds one model: details, data, headline group metrics, robustness, limitations', async () => {
  const results = await loadResults(SAMPLE);
  const card = renderModelCard(results, 'swav-rn50');
  for (const heading of [
    '## Model card: swav-rn50 (SwAV ResNet-50 (simulated))',
    '### Model details',
    '### Evaluation data',
    '### Group metrics (value [95% interval])',
    '#### Harmful label association',
    '##### hit rate (%) · cc-v1-mini · gender · tau=0.1',
    '### Robustness profile',
    '### Limitations',
  ]) {
    assert.ok(card.includes(heading), heading);
  }
  assert.match(card, /\*\*Adaptation for evaluation:\*\* linear probe on frozen features/);
  assert.match(card, /\*\*Licence:\*\* CC-BY-NC 4\.0/);
  // Only the headline tau of label association, and no other model's rows.
  assert.doesNotMatch(card, /tau=0\.3/);
  assert.doesNotMatch(card, /supervised-rn50/);
  // Its overall mCE row, written by hand from the fixture's value and interval (a plain number of
  // magnitude <= 2 gets 3 decimals).
  const mce = results.rows.find(
    (r) => r.model === 'swav-rn50' && r.metric === 'mce' && Object.keys(r.group).length === 0,
  );
  assert.ok(mce);
  assert.ok(card.includes(`mCE: ${mce.value.toFixed(3)} [${mce.ci[0].toFixed(3)}, ${mce.ci[1].toFixed(3)}]`));
  for (const d of results.deviations) assert.ok(card.includes(d));
  assert.match(card, /too small to conclude \(needs n >= 30 and clusters >= 10\)/);
  assert.match(card, /Drawings, not photographs/);
  // dollar-street has 2 failed images in the fixture; corrupted copies are rows of emoji-people
  // (their corruption is a parameter), never datasets of their own.
  assert.match(card, /\| dollar-street \| Dollar Street \| 530 \| CC BY 4\.0 \| geographic \| 2 \|/);
  assert.ok(!card.includes('~'), 'no dataset name encodes a corruption');
});

test('an unknown model is an error', async () => {
  const results = await loadResults(SAMPLE);
  assert.throws(() => renderModelCard(results, 'nope'), InputError);
});
