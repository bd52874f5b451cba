import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ManifestItem, ResultRow } from '../../core/types.js';
import { writeManifest } from '../../data/manifest.js';
import { writeEmbeddings } from '../../embed/store.js';
import { loadResults as readResults } from '../../report/node/results-file.js';
import { runCli, testDir } from '../testing/run-cli.js';

const dir = await testDir('fairscope-robustness-');

const classes = ['cat', 'dog', 'bird', 'fish'];

/** A prediction folder: logits rows given, or a row that predicts class p (5 for p, small for the rest). */
async function store(
  path: string,
  model: string,
  rows: Record<string, number[] | number>,
  failures: { id: string; reason: string }[] = [],
) {
  const ids = Object.keys(rows);
  const logits = new Float32Array(ids.length * classes.length);
  ids.forEach((id, i) => {
    const r = rows[id] as number[] | number;
    const row = typeof r === 'number' ? classes.map((_, j) => (j === r ? 5 : -0.1 * j)) : r;
    logits.set(row, i * classes.length);
  });
  await writeEmbeddings(path, {
    ids,
    dim: 1,
    data: new Float32Array(ids.length),
    logits,
    classes,
    modelId: model,
  });
  await writeFile(join(path, 'failures.jsonl'), failures.map((f) => `${JSON.stringify(f)}\n`).join(''));
}

const g = (gender: string) => ({ gender });
const clean: ManifestItem[] = [
  { id: 'c1', source: 'c1.png', labels: ['cat'], attrs: g('f') },
  { id: 'c2', source: 'c2.png', labels: ['dog'], attrs: g('f') },
  { id: 'c3', source: 'c3.png', labels: ['cat'], attrs: g('f') },
  { id: 'c4', source: 'c4.png', labels: ['bird'], attrs: g('m') },
  { id: 'c5', source: 'c5.png', labels: ['fish'], attrs: g('m') },
  { id: 'c6', source: 'c6.png', labels: ['dog'], attrs: g('m') },
];
const sketch: ManifestItem[] = [
  { id: 's1', source: 's1.png', labels: ['cat'], attrs: g('f') },
  { id: 's2', source: 's2.png', labels: ['dog', 'cat'], attrs: g('m') },
  { id: 's3', source: 's3.png', labels: ['zebra'], attrs: g('f') },
  { id: 's4', source: 's4.png', labels: ['dog'], attrs: g('m') },
];
await writeManifest(join(dir, 'clean.jsonl'), clean);
await writeManifest(join(dir, 'sketch.jsonl'), sketch);

// m1: clean c1 ✓, c2 ✓, c3 ✗ (dog; top-5 ✓), c4 ✓, c5 ✓, c6 ✗ (cat): 4/6.
await store(join(dir, 'p/m1/clean'), 'm1', {
  c1: [3, 1, 0, 0],
  c2: [0, 2, 1, 0],
  c3: [0, 2, 1, 0],
  c4: [0, 0, 2, 1],
  c5: [1, 0, 0, 3],
  c6: [2, 1, 0, 0],
});
// sketch, masked to the classes present {cat, dog}: s1 bird -> cat ✓; s2 fish -> tie cat/dog -> cat,
// one of its labels ✓; s3 has no class of the model (excluded); s4 cat ✗: 2/3 (unmasked: 0/3).
await store(join(dir, 'p/m1/sketch'), 'm1', {
  s1: [1, 0, 5, 0],
  s2: [0, 0, 0, 4],
  s3: [0, 0, 0, 1],
  s4: [2, 1, 0, 0],
});
// gaussian_noise 1: c1, c2, c4 right (3/6); 2: c1 right, c6 failed to embed (1/5)
await store(join(dir, 'p/m1/c/gaussian_noise/1'), 'm1', { c1: 0, c2: 1, c3: 1, c4: 2, c5: 0, c6: 0 });
await store(join(dir, 'p/m1/c/gaussian_noise/2'), 'm1', { c1: 0, c2: 0, c3: 1, c4: 0, c5: 0 }, [
  { id: 'c6', reason: 'cannot decode' },
]);
// m2 (baseline): clean c1, c2 (2/6); noise 1: c1 (1/6); noise 2: none
await store(join(dir, 'p/m2/clean'), 'm2', { c1: 0, c2: 1, c3: 1, c4: 0, c5: 0, c6: 0 });
await store(join(dir, 'p/m2/c/gaussian_noise/1'), 'm2', { c1: 0, c2: 0, c3: 1, c4: 0, c5: 0, c6: 0 });
await store(join(dir, 'p/m2/c/gaussian_noise/2'), 'm2', { c1: 1, c2: 0, c3: 1, c4: 0, c5: 0, c6: 0 });

