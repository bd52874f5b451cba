/**
 * `fairscope audit` as a user runs it: an image that cannot be decoded is excluded (never replaced),
 * said in the last line and in results.json, and the exit status is 1, as `embed` does; a model that
 * crops states its crop among the deviations.
 */
import assert from 'node:assert/strict';
import { copyFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { writeManifest } from '../../data/manifest.js';
import { loadResults } from '../../report/node/results-file.js';
import { runCliInProcess, testDir } from '../testing/run-cli.js';

const fixtures = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures');

test('an undecodable image: excluded, named in the last line and the results, exit 1', async () => {
  process.env.FAIRSCOPE_QUIET = '1';
  const root = await testDir('fairscope-audit-cli-');
  for (const f of ['photo_48x36.jpg', 'wide_40x30.png', 'tall_23x41.png']) {
    await copyFile(join(fixtures, 'image', f), join(root, f));
  }
  await writeFile(join(root, 'broken.png'), 'not an image');
  await writeManifest(
    join(root, 'm.jsonl'),
    ['photo_48x36.jpg', 'wide_40x30.png', 'tall_23x41.png', 'broken.png'].map((source, i) => ({
      id: `i${i}`,
      source,
      labels: [],
      attrs: { gender: i % 2 === 0 ? 'female' : 'male' },
    })),
  );
  await writeFile(
    join(root, 'audit.yaml'),
    stringify({
      datasets: { d: { manifest: 'm.jsonl' } },
      models: { tiny: { model: join(fixtures, 'models', 'tiny-resnet.yaml') } },
      indicators: { retrieval: [{ queries: 'd', database: 'd', attribute: 'gender', k: [1] }] },
    }),
  );
  const r = await runCliInProcess('audit', join(root, 'audit.yaml'), '--out', join(root, 'out'));
  assert.equal(r.code, 1, r.stderr);
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  assert.match(
    last,
    /^1 image\(s\) could not be used and were excluded: listed under "failures" in .*results\.json$/,
  );
  const results = await loadResults(join(root, 'out', 'results.json'));
  assert.deepEqual(
    results.failures.map((f) => [f.dataset, f.id]),
    [['d', 'i3']],
  );
  // The tiny ResNet resizes to 64 and crops 64: its crop is a fact of this run's retrieval.
  assert.ok(
    results.deviations.some(
      (d) => d.startsWith('tiny: test images are resized') && d.includes('center-cropped to 64×64'),
    ),
    results.deviations.join('\n'),
  );
});
