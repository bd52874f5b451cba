/**
 * TF.js extractors on tiny models made here: a layers model built with tf.sequential and saved to a
 * temp dir, and a graph model whose GraphDef JSON is written out by hand. Expected values come from
 * plain tf ops on the same weights (conv2d, relu, mean, matMul), not from the loader's own path.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { InputError } from '../core/errors.js';
import type { ImageBatch } from '../core/types.js';
import { defaultPreprocess } from './descriptor.js';
import { loadModel, resolveModelSpec } from './load.js';
import { initTfjsBackend, tf } from './tfjs-backend.js';
import { fileSaveHandler } from './tfjs-io.js';

/** A deterministic (n, 8, 8, 3) batch in [0, 1). */
function batch(n: number, layout: 'nhwc' | 'nchw' = 'nhwc'): ImageBatch {
  const data = new Float32Array(n * 8 * 8 * 3).map((_, i) => (Math.sin(i * 0.7) + 1) / 2);
  return {
    ids: Array.from({ length: n }, (_, i) => `i${i}`),
    data,
    shape: layout === 'nhwc' ? [n, 8, 8, 3] : [n, 3, 8, 8],
  };
}

function assertClose(actual: Float32Array, expected: ArrayLike<number>, tol: number, what: string): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < actual.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
  }
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairscope-tfjs-'));
  await initTfjsBackend('wasm');
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('tfjs layers model', () => {
  let model: tf.Sequential;
  let modelDir: string;
  before(async () => {
    model = tf.sequential({
      layers: [
        tf.layers.conv2d({
          inputShape: [8, 8, 3],
          filters: 4,
          kernelSize: 3,
          name: 'conv',
          biasInitializer: 'randomNormal',
        }),
        tf.layers.reLU({ name: 'relu' }),
        tf.layers.globalAveragePooling2d({ name: 'pool' }),
        tf.layers.dense({ units: 6, activation: 'relu', name: 'emb', biasInitializer: 'randomNormal' }),
        tf.layers.dense({ units: 3, activation: 'softmax', name: 'head', biasInitializer: 'randomNormal' }),
      ],
    });
    modelDir = join(dir, 'layers');
    await model.save(fileSaveHandler(modelDir));
    await writeFile(
      join(modelDir, 'model.yaml'),
      [
        'format: tfjs-layers',
        'path: model.json',
        'output: emb',
        'logitsOutput: head',
        'classes: [x, y, z]',
        'preprocess: { resize: 8, crop: 8 }',
      ].join('\n'),
    );
  });

  /** emb = relu(mean_hw(relu(conv(x) + b1)) W2 + b2) with the model's own weights. */
  function expected(x: tf.Tensor4D): { emb: Float32Array; probs: Float32Array } {
    return tf.tidy(() => {
      const [k1, b1] = model.getLayer('conv').getWeights();
      const [k2, b2] = model.getLayer('emb').getWeights();
      const h = tf.relu(tf.add(tf.conv2d(x, k1 as tf.Tensor4D, 1, 'valid'), b1));
      const emb = tf.relu(tf.add(tf.matMul(tf.mean(h, [1, 2]), k2), b2));
      const probs = model.predict(x) as tf.Tensor;
      return { emb: emb.dataSync() as Float32Array, probs: probs.dataSync() as Float32Array };
    });
  }

  test('embedding = the named layer, logits = the softmax layer before its activation', async () => {
    const loaded = await loadModel(join(modelDir, 'model.yaml'));
    assert.equal(loaded.kind, 'extractor');
    if (loaded.kind !== 'extractor') return;
    const e = loaded.extractor;
    try {
      assert.equal(e.provider, 'tfjs/wasm');
      assert.equal(e.embeddingDim, 6);
      assert.deepEqual(e.classes, ['x', 'y', 'z']);
      assert.equal(loaded.descriptor.id, 'model');
      const b = batch(3);
      const out = await e.embed(b);
      const x = tf.tensor4d(b.data, b.shape);
      const want = expected(x);
      x.dispose();
      assertClose(out.embedding, want.emb, 1e-5, 'embedding');
      assert.ok(out.logits);
      // softmax of the returned logits must be the model's own output probabilities.
      const probs = tf.tidy(() => tf.softmax(tf.tensor2d(out.logits as Float32Array, [3, 3])).dataSync());
      assertClose(probs as Float32Array, want.probs, 1e-5, 'softmax(logits)');
      // Logits are not probabilities: rows do not sum to 1.
      assert.ok(Math.abs(out.logits[0] + out.logits[1] + out.logits[2] - 1) > 1e-3);
    } finally {
      await e.dispose();
    }
  });

  test('an NCHW preprocess is transposed to the NHWC model', async () => {
    const loaded = await loadModel(join(modelDir, 'model.yaml'));
    if (loaded.kind !== 'extractor') throw new Error('expected an extractor');
    const nhwc = batch(2);
    const nchw = batch(2, 'nchw');
    // Fill the NCHW batch with the same images.
    for (let n = 0; n < 2; n++)
      for (let h = 0; h < 8; h++)
        for (let w = 0; w < 8; w++)
          for (let c = 0; c < 3; c++)
            nchw.data[((n * 3 + c) * 8 + h) * 8 + w] = nhwc.data[((n * 8 + h) * 8 + w) * 3 + c];
    const a = await loaded.extractor.embed(nhwc);
    await loaded.extractor.dispose();
    const d = {
      ...loaded.descriptor,
      preprocess: { ...loaded.descriptor.preprocess, layout: 'nchw' as const },
    };
    const { loadTfjsExtractor } = await import('./tfjs.js');
    const e2 = await loadTfjsExtractor(d);
    const b = await e2.embed(nchw);
    await e2.dispose();
    assertClose(b.embedding, a.embedding, 1e-6, 'nchw vs nhwc');
  });

  test('an unknown layer lists the layers; a size mismatch names both shapes', async () => {
    const yaml = join(modelDir, 'bad-layer.yaml');
    await writeFile(
      yaml,
      'format: tfjs-layers\npath: model.json\noutput: flatten_1\npreprocess: { resize: 8, crop: 8 }\n',
    );
    await assert.rejects(
      loadModel(yaml),
      (err: unknown) =>
        err instanceof InputError &&
        err.file === yaml &&
        err.field === 'output' &&
        /has no layer "flatten_1"; its layers are "conv", "relu", "pool", "emb", "head"/.test(err.message),
    );
    const sized = join(modelDir, 'bad-size.yaml');
    await writeFile(sized, 'format: tfjs-layers\npath: model.json\noutput: emb\n');
    await assert.rejects(
      loadModel(sized),
      /input "input" has shape \[\?, 8, 8, 3\] but the preprocess gives NHWC, 3 channels, 224x224/,
    );
  });

  test('format tfjs-graph on a layers model.json says which it is', async () => {
    const yaml = join(modelDir, 'wrong-format.yaml');
    await writeFile(yaml, 'format: tfjs-graph\npath: model.json\npreprocess: { resize: 8, crop: 8 }\n');
    await assert.rejects(
      loadModel(yaml),
      /format is tfjs-graph but .* is a TF.js layers model \(use tfjs-layers\)/,
    );
  });
});