const spec = `
inDistribution: clean
datasets:
  clean: { manifest: clean.jsonl }
  sketch: { manifest: sketch.jsonl, mask: present }
corruptions:
  names: [gaussian_noise]
  severities: [1, 2]
models:
  m1: { clean: p/m1/clean, sketch: p/m1/sketch, corruptions: "p/m1/c/{corruption}/{severity}" }
  m2: { clean: p/m2/clean, corruptions: "p/m2/c/{corruption}/{severity}" }
groups: [gender]
baseline: m2
bootstrap: { seed: 1, resamples: 50 }
`;
await writeFile(join(dir, 'spec.yaml'), spec);

function row(
  rows: ResultRow[],
  model: string,
  metric: string,
  params: Record<string, unknown>,
  group: Record<string, unknown> = {},
): ResultRow {
  const hits = rows.filter(
    (r) =>
      r.model === model &&
      r.metric === metric &&
      JSON.stringify(r.group) === JSON.stringify(group) &&
      Object.entries(params).every(([k, v]) => r.params[k] === v),
  );
  assert.equal(
    hits.length,
    1,
    `${model} ${metric} ${JSON.stringify(params)} ${JSON.stringify(group)}: ${hits.length} rows`,
  );
  return hits[0] as ResultRow;
}
const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-9, `${a} vs ${b}`);

