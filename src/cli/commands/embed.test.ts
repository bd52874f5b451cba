/**
 * `fairscope embed` / `fairscope merge` end to end, as a child process, with a real ONNX model
 * (test/fixtures/models/tiny-convnet.onnx, from tools/export_onnx.py). The expected embeddings come
 * from onnxruntime run directly on each image's tensor, one image per call.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { ManifestItem } from '../../core/types.js';
import { writeManifest } from '../../data/manifest.js';
import { readEmbeddings, readFailures } from '../../embed/store.js';
import { writeTestImages } from '../../embed/testing.js';
import { FilePreprocessor } from '../../image/node/file-preprocessor.js';
import { isFailure } from '../../image/preprocess.js';
import { DEFAULT_PREPROCESS } from '../../models/descriptor.js';
import { runCli, testDir } from '../testing/run-cli.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const MODEL = join(REPO, 'test', 'fixtures', 'models', 'tiny-convnet.onnx');

const root = await testDir('fairscope-cli-embed-');
let manifest: string;
let descriptor: string;
let items: ManifestItem[];

before(async () => {
  items = await writeTestImages(join(root, 'images'), 10);
  items.push({ id: 'broken', source: 'broken.jpg', labels: [], attrs: {} });
  await writeFile(join(root, 'images', 'broken.jpg'), 'not a jpeg');
  manifest = join(root, 'images', 'manifest.jsonl');
  await writeManifest(manifest, items);
  descriptor = join(root, 'tiny.yaml');
  await writeFile(
    descriptor,
    [
      'id: tiny-convnet',
      'format: onnx',
      `path: ${MODEL}`,
      'output: embedding',
      'provider: cpu',
      'preprocess: { resize: 20, crop: 16, interpolation: bicubic }',
      '',
    ].join('\n'),
  );
});

test('embed writes the store; rows equal onnxruntime on each image alone; a broken image exits 1', async () => {
  const out = join(root, 'store');
  const res = await runCli(
    'embed',
    '--model',
    descriptor,
    '--manifest',
    manifest,
    '--out',
    out,
    '--batch',
    '3',
    '--workers',
    '2',
    '--json',
  );
  assert.equal(res.code, 1, res.stderr);
  const summary = JSON.parse(res.stdout);
  assert.equal(summary.count, 10);
  assert.equal(summary.failed, 1);
  assert.equal(summary.failures[0].id, 'broken');
  assert.deepEqual(
    (await readFailures(out)).map((f) => f.id),
    ['broken'],
  );

  const set = await readEmbeddings(out);
  assert.deepEqual(
    set.ids,
    items.slice(0, 10).map((it) => it.id),
  );
  const pre = new FilePreprocessor({ ...DEFAULT_PREPROCESS, resize: 20, crop: 16, interpolation: 'bicubic' });
  const session = await ort.InferenceSession.create(MODEL);
  for (let i = 0; i < 10; i++) {
    const t = await pre.run({ id: items[i].id, path: join(root, 'images', items[i].source) });
    assert.ok(!isFailure(t));
    const r = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', t, [1, 3, 16, 16]) });
    const expected = r.embedding.data as Float32Array;
    const got = set.data.subarray(i * set.dim, (i + 1) * set.dim);
    for (let j = 0; j < set.dim; j++) assert.ok(Math.abs(got[j] - expected[j]) < 1e-5, `row ${i} col ${j}`);
  }
  await session.release();
});

test('shards merged by the CLI equal the single run; another model in the folder is refused', async () => {
  const single = join(root, 'store');
  const shards = [0, 1].map((i) => join(root, `shard${i}`));
  const other = join(root, 'other.yaml');
  await writeFile(
    other,
    `id: other\nformat: onnx\npath: ${MODEL}\noutput: embedding\nprovider: cpu\npreprocess: { resize: 16, crop: 16 }\n`,
  );
  const shard = (i: number) =>
    runCli(
      'embed',
      '--model',
      descriptor,
      '--manifest',
      manifest,
      '--out',
      shards[i],
      '--shard',
      `${i}/2`,
      '--workers',
      '0',
    );
  const [r0, r1, clash] = await Promise.all([
    shard(0),
    shard(1),
    runCli('embed', '--model', other, '--manifest', manifest, '--out', single, '--workers', '0'),
  ]);
  for (const r of [r0, r1]) assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const merged = join(root, 'merged');
  const m = await runCli('merge', shards[1], shards[0], '--out', merged, '--json');
  assert.equal(m.code, 0, m.stderr);
  assert.equal(JSON.parse(m.stdout).count, 10);
  const a = await readEmbeddings(merged);
  const b = await readEmbeddings(single);
  assert.deepEqual(a.ids, b.ids);
  assert.deepEqual(a.data, b.data);

  assert.equal(clash.code, 1);
  assert.match(clash.stderr, /holds embeddings of model "tiny-convnet".*this run is model "other"/);
});
