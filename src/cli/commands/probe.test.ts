/**
 * `fairscope probe` end to end on the sklearn golden data (test/fixtures/probe): train → predict →
 * eval in a temporary folder, with accuracies checked against sklearn's.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { FairscopeError, InputError } from '../../core/errors.js';
import { readEmbeddings, writeEmbeddings } from '../../embed/store.js';
import { predictLogits } from '../../probe/head.js';
import { knnLogits, predictKnn } from '../../probe/knn-head.js';
import { loadHead } from '../../probe/node/head-io.js';
import { captureOutput, testDir } from '../testing/run-cli.js';
import { run } from './probe.js';

const fixture = JSON.parse(
  await readFile(new URL('../../../test/fixtures/probe/sklearn_logreg.json', import.meta.url), 'utf8'),
) as {
  n_train: number;
  d: number;
  x_train: number[][];
  y_train: number[];
  x_test: number[][];
  y_test: number[];
  fits: { l2: number; train_accuracy: number; test_accuracy: number }[];
};
// Sorted class names, so that class index k is sklearn's integer class k.
const NAMES = ['cat', 'dog', 'emu', 'yak'];

const root = await testDir('fairscope-probe-cli-');
const emb = () => join(root, 'emb');
const trainManifest = () => join(root, 'train.jsonl');
const testManifest = () => join(root, 'test.jsonl');

/** Runs `fairscope probe ARGV` in this process, its text output captured. */
const probe = (...argv: string[]) => captureOutput(() => run(argv));

before(async () => {
  const x = [...fixture.x_train, ...fixture.x_test];
  const y = [...fixture.y_train, ...fixture.y_test];
  // One unembeddable item ("broken") listed in failures.jsonl, as `fairscope embed` writes it.
  const ids = x.map((_, i) => `img${i}`);
  await writeEmbeddings(emb(), { ids, dim: fixture.d, data: Float32Array.from(x.flat()), modelId: 'toy' });
  await writeFile(
    join(emb(), 'failures.jsonl'),
    `${JSON.stringify({ id: 'broken', reason: 'cannot decode' })}\n`,
  );
  const line = (i: number) =>
    JSON.stringify({
      id: ids[i],
      source: `${ids[i]}.png`,
      labels: [NAMES[y[i]]],
      attrs: { side: i % 2 === 0 ? 'left' : 'right' },
      cluster: `s${Math.floor(i / 4)}`,
    });
  const trainLines = fixture.x_train.map((_, i) => line(i));
  trainLines.push(JSON.stringify({ id: 'broken', source: 'broken.png', labels: ['cat'] }));
  await writeFile(trainManifest(), `${trainLines.join('\n')}\n`);
  await writeFile(testManifest(), `${fixture.x_test.map((_, i) => line(fixture.n_train + i)).join('\n')}\n`);
});

