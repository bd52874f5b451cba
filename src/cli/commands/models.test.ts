import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../core/errors.js';
import { runCli } from '../testing/run-cli.js';
import { builtinListing, describePreprocess, inspectReport, run } from './models.js';

const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/models/', import.meta.url));

describe('fairscope models', () => {
  test('--json lists the built-ins with preprocessing and sources', async () => {
    const rows = JSON.parse(builtinListing(true)) as {
      id: string;
      embeddingDim: number;
      preprocess: { scale: number };
      source: { licence: string; installed: string | null };
    }[];
    assert.deepEqual(
      rows.map((r) => [r.id, r.embeddingDim, r.preprocess.scale]),
      [
        ['nsfwjs-mobilenetv2', 1280, 1 / 255],
        ['human-faceres', 1024, 1],
      ],
    );
    assert.ok(rows.every((r) => r.source.licence === 'MIT' && r.source.installed !== null));
  });

  test('text listing shows the preprocessing in one line', async () => {
    assert.match(
      builtinListing(false),
      /nsfwjs-mobilenetv2\n.*\n.*flatten_1 \(1280-d\), logits dense_3\n {2}preprocess: squash to 224x224 \(bilinear\), x\/255, RGB NHWC/,
    );
  });

  test('describePreprocess spells out ImageNet normalisation', async () => {
    const { defaultPreprocess } = await import('../../models/descriptor.js');
    assert.equal(
      describePreprocess(defaultPreprocess('onnx')),
      'shorter side 256, center crop 224 (bilinear), x/255, mean 0.485,0.456,0.406 std 0.229,0.224,0.225, RGB NCHW',
    );
  });

  test('inspect lists the ONNX outputs and loads the model', async () => {
    const { code, text: out } = await inspectReport(join(FIXTURES, 'tiny-resnet.yaml'), undefined, true);
    assert.equal(code, 0);
    const info = JSON.parse(out) as {
      outputs: { name: string }[];
      loaded: { embeddingDim: number; provider: string };
    };
    assert.deepEqual(
      info.outputs.map((o) => o.name),
      ['embedding', 'logits'],
    );
    assert.deepEqual(info.loaded, {
      embeddingDim: 64,
      provider: 'onnxruntime/cpu',
      classes: ['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'c9'],
    });
  });

  test('inspect of a bare model that needs a descriptor exits 1 and says why', async () => {
    const { code, text: out } = await inspectReport(join(FIXTURES, 'tiny-convnet.onnx'), 'cpu', false);
    assert.equal(code, 1);
    assert.match(out, /outputs:\n {2}embedding {2}float32 \[batch, 8\]\n {2}logits {2}float32 \[batch, 3\]/);
    assert.match(out, /cannot load as configured: .*has 2 outputs/);
  });

  test('the command runs from the CLI and prints JSON', async () => {
    const r = await runCli('models', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as unknown[]).length, 2);
  });

  test('usage errors', async () => {
    await assert.rejects(
      run(['list']),
      (e: unknown) => e instanceof UsageError && /unknown subcommand "list"/.test(e.message),
    );
    await assert.rejects(run(['inspect']), /needs a model/);
    await assert.rejects(
      run(['--provider', 'tpu']),
      /--provider must be one of auto, cpu, cuda, webgpu, wasm, tensorflow/,
    );
  });
});
