/**
 * The ONNX extractor against PyTorch's own outputs. tools/export_onnx.py (Debian python3-torch 1.13,
 * torchvision 0.14) exported the models and wrote PyTorch's outputs on a closed-form input to
 * test/fixtures/models/*.json; these tests rebuild that input and run onnxruntime.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError, UsageError } from '../core/errors.js';
import type { FeatureExtractor } from '../core/types.js';
import { defaultPreprocess, type ModelDescriptor } from './descriptor.js';
import { loadModel } from './load.js';
import { loadOnnxExtractor } from './onnx.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test/fixtures/models');

interface Reference {
  file: string;
  sha256: string;
  inputShape: [number, number, number, number];
  embedding: number[][];
  logits: number[][];
}
const reference = JSON.parse(readFileSync(join(FIXTURES, 'reference.json'), 'utf8')) as {
  models: Record<string, Reference>;
};

/** tools/export_onnx.py formula_input: element j = float32(1.7 sin(0.0137 j + 0.5) + 0.3 cos(0.00091 j)). */
function formulaInput(shape: readonly number[]): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const x = new Float32Array(n);
  for (let j = 0; j < n; j++) x[j] = 1.7 * Math.sin(0.0137 * j + 0.5) + 0.3 * Math.cos(0.00091 * j);
  return x;
}

function descriptor(file: string, size: number, extra: Partial<ModelDescriptor> = {}): ModelDescriptor {
  const path = join(FIXTURES, file);
  return {
    id: file,
    format: 'onnx',
    path,
    output: 'embedding',
    preprocess: { ...defaultPreprocess('onnx'), resize: size, crop: size },
    origin: 'test.yaml',
    ...extra,
  };
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

/** Asserts |actual - expected| <= tol * max(1, |expected|) element-wise; names the worst element. */
function assertClose(actual: Float32Array, expected: number[][], tol: number, what: string): void {
  const flat = expected.flat();
  assert.equal(actual.length, flat.length, `${what}: length`);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < flat.length; i++) {
    const err = Math.abs(actual[i] - flat[i]) / Math.max(1, Math.abs(flat[i]));
    if (err > worst) {
      worst = err;
      at = i;
    }
  }
  assert.ok(
    worst <= tol,
    `${what}: element ${at} is ${actual[at]}, PyTorch ${flat[at]} (relative error ${worst})`,
  );
}

function batchOf(ref: Reference) {
  const shape = ref.inputShape;
  return { ids: Array.from({ length: shape[0] }, (_, i) => `item${i}`), data: formulaInput(shape), shape };
}

describe('onnx extractor vs PyTorch', () => {
  test('fixture files are the ones tools/export_onnx.py described', () => {
    for (const ref of Object.values(reference.models))
      assert.equal(sha256(join(FIXTURES, ref.file)), ref.sha256, ref.file);
  });

  test('tiny conv net: embedding and logits within 1e-5 of PyTorch', async () => {
    const ref = reference.models['tiny-convnet'];
    const e = await loadOnnxExtractor(
      descriptor(ref.file, 16, { logitsOutput: 'logits', classes: ['a', 'b', 'c'] }),
      { provider: 'cpu' },
    );
    try {
      assert.equal(e.provider, 'onnxruntime/cpu');
      assert.equal(e.embeddingDim, 8);
      assert.equal(e.fixedBatch, null);
      assert.deepEqual(e.classes, ['a', 'b', 'c']);
      const out = await e.embed(batchOf(ref));
      assertClose(out.embedding, ref.embedding, 1e-5, 'embedding');
      assert.ok(out.logits);
      assertClose(out.logits, ref.logits, 1e-5, 'logits');
    } finally {
      await e.dispose();
    }
  });

  test('a graph with a fixed batch of 2 runs 3 items as a padded pair of chunks', async () => {
    const ref = reference.models['tiny-convnet-b2'];
    // provider auto: the CPU here; a GPU provider where one works.
    const e = await loadOnnxExtractor(descriptor(ref.file, 16));
    try {
      assert.match(e.provider, /^onnxruntime\/(cpu|cuda|webgpu)$/);
      assert.equal(e.fixedBatch, 2);
      const out = await e.embed(batchOf(ref));
      assertClose(out.embedding, ref.embedding, 1e-5, 'embedding');
    } finally {
      await e.dispose();
    }
  });

  test('torchvision ResNet (BasicBlock, widths 8..64): cosine >= 0.9999 per item, and within 1e-4', async () => {
    const ref = reference.models['tiny-resnet'];
    const loaded = await loadModel(join(FIXTURES, 'tiny-resnet.yaml'));
    assert.equal(loaded.kind, 'extractor');
    if (loaded.kind !== 'extractor') return;
    const e = loaded.extractor;
    try {
      assert.equal(e.embeddingDim, 64);
      const out = await e.embed(batchOf(ref));
      for (let i = 0; i < ref.embedding.length; i++) {
        const row = out.embedding.subarray(i * 64, (i + 1) * 64);
        assert.ok(
          cosine(row, ref.embedding[i]) >= 0.9999,
          `item ${i}: cosine ${cosine(row, ref.embedding[i])}`,
        );
      }
      assertClose(out.embedding, ref.embedding, 1e-4, 'embedding');
      assert.ok(out.logits);
      assertClose(out.logits, ref.logits, 1e-4, 'logits');
    } finally {
      await e.dispose();
    }
  });
});