describe('fairscope probe', () => {
  const fit = () => fixture.fits[0];

  it('train → predict → eval reproduces sklearn accuracy', async () => {
    const head = join(root, 'head');
    const trained = await probe(
      'train',
      '--manifest',
      trainManifest(),
      '--embeddings',
      emb(),
      '--out',
      head,
      '--l2',
      String(fit().l2),
      '--backend',
      'js',
      '--json',
    );
    assert.equal(trained.code, 0);
    const report = JSON.parse(trained.stdout);
    assert.equal(report.items, fixture.n_train);
    assert.equal(report.skippedFailed, 1);
    assert.ok(Math.abs(report.metrics.trainAccuracy - fit().train_accuracy) <= 0.01);

    const pred = join(root, 'pred');
    assert.equal((await probe('predict', '--head', head, '--embeddings', emb(), '--out', pred)).code, 0);
    const written = await readEmbeddings(pred);
    assert.deepEqual(written.classes, NAMES);
    assert.equal(written.modelId, 'toy+linear-probe');
    assert.equal(
      (await readFile(join(pred, 'classes.txt'), 'utf8')).trim().split('\n').join(','),
      NAMES.join(','),
    );
    const input = await readEmbeddings(emb());
    const loaded = await loadHead(head);
    assert.ok(loaded.adaptation === 'linear-probe');
    const expected = predictLogits(loaded, input.data, input.ids.length);
    const logits = written.logits as Float32Array;
    assert.equal(logits.length, expected.length);
    for (let i = 0; i < logits.length; i++) assert.ok(Math.abs(logits[i] - expected[i]) < 1e-4);

    const evaluated = await probe(
      'eval',
      '--head',
      head,
      '--embeddings',
      emb(),
      '--manifest',
      testManifest(),
      '--group-by',
      'side',
      '--resamples',
      '100',
      '--json',
    );
    const rows = JSON.parse(evaluated.stdout).rows as {
      metric: string;
      group: object;
      value: number;
      ci: number[];
    }[];
    const overall = rows.find((r) => r.metric === 'top1-accuracy' && Object.keys(r.group).length === 0);
    assert.ok(overall !== undefined);
    assert.ok(Math.abs(overall.value - fit().test_accuracy) <= 0.01, `top-1 ${overall.value}`);
    assert.ok(overall.ci[0] <= overall.value && overall.value <= overall.ci[1]);
    assert.ok(rows.some((r) => r.metric === 'top1-accuracy.difference'));
  });

  it('trains a kNN head and evaluates it with leave-one-out on the training items', async () => {
    const head = join(root, 'knn');
    const args = ['--embeddings', emb(), '--backend', 'js'];
    assert.equal(
      (await probe('train', '--manifest', trainManifest(), '--out', head, '--head', 'knn', ...args)).code,
      0,
    );
    const loaded = await loadHead(head);
    assert.equal(loaded.adaptation, 'knn');
    const res = await probe(
      'eval',
      '--head',
      head,
      '--manifest',
      trainManifest(),
      '--resamples',
      '0',
      '--json',
      ...args,
    );
    const top1 = JSON.parse(res.stdout).rows[0];
    // With its own row left out an item cannot trivially vote for itself: accuracy is well below 1.
    assert.ok(top1.value < 0.9, `top-1 ${top1.value}`);

    // predict writes log(vote weights): −Infinity survives the Parquet round trip.
    const pred = join(root, 'knn-pred');
    assert.equal((await probe('predict', '--head', head, '--out', pred, ...args)).code, 0);
    const written = (await readEmbeddings(pred)).logits as Float32Array;
    assert.ok(loaded.adaptation === 'knn');
    const input = await readEmbeddings(emb());
    const votes = await predictKnn(loaded, input.data, input.ids.length, input.ids, { backend: 'js' });
    assert.deepEqual(written, knnLogits(votes.scores));
    assert.ok(written.some((v) => v === Number.NEGATIVE_INFINITY));
  });

  it('names an unlabelled item, and refuses a head trained on another model', async () => {
    const manifest = join(root, 'unlabelled.jsonl');
    await writeFile(manifest, `${JSON.stringify({ id: 'img0', source: 'a.png', labels: [] })}\n`);
    await assert.rejects(
      probe('train', '--manifest', manifest, '--embeddings', emb(), '--out', join(root, 'never')),
      (err: Error) =>
        err instanceof InputError &&
        /unlabelled\.jsonl: field "labels" 1 item\(s\) have no class in labels, e.g. "img0"/.test(
          err.message,
        ),
    );
    const other = join(root, 'other');
    await writeEmbeddings(other, {
      ids: ['img0'],
      dim: fixture.d,
      data: new Float32Array(fixture.d),
      modelId: 'else',
    });
    await assert.rejects(
      probe('predict', '--head', join(root, 'head'), '--embeddings', other, '--out', join(root, 'p2')),
      /embeddings come from model "else", but the head .* was trained on "toy"/,
    );
  });

  it('an evaluation that scores nothing fails, or says so last with --allow-empty', async () => {
    const manifest = join(root, 'all-unlabelled.jsonl');
    const lines = ['img0', 'img1'].map((id) => JSON.stringify({ id, source: `${id}.png`, labels: [] }));
    await writeFile(manifest, `${lines.join('\n')}\n`);
    const args = ['eval', '--head', join(root, 'head'), '--embeddings', emb(), '--manifest', manifest];
    const evaluate = [...args, '--skip-unlabeled', '--resamples', '0'];
    await assert.rejects(
      probe(...evaluate),
      (err: Error) =>
        err instanceof FairscopeError &&
        err.exitCode === 1 &&
        /probe eval \(model toy\+\S+\) scored nothing: .*skipped 2 item\(s\) without a class/.test(
          err.message,
        ),
    );
    const allowed = await probe(...evaluate, '--allow-empty');
    assert.equal(allowed.code, 0);
    assert.match(
      allowed.stdout.trim().split('\n').at(-1) ?? '',
      /^warning: probe eval \(model toy\+\S+\) scored nothing/,
    );
  });

  it('rejects a bad option value as a usage error', async () => {
    await assert.rejects(
      probe(
        'train',
        '--manifest',
        trainManifest(),
        '--embeddings',
        emb(),
        '--out',
        join(root, 'x'),
        '--head',
        'mlp',
      ),
      /--head must be one of linear, bn-linear, knn, got "mlp"/,
    );
  });
});