describe('fairscope robustness', () => {
  it('scores prediction folders with masks, label sets and failures, and writes results.json', async () => {
    const out = join(dir, 'results.json');
    const r = await runCli('robustness', '--spec', join(dir, 'spec.yaml'), '--out', out, '--json');
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(summary.models, ['m1', 'm2']);
    assert.deepEqual(summary.datasets, ['clean', 'sketch', 'gaussian_noise/1', 'gaussian_noise/2']);
    const results = await readResults(out);
    const rows = results.rows;
    assert.ok(rows.every((x) => x.indicator === 'robustness'));
    close(row(rows, 'm1', 'top1', { shift: 'none' }).value, 4 / 6);
    close(row(rows, 'm1', 'top5', { shift: 'none' }).value, 1);
    close(row(rows, 'm1', 'top1', { shift: 'none' }, { gender: 'f' }).value, 2 / 3);
    const sk = row(rows, 'm1', 'top1', { shift: 'sketch' });
    close(sk.value, 2 / 3);
    assert.equal(sk.n, 3);
    assert.match(
      sk.warnings.join('\n'),
      /sketch: labels absent from the model's classes were dropped from label sets: zebra/,
    );
    assert.match(
      sk.warnings.join('\n'),
      /sketch: 1 of 4 items have no label among the model's classes and are left out/,
    );
    // corruption errors: m1 clean 1/3, severity 1: 1/2, severity 2: 4/5 -> CE 1.3
    close(row(rows, 'm1', 'corruption_error', { corruption: 'gaussian_noise', severity: 2 }).value, 4 / 5);
    close(row(rows, 'm1', 'mce', { normalization: 'none' }).value, 1.3);
    // baseline m2: 2/3, 5/6, 1 -> normalised CE 1.3 / (11/6); relative (1/6 + 7/15) / (1/6 + 1/3) = 19/15
    close(row(rows, 'm1', 'mce', { normalization: 'baseline' }).value, 1.3 / (11 / 6));
    close(row(rows, 'm1', 'relative_mce', { normalization: 'baseline' }).value, 19 / 15);
    assert.equal(row(rows, 'm1', 'mce', { normalization: 'baseline' }).params.baseline, 'm2');
    // drop and gaps, with intervals from 50 resamples
    const drop = row(rows, 'm1', 'accuracy_drop', { corruption: 'gaussian_noise', severity: 1, k: 1 });
    close(drop.value, 4 / 6 - 3 / 6);
    assert.ok(drop.ci[0] <= drop.value && drop.value <= drop.ci[1]);
    const gap = row(
      rows,
      'm1',
      'top1.difference',
      { shift: 'none', method: 'betweenGroups' },
      { gender: '*' },
    );
    close(gap.value, 0);
    // failures of the prediction folders are carried, not replaced
    assert.deepEqual(results.failures, [{ dataset: 'gaussian_noise/2', id: 'c6', reason: 'cannot decode' }]);
    const n2 = row(rows, 'm1', 'top1', { corruption: 'gaussian_noise', severity: 2 });
    assert.equal(n2.n, 5);
    assert.match(
      n2.warnings.join('\n'),
      /1 item\(s\) have no prediction from m1 \(failed images\): not scored/,
    );
    assert.equal(results.datasets.sketch?.resampled, 'independently');
  });

  it('names the key path of a spec error (exit 2)', async () => {
    await writeFile(
      join(dir, 'bad.yaml'),
      'datasets:\n  clean: { manifest: clean.jsonl, mask: maybe }\nmodels:\n  m1: { nope: p }\n',
    );
    const r = await runCli('robustness', '--spec', join(dir, 'bad.yaml'), '--out', join(dir, 'x.json'));
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid robustness spec:\n {2}datasets\.clean\.mask: /);
    await writeFile(
      join(dir, 'bad2.yaml'),
      'datasets:\n  clean: { manifest: clean.jsonl }\nmodels:\n  m1: { nope: p }\nbaseline: m9\n',
    );
    const r2 = await runCli('robustness', '--spec', join(dir, 'bad2.yaml'), '--out', join(dir, 'x.json'));
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /models\.m1\.nope: no dataset "nope"/);
    assert.match(r2.stderr, /baseline: no model "m9" \(models: m1\)/);
  });

  it('says which folder lacks logits', async () => {
    await writeEmbeddings(join(dir, 'p/nologits'), {
      ids: ['c1'],
      dim: 1,
      data: new Float32Array(1),
      modelId: 'x',
    });
    await writeFile(
      join(dir, 'nl.yaml'),
      'datasets:\n  clean: { manifest: clean.jsonl }\nmodels:\n  x: { clean: p/nologits }\n',
    );
    const r = await runCli('robustness', '--spec', join(dir, 'nl.yaml'), '--out', join(dir, 'x.json'));
    assert.equal(r.code, 1);
    assert.match(r.stderr, /p\/nologits\/embeddings\.parquet: field "logits" has no logits column/);
  });

  it('scoring nothing is an error (exit 1), or a warning in the last line with --allow-empty', async () => {
    // The predictions are classes, the items' genders are not: no item can be scored.
    await writeFile(
      join(dir, 'empty.yaml'),
      "inDistribution: clean\nlabelFrom: 'attr:gender'\ndatasets:\n  clean: { manifest: clean.jsonl }\nmodels:\n  m1: { clean: p/m1/clean }\nbootstrap: { resamples: 20 }\n",
    );
    const out = join(dir, 'empty.json');
    const args = ['robustness', '--spec', join(dir, 'empty.yaml'), '--out', out];
    const refused = await runCli(...args);
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /robustness \(model m1\) scored nothing: .*6 items have no label among the model's classes/,
    );
    assert.equal(existsSync(out), false);
    const allowed = await runCli(...args, '--allow-empty');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.match(
      allowed.stdout.trim().split('\n').at(-1) ?? '',
      /^warning: robustness \(model m1\) scored nothing/,
    );
    assert.ok(existsSync(out));
  });
});
