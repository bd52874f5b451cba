/**
 * Built-in models, loaded from node_modules and run on two real images (Noto emoji PNGs, Apache-2.0,
 * from emoji-datasource-google). References: nsfwjs's own `infer(img, 'flatten_1')` and `classify`
 * for the MobileNetV2; for faceres, the graph executed by TF.js straight from the package's files.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import sharp from 'sharp';
import { UsageError } from '../core/errors.js';
import type { FeatureExtractor, ImageBatch } from '../core/types.js';
import { loadModel } from './load.js';
import { BUILTIN_MODEL_IDS, BUILTIN_MODELS, builtinDescriptor, packageRoot } from './registry.js';
import { initTfjsBackend, tf } from './tfjs-backend.js';

const EMOJI = ['1f469-1f3fb.png', '1f468-1f3ff.png']; // woman (type 1-2), man (type 6)

/** The two emoji as 224x224 RGB bytes (alpha flattened onto white, squashed), HWC row-major. */
async function images(): Promise<Uint8Array[]> {
  const root = packageRoot('emoji-datasource-google');
  assert.ok(root, 'emoji-datasource-google is installed');
  return Promise.all(
    EMOJI.map(async (f) => {
      const buf = await sharp(join(root, 'img/google/64', f))
        .flatten({ background: '#ffffff' })
        .resize(224, 224, { fit: 'fill', kernel: 'linear' })
        .raw()
        .toBuffer();
      return new Uint8Array(buf);
    }),
  );
}

function toBatch(imgs: Uint8Array[], scale: number): ImageBatch {
  const data = new Float32Array(imgs.length * 224 * 224 * 3);
  imgs.forEach((img, k) => {
    for (let i = 0; i < img.length; i++) data[k * img.length + i] = img[i] * scale;
  });
  return { ids: imgs.map((_, i) => `img${i}`), data, shape: [imgs.length, 224, 224, 3] };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let imgs: Uint8Array[];
before(async () => {
  await initTfjsBackend('wasm');
  imgs = await images();
});

describe('registry', () => {
  test('ids are the documented ones; each entry names package, version, licence', () => {
    assert.deepEqual(BUILTIN_MODEL_IDS, ['nsfwjs-mobilenetv2', 'human-faceres']);
    for (const id of BUILTIN_MODEL_IDS) {
      const s = BUILTIN_MODELS[id].source;
      assert.ok(s.package && s.version && s.licence && s.upstream, id);
    }
    assert.ok(Object.isFrozen(BUILTIN_MODELS));
  });

  test('unknown names list the built-ins', async () => {
    await assert.rejects(
      builtinDescriptor('resnet50'),
      (err: unknown) =>
        err instanceof UsageError &&
        /built-in models are nsfwjs-mobilenetv2, human-faceres/.test(err.message),
    );
  });

  test('nsfwjs classes come from the package in head order', async () => {
    const d = await builtinDescriptor('nsfwjs-mobilenetv2');
    assert.deepEqual(d.classes, ['Drawing', 'Hentai', 'Neutral', 'Porn', 'Sexy']);
  });
});

describe('nsfwjs-mobilenetv2', () => {
  let e: FeatureExtractor;
  before(async () => {
    const m = await loadModel('nsfwjs-mobilenetv2');
    assert.equal(m.kind, 'extractor');
    if (m.kind === 'extractor') e = m.extractor;
  });

  test('flatten_1 and the class probabilities match nsfwjs itself', async () => {
    assert.equal(e.embeddingDim, 1280);
    assert.equal(e.provider, 'tfjs/wasm');
    const out = await e.embed(toBatch(imgs, 1 / 255));
    assert.equal(out.embedding.length, 2 * 1280);
    assert.ok(out.embedding.every(Number.isFinite));
    assert.ok(
      maxAbsDiff(out.embedding.subarray(0, 1280), out.embedding.subarray(1280)) > 1e-3,
      'images differ',
    );
    assert.ok(out.logits);

    const nsfwjs = await import('nsfwjs');
    const info = console.info;
    console.info = () => {}; // nsfwjs announces the model it loads
    const reference = await nsfwjs.load('MobileNetV2');
    console.info = info;
    for (let k = 0; k < 2; k++) {
      const img = tf.tensor3d(imgs[k], [224, 224, 3], 'int32');
      const flat = reference.infer(img, 'flatten_1') as tf.Tensor;
      assert.ok(
        maxAbsDiff(out.embedding.subarray(k * 1280, (k + 1) * 1280), flat.dataSync()) < 1e-4,
        `image ${k}`,
      );
      const top = await reference.classify(img, 5);
      const logits = out.logits.subarray(k * 5, (k + 1) * 5);
      const probs = tf.tidy(() => tf.softmax(tf.tensor1d(logits)).dataSync());
      for (const { className, probability } of top) {
        const j = (e.classes ?? []).indexOf(className);
        assert.ok(
          Math.abs(probs[j] - probability) < 1e-5,
          `${className}: ${probs[j]} vs nsfwjs ${probability}`,
        );
      }
      tf.dispose([img, flat]);
    }
    // Not disposed: nsfwjs 4.3.0's dispose() disposes its intermediate model's shared layers, then throws
    // "Layer 'Conv1_pad' is already disposed" on the full model.
  });

  test('deterministic and independent of the batch it is in', async () => {
    const pair = await e.embed(toBatch(imgs, 1 / 255));
    const again = await e.embed(toBatch(imgs, 1 / 255));
    assert.deepEqual(again.embedding, pair.embedding);
    const alone = await e.embed(toBatch([imgs[1]], 1 / 255));
    assert.ok(maxAbsDiff(alone.embedding, pair.embedding.subarray(1280)) < 1e-5);
    await e.dispose();
  });
});

describe('human-faceres', () => {
  test('global_pooling/Mean (1024-d) equals the graph run straight from the package files', async () => {
    const m = await loadModel('human-faceres');
    if (m.kind !== 'extractor') throw new Error('expected an extractor');
    const e = m.extractor;
    assert.equal(e.embeddingDim, 1024);
    assert.equal(e.classes, undefined);
    const out = await e.embed(toBatch(imgs, 1));
    assert.ok(out.embedding.every(Number.isFinite));
    assert.ok(
      maxAbsDiff(out.embedding.subarray(0, 1024), out.embedding.subarray(1024)) > 1e-3,
      'images differ',
    );
    const again = await e.embed(toBatch(imgs, 1));
    assert.deepEqual(again.embedding, out.embedding);
    const alone = await e.embed(toBatch([imgs[0]], 1));
    assert.ok(maxAbsDiff(alone.embedding, out.embedding.subarray(0, 1024)) < 1e-4);
    await e.dispose();

    const dir = join(packageRoot('@vladmandic/human') ?? '', 'models');
    const json = JSON.parse(readFileSync(join(dir, 'faceres.json'), 'utf8'));
    const bin = readFileSync(join(dir, 'faceres.bin'));
    const graph = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
      }),
    );
    const x = tf.tensor4d(toBatch(imgs, 1).data, [2, 224, 224, 3]);
    const want = graph.execute(x, 'global_pooling/Mean') as tf.Tensor;
    assert.deepEqual(want.shape, [2, 1024]);
    assert.ok(maxAbsDiff(out.embedding, want.dataSync()) < 1e-4);
    tf.dispose([x, want]);
    graph.dispose();
  });
});
