import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { run as pretrain } from './pretrain.js';
import { run as trainSupervised } from './train-supervised.js';

const dir = mkdtempSync(join(tmpdir(), 'fairscope-pretrain-'));
const manifest = join(dir, 'm.jsonl');

before(async () => {
  process.env.FAIRSCOPE_QUIET = '1';
  const lines: string[] = [];
  for (let i = 0; i < 8; i++) {
    // Two classes: bright-left vs bright-right 16×16 images with a little per-image variation.
    const px = Buffer.alloc(16 * 16 * 3);
    for (let y = 0; y < 16; y++)
      for (let x = 0; x < 16; x++)
        for (let c = 0; c < 3; c++)
          px[(y * 16 + x) * 3 + c] = ((i % 2 === 0) === x < 8 ? 200 : 30) + ((i * 7 + c * 13) % 20);
    await sharp(px, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(join(dir, `${i}.png`));
    lines.push(
      JSON.stringify({
        id: `img${i}`,
        source: `${i}.png`,
        labels: [i % 2 === 0 ? 'left' : 'right'],
        attrs: {},
      }),
    );
  }
  writeFileSync(manifest, `${lines.join('\n')}\n`);
});

const base = (out: string) => [
  '--manifest',
  manifest,
  '--backbone',
  'resnet-tiny',
  '--out',
  out,
  '--batch',
  '4',
  '--image-size',
  '16',
];

describe('fairscope pretrain', () => {
  const out = join(dir, 'swav');
  test('trains SwAV for an epoch and writes a loadable model, descriptor and checkpoint', async () => {
    assert.equal(await pretrain(['--method', 'swav', ...base(out), '--epochs', '1', '--prototypes', '8']), 0);
    const desc = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    assert.equal(desc.format, 'tfjs-layers');
    assert.equal(desc.path, 'model/model.json');
    assert.equal(desc.output, 'features');
    assert.deepEqual(
      [desc.preprocess.resize, desc.preprocess.layout, desc.preprocess.crop],
      [16, 'nhwc', null],
    );
    const mj = JSON.parse(readFileSync(join(out, 'model', 'model.json'), 'utf8'));
    const weights = readFileSync(join(out, 'model', 'weights.bin'));
    const model = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: mj.modelTopology,
        weightSpecs: mj.weightsManifest[0].weights,
        weightData: new Uint8Array(weights).buffer,
      }),
    );
    assert.deepEqual((model.predict(tf.zeros([1, 16, 16, 3])) as tf.Tensor).shape, [1, 64]);
    assert.equal(JSON.parse(readFileSync(join(out, 'checkpoint', 'meta.json'), 'utf8')).epoch, 1);
  });

  test('an existing checkpoint without --resume is refused', async () => {
    await assert.rejects(
      pretrain(['--method', 'swav', ...base(out), '--epochs', '1', '--prototypes', '8']),
      /a checkpoint exists: pass --resume/,
    );
  });

  test('--resume continues to the next epoch', async () => {
    await pretrain(['--method', 'swav', ...base(out), '--epochs', '2', '--prototypes', '8', '--resume']);
    assert.equal(JSON.parse(readFileSync(join(out, 'checkpoint', 'meta.json'), 'utf8')).epoch, 2);
  });

  test('--resume with other options is a clear error and leaves the checkpoint untouched', async () => {
    const before = readFileSync(join(out, 'checkpoint', 'weights.bin'));
    await assert.rejects(
      pretrain(['--method', 'swav', ...base(out), '--epochs', '3', '--prototypes', '16', '--resume']),
      /written by a different configuration/,
    );
    assert.deepEqual(readFileSync(join(out, 'checkpoint', 'weights.bin')), before);
  });

  test('--resume from corrupt weights is a clear error naming the file', async () => {
    const bad = join(dir, 'bad');
    await pretrain(['--method', 'simclr', ...base(bad), '--epochs', '1']);
    const bin = join(bad, 'checkpoint', 'weights.bin');
    const bytes = readFileSync(bin);
    writeFileSync(bin, bytes.subarray(0, bytes.length - 8));
    await assert.rejects(
      pretrain(['--method', 'simclr', ...base(bad), '--epochs', '2', '--resume']),
      /weights\.bin: corrupt checkpoint weights/,
    );
  });

  test('a manifest smaller than one batch is a clear error', async () => {
    await assert.rejects(
      pretrain([
        '--method',
        'byol',
        '--manifest',
        manifest,
        '--backbone',
        'resnet-tiny',
        '--out',
        join(dir, 'small'),
        '--batch',
        '16',
        '--image-size',
        '16',
      ]),
      /8 usable images, fewer than one batch \(--batch 16\)/,
    );
  });

  test('a diverging loss stops with a clear message and no checkpoint is written', async () => {
    const nan = join(dir, 'nan');
    await assert.rejects(
      pretrain(['--method', 'barlow', ...base(nan), '--epochs', '1', '--lr', '1e30', '--warmup-epochs', '0']),
      /loss is (NaN|Infinity|-Infinity) at epoch 1.*No epoch had completed/,
    );
    assert.equal(existsSync(join(nan, 'checkpoint')), false);
  });

  test('unknown method and backbone are usage errors listing the choices', async () => {
    await assert.rejects(
      pretrain(['--method', 'mae', ...base(join(dir, 'x'))]),
      /--method must be one of swav, simclr, byol, dino, barlow/,
    );
    await assert.rejects(
      pretrain(['--method', 'dino', '--manifest', manifest, '--backbone', 'vgg', '--out', join(dir, 'x')]),
      /--backbone must be one of resnet-tiny/,
    );
  });
});

describe('fairscope train-supervised', () => {
  test('trains a classifier for an epoch and writes the descriptor', async () => {
    const out = join(dir, 'sup');
    assert.equal(await trainSupervised([...base(out), '--epochs', '1']), 0);
    assert.equal(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).output, 'features');
    assert.deepEqual(JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')).classes, ['left', 'right']);
  });
});
