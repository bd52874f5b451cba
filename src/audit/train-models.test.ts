import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import sharp from 'sharp';
import { UsageError } from '../core/errors.js';
import type { ManifestItem } from '../core/types.js';
import { writeManifest } from '../data/manifest.js';
import { DEFAULT_CONFIG } from '../train/config.js';
import { withSeededInit } from '../train/loop.js';
import { buildMethod } from '../train/methods.js';
import { resolveDatasets } from './datasets.js';
import { runAudit } from './run.js';
import { parseAuditSpec, readAuditSpec } from './spec.js';
import { collapseWarning, prepareTrainedModel, trainConfigOf } from './train-models.js';

const COLOURS: Record<string, [number, number, number]> = { red: [220, 40, 30], blue: [30, 50, 220] };

/** 32 images of 16 px: 2 colour classes x 2 tones x 8, each a noisy square on a grey ground. */
async function makeImages(dir: string): Promise<ManifestItem[]> {
  const items: ManifestItem[] = [];
  let k = 0;
  for (const [label, rgb] of Object.entries(COLOURS)) {
    for (const tone of ['a', 'b']) {
      for (let s = 0; s < 8; s++, k++) {
        const px = Buffer.alloc(16 * 16 * 3, 128);
        const off = 2 + (s % 4);
        for (let y = off; y < off + 9; y++)
          for (let x = off; x < off + 9; x++)
            for (let c = 0; c < 3; c++) {
              const noise = ((x * 7 + y * 3 + k * 13 + c) % 21) - 10;
              const shade = tone === 'a' ? 0 : 30;
              px[(y * 16 + x) * 3 + c] = Math.max(0, Math.min(255, (rgb[c] as number) - shade + noise));
            }
        const file = `img${k}.png`;
        await sharp(px, { raw: { width: 16, height: 16, channels: 3 } })
          .png()
          .toFile(join(dir, file));
        items.push({
          id: `i${k}`,
          source: file,
          labels: [label],
          attrs: { tone, split: s < 6 ? 'train' : 'test' },
          cluster: `c${Math.floor(k / 2)}`,
        });
      }
    }
  }
  return items;
}

const common = { dataset: 'all', backbone: 'resnet-tiny', epochs: 1, batch: 16, imageSize: 16 };

