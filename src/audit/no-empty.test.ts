/**
 * No empty success: an audit entry that scores nothing is an error naming it; allowed
 * (--allow-empty, allowEmpty in the spec), a warning in the run, in results.json and in the
 * report's header. Here a probe evaluation whose labelled images fail to decode and whose decoded
 * images have no label (skipped): the checks before the work see labels, the stage scores nothing.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { testDir } from '../cli/testing/run-cli.js';
import { FairscopeError } from '../core/errors.js';
import { EMPTY_ENTRIES } from '../core/scored.js';
import type { ManifestItem } from '../core/types.js';
import { writeManifest } from '../data/manifest.js';
import { runAudit } from './run.js';
import { parseAuditSpec } from './spec.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'models');
const dir = await testDir('fairscope-no-empty-');

/** 8 labelled images of two colours; 2 unlabelled ones and 2 labelled files that are not images. */
async function dataset(): Promise<ManifestItem[]> {
  const items: ManifestItem[] = [];
  for (let k = 0; k < 8; k++) {
    const label = k % 2 === 0 ? 'red' : 'blue';
    const rgb = label === 'red' ? { r: 220, g: 30, b: 30 } : { r: 30, g: 40, b: 220 };
    await sharp({ create: { width: 16, height: 16, channels: 3, background: rgb } })
      .png()
      .toFile(join(dir, `img${k}.png`));
    items.push({ id: `i${k}`, source: `img${k}.png`, labels: [label], attrs: { ok: 'yes' } });
  }
  for (const k of [0, 1]) {
    await writeFile(join(dir, `broken${k}.png`), 'not an image');
    items.push({
      id: `b${k}`,
      source: `broken${k}.png`,
      labels: [k === 0 ? 'red' : 'blue'],
      attrs: { ok: 'no' },
    });
    items.push({ id: `u${k}`, source: `img${k}.png`, labels: [], attrs: { ok: 'no' } });
  }
  return items;
}

await writeManifest(join(dir, 'data.jsonl'), await dataset());

function spec(evaluate: Record<string, unknown> = {}) {
  return parseAuditSpec(
    {
      name: 'empty',
      bootstrap: { resamples: 20, minGroupSize: 2, minClusters: 2 },
      datasets: {
        all: { manifest: 'data.jsonl' },
        good: { from: 'all', where: { ok: 'yes' } },
        unscorable: { from: 'all', where: { ok: 'no' } },
      },
      models: { tiny: { model: join(fixtures, 'tiny-resnet.yaml'), batch: 8 } },
      probes: {
        colour: {
          train: 'good',
          maxIter: 20,
          skipUnlabeled: true,
          evaluate: { datasets: ['good', 'unscorable'], ...evaluate },
        },
      },
    },
    join(dir, 'audit.yaml'),
  );
}

test('an entry that scores nothing fails the audit, or is a loud warning where allowed', async () => {
  const out = join(dir, 'out');
  const refused = await runAudit(spec(), { outDir: out, specDir: dir, log: () => {} }).then(
    () => assert.fail('an empty entry passed'),
    (e: unknown) => e,
  );
  assert.ok(refused instanceof FairscopeError, String(refused));
  assert.equal(refused.exitCode, 1);
  assert.match(
    refused.message,
    /probes\.colour\.evaluate\.datasets\.1 \(model tiny\) scored nothing: \d+ row\(s\), every value n\/a/,
  );
  // The evaluation on the good images scored: it is not named.
  assert.doesNotMatch(refused.message, /datasets\.0/);
  assert.match(refused.message, /--allow-empty/);
  assert.equal(existsSync(join(out, 'results.json')), false, 'an empty audit wrote results');

  // --allow-empty: results and report, with the warning in each.
  const allowed = await runAudit(spec(), { outDir: out, specDir: dir, allowEmpty: true, log: () => {} });
  assert.equal(allowed.emptyWarnings.length, 1);
  assert.match(
    allowed.emptyWarnings[0] ?? '',
    /^warning: probes\.colour\.evaluate\.datasets\.1 \(model tiny\)/,
  );
  const recorded = allowed.results.extra[EMPTY_ENTRIES] as { entry: string; model: string }[];
  assert.deepEqual(
    recorded.map((e) => [e.entry, e.model]),
    [['probes.colour.evaluate.datasets.1', 'tiny']],
  );
  const html = await readFile(allowed.files.html, 'utf8');
  assert.match(
    html,
    /id="empty-entries"[\s\S]*1 evaluation\(s\) scored nothing[\s\S]*probes\.colour\.evaluate\.datasets\.1/,
  );
  assert.match(await readFile(allowed.files.summary, 'utf8'), /## Evaluations that scored nothing \(1\)/);

  // Reused results allowed by an earlier --allow-empty are not allowed without it.
  await assert.rejects(
    runAudit(spec(), { outDir: out, specDir: dir, log: () => {} }),
    /probes\.colour\.evaluate\.datasets\.1 \(model tiny\) scored nothing/,
  );
  const again = await runAudit(spec(), { outDir: out, specDir: dir, allowEmpty: true, log: () => {} });
  assert.equal(again.reused, true);
  assert.deepEqual(again.emptyWarnings, allowed.emptyWarnings);

  // allowEmpty on the entry (or a section above it) allows it too.
  const inSpec = await runAudit(spec({ allowEmpty: true }), { outDir: out, specDir: dir, log: () => {} });
  assert.equal(inSpec.reused, false);
  assert.equal(inSpec.emptyWarnings.length, 1);
});