describe('onnx extractor: resnet18 exported by tools/export_onnx.py (45 MB, not committed)', () => {
  const ref = JSON.parse(readFileSync(join(FIXTURES, 'resnet18-reference.json'), 'utf8')) as {
    onnxPath: string;
    sha256: string;
    inputShape: [number, number, number, number];
    embedding: number[][];
  };
  const path = join(ROOT, ref.onnxPath);
  const missing = existsSync(path)
    ? false
    : `${ref.onnxPath} is absent: run /usr/bin/python3 tools/export_onnx.py to export it`;
  if (missing) process.stderr.write(`skipping resnet18 check: ${missing}\n`);

  test('the embeddings agree with PyTorch (cosine >= 0.9999)', { skip: missing }, async () => {
    assert.equal(
      sha256(path),
      ref.sha256,
      'the .onnx is not the one the fixture was computed with; re-run the tool',
    );
    const e = await loadOnnxExtractor(
      { ...descriptor('resnet18', 224), path, id: 'resnet18-seed0' },
      { provider: 'cpu' },
    );
    try {
      assert.equal(e.embeddingDim, 512);
      const shape = ref.inputShape;
      const out = await e.embed({ ids: ['a', 'b', 'c'], data: formulaInput(shape), shape });
      for (let i = 0; i < shape[0]; i++) {
        const c = cosine(out.embedding.subarray(i * 512, (i + 1) * 512), ref.embedding[i]);
        assert.ok(c >= 0.9999, `item ${i}: cosine ${c}`);
      }
    } finally {
      await e.dispose();
    }
  });
});

describe('onnx extractor: errors name the file and what disagrees', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'fairscope-onnx-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('layout disagreement names the model shape and the preprocess', async () => {
    const d = descriptor('tiny-convnet.onnx', 16);
    await assert.rejects(
      loadOnnxExtractor({ ...d, preprocess: { ...d.preprocess, layout: 'nhwc' } }, { provider: 'cpu' }),
      (err: unknown) =>
        err instanceof InputError &&
        err.file === d.path &&
        /model input "input" has shape \[\?, 3, 16, 16\] but the preprocess gives NHWC, 3 channels, 16x16/.test(
          err.message,
        ) &&
        /looks NCHW/.test(err.message),
    );
  });

  test('size disagreement names both sizes', async () => {
    await assert.rejects(
      loadOnnxExtractor(descriptor('tiny-convnet.onnx', 224), { provider: 'cpu' }),
      /shape \[\?, 3, 16, 16\] but the preprocess gives NCHW, 3 channels, 224x224: the model needs 16x16 images/,
    );
  });

  test('a file that is not a model is an InputError naming the file', async () => {
    const bogus = join(dir, 'bogus.onnx');
    await writeFile(bogus, 'this is not a protobuf model\n');
    await assert.rejects(
      loadOnnxExtractor({ ...descriptor('x', 16), path: bogus }, { provider: 'cpu' }),
      (err: unknown) =>
        err instanceof InputError && err.file === bogus && /is not an ONNX model/.test(err.message),
    );
  });

  test('a missing file is an InputError naming the file', async () => {
    const gone = join(dir, 'gone.onnx');
    await assert.rejects(
      loadOnnxExtractor({ ...descriptor('x', 16), path: gone }),
      (err: unknown) => err instanceof InputError && err.file === gone && /does not exist/.test(err.message),
    );
  });

  test('an unknown output lists the outputs; several outputs need a name', async () => {
    await assert.rejects(
      loadOnnxExtractor(descriptor('tiny-convnet.onnx', 16, { output: 'pool' }), { provider: 'cpu' }),
      /test\.yaml: field "output" .*has no output "pool"; it has "embedding", "logits"/,
    );
    const d = descriptor('tiny-convnet.onnx', 16);
    delete d.output;
    await assert.rejects(
      loadOnnxExtractor(d, { provider: 'cpu' }),
      /has 2 outputs \("embedding", "logits"\)/,
    );
  });

  test('logits need classes of the right count', async () => {
    await assert.rejects(
      loadOnnxExtractor(descriptor('tiny-convnet.onnx', 16, { logitsOutput: 'logits' }), { provider: 'cpu' }),
      /logitsOutput "logits" has 3 classes; give their names in `classes`/,
    );
    await assert.rejects(
      loadOnnxExtractor(
        descriptor('tiny-convnet.onnx', 16, { logitsOutput: 'logits', classes: ['a', 'b'] }),
        {
          provider: 'cpu',
        },
      ),
      /2 classes given but logitsOutput "logits" has 3/,
    );
  });

  test('a TF.js backend name is not an onnxruntime provider', async () => {
    await assert.rejects(
      loadOnnxExtractor(descriptor('tiny-convnet.onnx', 16), { provider: 'wasm' }),
      (err: unknown) =>
        err instanceof UsageError && /ONNX models run on auto, cpu, cuda, webgpu/.test(err.message),
    );
  });

  test('a batch whose shape disagrees with the preprocess is refused', async () => {
    const e: FeatureExtractor = await loadOnnxExtractor(descriptor('tiny-convnet.onnx', 16), {
      provider: 'cpu',
    });
    try {
      await assert.rejects(
        e.embed({ ids: ['a'], data: new Float32Array(16 * 16 * 3), shape: [1, 16, 16, 3] }),
        /batch of 1 ids with shape \[1, 16, 16, 3\].*does not match/,
      );
      const empty = await e.embed({ ids: [], data: new Float32Array(0), shape: [0, 3, 16, 16] });
      assert.equal(empty.embedding.length, 0);
    } finally {
      await e.dispose();
    }
  });
});