function rawSpec(swavEpochs = 1): Record<string, unknown> {
  return {
    name: 'paradigms test',
    seed: 5,
    bootstrap: { resamples: 100, minGroupSize: 4 },
    datasets: {
      all: { manifest: 'data.jsonl' },
      train: { from: 'all', where: { split: 'train' } },
      test: { from: 'all', where: { split: 'test' } },
    },
    models: {
      init: { train: { ...common, method: 'none' } },
      swav: { train: { ...common, method: 'swav', epochs: swavEpochs, prototypes: 8 } },
      sup: { train: { ...common, method: 'supervised', lr: 0.05 } },
    },
    probes: { colour: { train: 'train' } },
    indicators: {
      geographic: [{ dataset: 'test', classifier: 'probe:colour', groups: ['tone'] }],
      retrieval: [{ queries: 'test', database: 'train', attribute: 'tone', k: [1], groups: ['tone'] }],
    },
  };
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairscope-train-audit-'));
  await writeManifest(join(dir, 'data.jsonl'), await makeImages(dir));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** results.models[model].training as an object (an empty one when absent, failing the checks). */
const trainingOf = (r: { results: { models: Record<string, Record<string, unknown>> } }, model: string) =>
  (r.results.models[model]?.training ?? {}) as Record<string, unknown>;

const mtime = async (p: string) => (await stat(p)).mtimeMs;
const embeddingsOf = (out: string, model: string) =>
  join(out, 'cache', 'embeddings', model, 'all', 'embeddings.parquet');

test('an audit trains its models, records how, reuses them on a re-run and retrains only what changed', async () => {
  const out = join(dir, 'out');
  const specPath = join(dir, 'audit.yaml');
  const logs: string[] = [];
  const first = await runAudit(parseAuditSpec(rawSpec(), specPath), {
    outDir: out,
    specDir: dir,
    log: (l) => logs.push(l),
  });
  const models = new Set(first.results.rows.map((r) => r.model));
  assert.deepEqual([...models].sort(), ['init', 'sup', 'swav']);
  for (const m of ['init', 'sup', 'swav']) {
    assert.ok(
      first.results.rows.some((r) => r.model === m && r.indicator === 'geographic'),
      m,
    );
    assert.ok(
      first.results.rows.some((r) => r.model === m && r.indicator === 'retrieval'),
      m,
    );
  }
  const swav = trainingOf(first, 'swav');
  // 32 images, batch 16: 2 steps per epoch (the last partial batch is dropped).
  assert.equal(swav.method, 'swav');
  assert.equal(swav.backbone, 'resnet-tiny');
  assert.equal(swav.images, 32);
  assert.equal(swav.epochs, 1);
  assert.equal(swav.steps, 2);
  assert.ok(Number.isFinite(swav.finalLoss as number));
  assert.ok((swav.rankMe as number) >= 1);
  assert.ok(typeof swav.knnAccuracy === 'number');
  const init = trainingOf(first, 'init');
  assert.equal(init.method, 'none');
  assert.equal(init.steps, 0);
  assert.equal(init.finalLoss, null);
  assert.equal(init.seed, 5, 'the spec seed is the default');
  assert.equal(trainingOf(first, 'sup').steps, 2);
  const summary = await readFile(first.files.summary, 'utf8');
  assert.match(summary, /\| model \| adaptation \| training \| licence \|/);
  assert.match(summary, /swav on all \(32 images\): resnet-tiny, 16 px, 1 epochs = 2 steps at batch 16/);
  assert.match(summary, /untrained: resnet-tiny, 16 px at its random initialisation \(seed 5\)/);
  assert.match(await readFile(first.files.html, 'utf8'), /supervised on all \(32 images\)/);
  assert.ok(logs.some((l) => /model swav: epoch 1\/1 {2}loss/.test(l)));

  // Re-run (forced past the results cache): nothing trained, nothing embedded again.
  const before = {
    swav: await mtime(embeddingsOf(out, 'swav')),
    sup: await mtime(embeddingsOf(out, 'sup')),
    weights: await mtime(join(out, 'cache', 'train', 'swav', 'model', 'weights.bin')),
  };
  const again: string[] = [];
  await runAudit(parseAuditSpec(rawSpec(), specPath), {
    outDir: out,
    specDir: dir,
    force: true,
    log: (l) => again.push(l),
  });
  for (const m of ['init', 'swav', 'sup'])
    assert.ok(
      again.some((l) => l.startsWith(`audit: model ${m}: reusing the finished`)),
      m,
    );
  assert.ok(
    !again.some((l) => /model \w+: (epoch|training|resuming)|random initialisation/.test(l)),
    again.join('\n'),
  );
  assert.equal(await mtime(embeddingsOf(out, 'swav')), before.swav);
  assert.equal(await mtime(embeddingsOf(out, 'sup')), before.sup);
  assert.equal(await mtime(join(out, 'cache', 'train', 'swav', 'model', 'weights.bin')), before.weights);

  // Another epoch count: swav alone is retrained (the old run moved aside) and re-embedded.
  const changed: string[] = [];
  const third = await runAudit(parseAuditSpec(rawSpec(2), specPath), {
    outDir: out,
    specDir: dir,
    log: (l) => changed.push(l),
  });
  assert.ok(
    changed.some((l) =>
      /model swav: .* another configuration's run .* moved it to .*swav\.replaced-/.test(l),
    ),
  );
  assert.ok(changed.some((l) => l.startsWith('audit: model swav: epoch 2/2')));
  assert.ok(
    changed.some((l) => l === 'audit: model swav changed: its cached embeddings and probes were dropped'),
  );
  assert.ok(changed.some((l) => l.startsWith('audit: model sup: reusing the finished')));
  assert.notEqual(await mtime(embeddingsOf(out, 'swav')), before.swav);
  assert.equal(await mtime(embeddingsOf(out, 'sup')), before.sup);
  assert.equal(trainingOf(third, 'swav').steps, 4);
  const aside = readdirSync(join(out, 'cache', 'train'));
  assert.ok(
    aside.some((d) => d.startsWith('swav.replaced-')),
    aside.join(', '),
  );
});

test('the untrained model is the seeded initialisation: the same seed gives the same weights, another seed others', async () => {
  const spec = parseAuditSpec(rawSpec(), join(dir, 'audit.yaml'));
  const datasets = await resolveDatasets(spec, dir);
  const all = datasets.get('all');
  assert.ok(all !== undefined);
  const weights = async (out: string, seed: number) => {
    const t = { ...(spec.models.init?.train as NonNullable<(typeof spec.models)[string]['train']>), seed };
    const r = await prepareTrainedModel({
      name: 'init',
      train: t,
      specSeed: 0,
      dataset: all,
      outDir: out,
      log: () => {},
    });
    return {
      bytes: await readFile(join(out, 'cache', 'train', 'init', 'model', 'weights.bin')),
      id: r.modelId,
    };
  };
  const a = await weights(join(dir, 'seed-a'), 3);
  const b = await weights(join(dir, 'seed-b'), 3);
  const c = await weights(join(dir, 'seed-c'), 4);
  assert.ok(a.bytes.length > 10_000);
  assert.ok(a.bytes.equals(b.bytes), 'same seed, same weights');
  assert.equal(a.id, b.id);
  assert.ok(!a.bytes.equals(c.bytes), 'another seed, other weights');
  assert.notEqual(a.id, c.id);
  // It is where training starts: the backbone train() builds for SwAV with the same seed.
  const net = withSeededInit(3, (seedInit) =>
    buildMethod(
      {
        method: 'swav',
        backbone: 'resnet-tiny',
        imageSize: 16,
        hiddenDim: DEFAULT_CONFIG.hiddenDim,
        outputDim: DEFAULT_CONFIG.outputDim,
        prototypes: 8,
        localCrops: 2,
        freezePrototypesSteps: 2,
        numClasses: 2,
      },
      seedInit,
    ),
  );
  const start = new Float32Array(
    net.backbone.getWeights().flatMap((w) => [...(w.dataSync() as Float32Array)]),
  );
  tf.dispose(net.backbone.getWeights());
  assert.deepEqual(new Float32Array(a.bytes.buffer, a.bytes.byteOffset, a.bytes.length / 4), start);
});

test('a SwAV loss at ln K is flagged as a collapse', () => {
  // ln 100 = 4.60517: the collapsed emoji run ended at 4.6053.
  assert.match(collapseWarning('swav', 100, 4.6053) ?? '', /= ln 100: uniform predictions/);
  assert.equal(collapseWarning('swav', 100, 4.59), undefined);
  assert.equal(collapseWarning('swav', 30, 3.2534), undefined);
  assert.equal(collapseWarning('supervised', 100, 4.6052), undefined);
  assert.equal(collapseWarning('swav', 100, null), undefined);
});

test('an interrupted training run resumes from its checkpoint and ends with the weights of an uninterrupted one', async () => {
  const spec = parseAuditSpec(rawSpec(), join(dir, 'audit.yaml'));
  const all = (await resolveDatasets(spec, dir)).get('all');
  assert.ok(all !== undefined);
  const t = { ...(spec.models.sup?.train as NonNullable<(typeof spec.models)[string]['train']>), epochs: 2 };
  const whole = await prepareTrainedModel({
    name: 'sup',
    train: t,
    specSeed: 0,
    dataset: all,
    outDir: join(dir, 'whole'),
    log: () => {},
  });
  const out = join(dir, 'broken');
  await assert.rejects(
    prepareTrainedModel({
      name: 'sup',
      train: t,
      specSeed: 0,
      dataset: all,
      outDir: out,
      log: (l) => {
        if (l.includes('epoch 1/2')) throw new Error('interrupted');
      },
    }),
    /interrupted/,
  );
  const state = JSON.parse(await readFile(join(out, 'cache', 'train', 'sup', 'audit-train.json'), 'utf8'));
  assert.equal(state.status, 'running');
  const logs: string[] = [];
  const resumed = await prepareTrainedModel({
    name: 'sup',
    train: t,
    specSeed: 0,
    dataset: all,
    outDir: out,
    log: (l) => logs.push(l),
  });
  assert.ok(
    logs.some((l) => l.includes('resuming at epoch 2 of supervised')),
    logs.join('\n'),
  );
  assert.ok(!logs.some((l) => l.includes('epoch 1/2')));
  assert.equal(resumed.info.steps, 4);
  assert.equal(resumed.info.weights, whole.info.weights);
});

test('spec errors name the key path: model and train together, an unknown dataset, a bad method', () => {
  const base = rawSpec();
  const bad = (models: Record<string, unknown>) => ({ ...base, models });
  const check = (models: Record<string, unknown>, re: RegExp) =>
    assert.throws(
      () => parseAuditSpec(bad(models), 'a.yaml'),
      (err: unknown) => err instanceof UsageError && re.test(err.message),
    );
  check(
    { m: { model: 'nsfwjs-mobilenetv2', train: { ...common, method: 'swav' } } },
    /models\.m: give exactly one of "model" \(a model to load\) or "train"/,
  );
  check({ m: { batch: 4 } }, /models\.m: give exactly one of "model"/);
  check(
    { m: { train: { ...common, dataset: 'nope', method: 'swav' } } },
    /models\.m\.train\.dataset: no dataset "nope" \(datasets: all, train, test\)/,
  );
  check({ m: { train: { ...common, method: 'mae' } } }, /models\.m\.train\.method: Invalid enum value/);
  check(
    { m: { train: { ...common, method: 'simclr', queueLength: 32 } } },
    /models\.m\.train\.queueLength: a queue applies to method swav only/,
  );
  check(
    { m: { train: { ...common, method: 'swav', labelFrom: 'concept' } } },
    /models\.m\.train\.labelFrom: labels or attr:<name>/,
  );
  const ok = parseAuditSpec(
    bad({ m: { train: { dataset: 'all', backbone: 'resnet-tiny', method: 'swav' } } }),
    'a.yaml',
  );
  assert.deepEqual(
    { epochs: ok.models.m?.train?.epochs, batch: ok.models.m?.train?.batch, lr: ok.models.m?.train?.lr },
    { epochs: 10, batch: 64, lr: 0.1 },
  );
});

test('the augment block of a train entry is checked and reaches the training config only when given', () => {
  const withModels = (models: Record<string, unknown>) => ({ ...rawSpec(), models });
  assert.throws(
    () =>
      parseAuditSpec(
        withModels({ m: { train: { ...common, method: 'swav', augment: { blur: 2 } } } }),
        'a.yaml',
      ),
    (err: unknown) => err instanceof UsageError && /models\.m\.train\.augment\.blur/.test(err.message),
  );
  assert.throws(
    () =>
      parseAuditSpec(
        withModels({ m: { train: { ...common, method: 'swav', augment: { hue: 0 } } } }),
        'a.yaml',
      ),
    (err: unknown) =>
      err instanceof UsageError && /models\.m\.train\.augment: Unrecognized key/.test(err.message),
  );
  const augment = { colorStrength: 0.25, blur: 0, grayscale: 0, minScale: 0.5 };
  const spec = parseAuditSpec(
    withModels({
      a: { train: { ...common, method: 'swav', augment } },
      b: { train: { ...common, method: 'swav' } },
    }),
    'a.yaml',
  );
  assert.deepEqual(trainConfigOf(spec.models.a?.train as never, 0).augment, augment);
  // Absent, the key is absent too: configs from before the option keep their cache key.
  assert.ok(!('augment' in trainConfigOf(spec.models.b?.train as never, 0)));
});

test('runtime checks name the key path: supervised without labels, an unknown backbone, too few images', async () => {
  const unlabelled = (await readFile(join(dir, 'data.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const it = JSON.parse(l) as ManifestItem;
      return JSON.stringify(i % 5 === 0 ? { ...it, labels: [] } : it);
    })
    .join('\n');
  await writeFile(join(dir, 'unlabelled.jsonl'), `${unlabelled}\n`);
  const raw = {
    ...rawSpec(),
    datasets: { all: { manifest: 'unlabelled.jsonl' } },
    probes: {},
    indicators: {},
    models: {
      sup: { train: { ...common, method: 'supervised' } },
      odd: { train: { ...common, method: 'swav', backbone: 'resnet-9000' } },
      big: { train: { ...common, method: 'byol', batch: 64 } },
    },
  };
  const out = join(dir, 'bad-out');
  await assert.rejects(
    runAudit(parseAuditSpec(raw, join(dir, 'bad.yaml')), { outDir: out, specDir: dir, log: () => {} }),
    (err: unknown) =>
      err instanceof UsageError &&
      err.message.includes(
        'models.sup.train.labelFrom: supervised training needs a class for every image; 7 of 32 in dataset "all" have none under "labels", e.g. i0, i5, i10',
      ) &&
      err.message.includes('models.odd.train.backbone: no backbone "resnet-9000" (backbones: resnet-tiny,') &&
      err.message.includes('models.big.train.batch: dataset "all" has 32 images, fewer than one batch of 64'),
  );
  assert.ok(!existsSync(join(out, 'cache', 'train')), 'nothing was trained');
});

test('the paradigms demo spec compares random init, SwAV and supervised on one backbone and one dataset', async () => {
  const file = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    '..',
    'data',
    'demo',
    'paradigms-audit.yaml',
  );
  const spec = await readAuditSpec(file);
  const train = Object.fromEntries(Object.entries(spec.models).map(([n, m]) => [n, m.train]));
  assert.deepEqual(
    Object.entries(train).map(([n, t]) => [n, t?.method, t?.backbone, t?.dataset, t?.imageSize]),
    [
      ['random-init', 'none', 'resnet-tiny', 'train-styles', 32],
      ['swav', 'swav', 'resnet-tiny', 'train-styles', 32],
      ['supervised', 'supervised', 'resnet-tiny', 'train-styles', 32],
    ],
  );
  assert.equal(train.swav?.epochs, train.supervised?.epochs, 'the same number of steps');
  assert.equal(train.supervised?.labelFrom, 'labels');
  assert.ok(
    train.swav?.augment !== undefined,
    'SwAV gets the weak augmentation that keeps it from collapsing',
  );
  assert.deepEqual(train.supervised?.augment, train.swav?.augment, 'the same augmentation for both');
  assert.deepEqual(spec.datasets['train-styles']?.where, { style: ['google', 'twitter'] });
});