describe('tfjs graph model (hand-written GraphDef)', () => {
  const filter = Float32Array.from({ length: 3 * 3 * 3 * 4 }, (_, i) => Math.cos(i * 1.3) * 0.5);
  const w = Float32Array.from({ length: 4 * 2 }, (_, i) => (i % 3) - 1 + 0.25 * i);
  let modelJson: string;

  before(async () => {
    const gdir = join(dir, 'graph');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(gdir, { recursive: true });
    const b64 = (s: string) => Buffer.from(s).toString('base64');
    const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
    const topology = {
      node: [
        {
          name: 'x',
          op: 'Placeholder',
          attr: { dtype: { type: 'DT_FLOAT' }, shape: { shape: dims(-1, 8, 8, 3) } },
        },
        {
          name: 'filter',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(3, 3, 3, 4) } },
          },
        },
        {
          name: 'axes',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_INT32' },
            value: { tensor: { dtype: 'DT_INT32', tensorShape: dims(2) } },
          },
        },
        {
          name: 'w',
          op: 'Const',
          attr: {
            dtype: { type: 'DT_FLOAT' },
            value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(4, 2) } },
          },
        },
        {
          name: 'conv',
          op: 'Conv2D',
          input: ['x', 'filter'],
          attr: {
            T: { type: 'DT_FLOAT' },
            strides: { list: { i: ['1', '1', '1', '1'] } },
            dilations: { list: { i: ['1', '1', '1', '1'] } },
            padding: { s: b64('VALID') },
            data_format: { s: b64('NHWC') },
          },
        },
        { name: 'relu', op: 'Relu', input: ['conv'], attr: { T: { type: 'DT_FLOAT' } } },
        {
          name: 'pool',
          op: 'Mean',
          input: ['relu', 'axes'],
          attr: { T: { type: 'DT_FLOAT' }, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } },
        },
        {
          name: 'out',
          op: 'MatMul',
          input: ['pool', 'w'],
          attr: { T: { type: 'DT_FLOAT' }, transpose_a: { b: false }, transpose_b: { b: false } },
        },
      ],
      library: {},
      versions: {},
    };
    const manifest = [
      {
        paths: ['weights.bin'],
        weights: [
          { name: 'filter', shape: [3, 3, 3, 4], dtype: 'float32' },
          { name: 'axes', shape: [2], dtype: 'int32' },
          { name: 'w', shape: [4, 2], dtype: 'float32' },
        ],
      },
    ];
    const bytes = Buffer.concat([
      Buffer.from(filter.buffer),
      Buffer.from(new Int32Array([1, 2]).buffer),
      Buffer.from(w.buffer),
    ]);
    modelJson = join(gdir, 'model.json');
    await writeFile(join(gdir, 'weights.bin'), bytes);
    await writeFile(
      modelJson,
      JSON.stringify({ format: 'graph-model', modelTopology: topology, weightsManifest: manifest }),
    );
    await writeFile(
      join(gdir, 'pool.json'),
      JSON.stringify({
        format: 'tfjs-graph',
        path: 'model.json',
        output: 'pool',
        logitsOutput: 'out',
        classes: ['p', 'q'],
        preprocess: { resize: 8, crop: 8 },
      }),
    );
  });

  test('embedding from an inner node, logits from the output node, equal to plain tf ops', async () => {
    const loaded = await loadModel(join(dir, 'graph', 'pool.json'));
    if (loaded.kind !== 'extractor') throw new Error('expected an extractor');
    const e = loaded.extractor;
    try {
      assert.equal(e.embeddingDim, 4);
      assert.equal(e.provider, 'tfjs/wasm');
      const b = batch(3);
      const out = await e.embed(b);
      const [pool, logits] = tf.tidy(() => {
        const x = tf.tensor4d(b.data, b.shape);
        const p = tf.mean(tf.relu(tf.conv2d(x, tf.tensor4d(filter, [3, 3, 3, 4]), 1, 'valid')), [1, 2]);
        return [p.dataSync(), tf.matMul(p, tf.tensor2d(w, [4, 2])).dataSync()];
      });
      assertClose(out.embedding, pool, 1e-5, 'pool');
      assert.ok(out.logits);
      assertClose(out.logits, logits, 1e-5, 'logits');
    } finally {
      await e.dispose();
    }
  });

  test('a bare model.json gets the default preprocess; an unknown node lists nodes', async () => {
    const bare = await resolveModelSpec(modelJson);
    assert.equal(bare.format, 'tfjs-graph');
    assert.equal(bare.id, 'graph');
    assert.deepEqual(bare.preprocess, defaultPreprocess('tfjs-graph'));
    await assert.rejects(
      loadModel(modelJson),
      /shape \[\?, 8, 8, 3\] but the preprocess gives NHWC, 3 channels, 224x224/,
    );
    const yaml = join(dir, 'graph', 'bad.yaml');
    await writeFile(
      yaml,
      'format: tfjs-graph\npath: model.json\noutput: global_pooling/Mean\npreprocess: { resize: 8, crop: 8 }\n',
    );
    await assert.rejects(
      loadModel(yaml),
      /has no node "global_pooling\/Mean"; its last nodes are "x", "conv", "relu", "pool", "out"/,
    );
  });

  test('a truncated weights file is an error naming the model.json', async () => {
    const tdir = join(dir, 'truncated');
    const { mkdir, copyFile } = await import('node:fs/promises');
    await mkdir(tdir, { recursive: true });
    await copyFile(modelJson, join(tdir, 'model.json'));
    await writeFile(join(tdir, 'weights.bin'), new Uint8Array(10));
    // 3*3*3*4 float32 + 2 int32 + 4*2 float32 = 432 + 8 + 32 bytes.
    await assert.rejects(
      loadModel(join(tdir, 'model.json')),
      (err: unknown) =>
        err instanceof InputError &&
        err.file === join(tdir, 'model.json') &&
        /weight files hold 10 bytes but the manifest lists 472/.test(err.message),
    );
  });
});
