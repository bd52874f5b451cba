import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../core/errors.js';
import { IMAGENET_MEAN, IMAGENET_STD } from '../core/types.js';
import { DEFAULT_PREPROCESS, defaultPreprocess, readDescriptor } from './descriptor.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairscope-desc-'));
  await mkdir(join(dir, 'sub'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string): Promise<string> {
  const f = join(dir, name);
  await writeFile(f, text);
  return f;
}

/** Runs fn, expects an InputError, returns it. */
function inputError(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

describe('model descriptors', () => {
  test('defaults are torchvision ImageNet eval; layout follows the engine', () => {
    assert.deepEqual(defaultPreprocess('onnx'), {
      resize: 256,
      resizeMode: 'shorter',
      crop: 224,
      interpolation: 'bilinear',
      scale: 1 / 255,
      mean: IMAGENET_MEAN,
      std: IMAGENET_STD,
      channels: 'rgb',
      layout: 'nchw',
    });
    assert.equal(defaultPreprocess('tfjs-graph').layout, 'nhwc');
    assert.equal(DEFAULT_PREPROCESS.layout, 'nchw');
  });

  test('YAML: paths relative to the descriptor, classes file read, preprocess merged over defaults', async () => {
    await writeFile(join(dir, 'sub', 'classes.txt'), 'cat\n dog \n\nbird\n');
    const f = await write(
      'sub/m.yaml',
      'format: onnx\npath: model.onnx\noutput: feat\nlogitsOutput: fc\nclasses: classes.txt\npreprocess:\n  crop: 192\n  channels: bgr\n',
    );
    const d = readDescriptor(f);
    assert.equal(d.id, 'm');
    assert.equal(d.path, join(dir, 'sub', 'model.onnx'));
    assert.deepEqual(d.classes, ['cat', 'dog', 'bird']);
    assert.equal(d.origin, f);
    assert.deepEqual(d.preprocess, { ...defaultPreprocess('onnx'), crop: 192, channels: 'bgr' });
  });

  test('JSON with inline classes and an explicit id', async () => {
    const f = await write(
      'j.json',
      JSON.stringify({ id: 'x', format: 'tfjs-layers', path: '/abs/model.json', classes: ['a'] }),
    );
    const d = readDescriptor(f);
    assert.equal(d.id, 'x');
    assert.equal(d.path, '/abs/model.json');
    assert.deepEqual(d.classes, ['a']);
    assert.equal(d.preprocess.layout, 'nhwc');
  });

  test('errors name the file, the key and what was expected', async () => {
    const unknown = await write('u.yaml', 'format: onnx\npath: m.onnx\noutptu: feat\n');
    const e1 = inputError(() => readDescriptor(unknown));
    assert.equal(e1.file, unknown);
    assert.match(e1.message, /unknown key\(s\) outptu/);

    const badFormat = await write('f.yaml', 'format: pytorch\npath: m.pt\n');
    const e2 = inputError(() => readDescriptor(badFormat));
    assert.equal(e2.field, 'format');
    assert.match(
      e2.message,
      /expected one of "onnx", "tfjs-graph", "tfjs-layers", "embeddings", got "pytorch"/,
    );

    const badMean = await write('m.yaml', 'format: onnx\npath: m.onnx\npreprocess:\n  mean: [0.5, 0.5]\n');
    const e3 = inputError(() => readDescriptor(badMean));
    assert.equal(e3.field, 'preprocess.mean');
    assert.match(e3.message, /preprocess\.mean: /);

    const badLayout = await write('l.yaml', 'format: onnx\npath: m.onnx\npreprocess: { layout: chw }\n');
    assert.match(
      inputError(() => readDescriptor(badLayout)).message,
      /preprocess\.layout: expected one of "nchw", "nhwc", got "chw"/,
    );

    const noPath = await write('p.yaml', 'format: onnx\n');
    const e4 = inputError(() => readDescriptor(noPath));
    assert.equal(e4.field, 'path');
    assert.match(e4.message, /path: expected string, got undefined/);

    const badStd = await write('s.yaml', 'format: onnx\npath: m.onnx\npreprocess: { std: [1, 0, 1] }\n');
    assert.match(inputError(() => readDescriptor(badStd)).message, /every std must be > 0/);
  });

  test('YAML syntax errors give the line; a list is not a descriptor; a missing classes file is named', async () => {
    const broken = await write('b.yaml', 'format: onnx\npath: [m.onnx\n');
    const e = inputError(() => readDescriptor(broken));
    assert.match(e.message, /is not valid YAML/);
    assert.ok(e.line !== undefined && e.line >= 2, `line ${e.line}`);
    const list = await write('list.yaml', '- format: onnx\n');
    assert.match(
      inputError(() => readDescriptor(list)).message,
      /expected a mapping of descriptor keys, got a list/,
    );
    const noClasses = await write('c.yaml', 'format: onnx\npath: m.onnx\nclasses: nope.txt\n');
    assert.match(
      inputError(() => readDescriptor(noClasses)).message,
      /classes file .*nope\.txt does not exist/,
    );
    assert.match(
      inputError(() => readDescriptor(join(dir, 'absent.yaml'))).message,
      /model descriptor does not exist/,
    );
  });
});
