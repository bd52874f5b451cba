/**
 * The audit checks its whole spec before any work: each incompatible entry is an error naming it,
 * all listed at once, before a model is loaded or an embedding stored.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as arrow from 'apache-arrow';
import { stringify } from 'yaml';
import { testDir } from '../cli/testing/run-cli.js';
import { UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ManifestItem } from '../core/types.js';
import { writeManifest } from '../data/manifest.js';
import { f32le, npy } from '../models/testing/npy-file.js';
import { resolveDatasets } from './datasets.js';
import { checkAudit } from './preflight.js';
import { runAudit } from './run.js';
import { parseAuditSpec } from './spec.js';

const root = await testDir('fairscope-preflight-');
const at = (...p: string[]) => join(root, ...p);
const CLASSES = ['person', 'dog', 'car', 'cell'];
const DIM = 4;

/** 48 items: 4 classes, train/test, gender and skin tone on all, a mood on every third. */
const items: ManifestItem[] = Array.from({ length: 48 }, (_, i) => ({
  id: `img${i}`,
  source: `img${i}.png`,
  labels: [CLASSES[i % 4] as string],
  attrs: {
    split: i < 24 ? 'train' : 'test',
    gender: i % 2 === 0 ? 'f' : 'm',
    skintone: Math.floor(i / 2) % 2 === 0 ? 'lighter' : 'darker',
    region: ['Africa', 'Asia', 'Europe'][i % 3] as string,
    ...(i % 3 === 0 ? { mood: 'calm' } : {}),
  },
  cluster: `s${Math.floor(i / 2)}`,
}));
const rng = new Rng(3);
const features = Float32Array.from({ length: items.length * DIM }, () => rng.normal());
await writeManifest(at('all.jsonl'), items);
// A .npy model (features only) and a table model with logits over CLASSES.
await writeFile(at('feats.npy'), npy('<f4', [items.length, DIM], f32le(features)));
await writeFile(at('feats.ids.txt'), `${items.map((it) => it.id).join('\n')}\n`);
await writeFile(at('feats.yaml'), stringify({ format: 'embeddings', path: 'feats.npy' }));
const list = (width: number, values: Float32Array) =>
  arrow.vectorFromArray(
    items.map((_, i) => Array.from(values.subarray(i * width, (i + 1) * width))),
    new arrow.List(new arrow.Field('item', new arrow.Float32(), true)),
  );
await writeFile(
  at('scored.arrow'),
  arrow.tableToIPC(
    new arrow.Table({
      id: arrow.vectorFromArray(items.map((it) => it.id)),
      embedding: list(DIM, features),
      logits: list(CLASSES.length, features),
    }),
    'file',
  ),
);
await writeFile(
  at('scored.yaml'),
  stringify({ format: 'embeddings', path: 'scored.arrow', classes: CLASSES }),
);
await writeFile(
  at('taxonomy.json'),
  JSON.stringify({
    name: 'objects',
    associations: { Human: ['person'], 'Non-Human': ['dog'], Crime: ['cell'] },
  }),
);
await writeFile(at('zebras.json'), JSON.stringify({ name: 'zebras', associations: { Human: ['zebra'] } }));

/** A spec whose every entry fits its data and models. */
function goodSpec() {
  return {
    name: 'preflight',
    datasets: {
      all: { manifest: 'all.jsonl' },
      train: { from: 'all', where: { split: 'train' } },
      test: { from: 'all', where: { split: 'test' } },
      persons: { from: 'all', labels: ['person'] },
    },
    models: { feats: { model: 'feats.yaml' }, scored: { model: 'scored.yaml' } },
    probes: {
      p: { train: 'train', evaluate: { datasets: ['test'], groupBy: ['gender'] } },
      g: { train: 'train', labelFrom: 'attr:gender' },
    } as Record<string, Record<string, unknown>>,
    indicators: {
      'label-association': [
        {
          dataset: 'test',
          classifier: 'probe:p',
          taxonomy: 'taxonomy.json',
          groups: ['gender', ['gender', 'skintone']],
        },
        { dataset: 'test', classifier: 'logits', models: ['scored'], taxonomy: 'taxonomy.json' },
      ] as Record<string, unknown>[],
      geographic: [{ dataset: 'test', classifier: 'probe:p', groups: ['region'] }] as Record<
        string,
        unknown
      >[],
      retrieval: [
        { queries: 'test', database: 'train', attribute: 'gender', groups: ['skintone'] },
      ] as Record<string, unknown>[],
    },
    robustness: {
      corruptions: [
        { dataset: 'test', classifier: 'probe:g', corruptions: ['contrast'], groups: ['gender'] },
      ] as Record<string, unknown>[],
      styleShift: [
        {
          inDistribution: 'train',
          shifted: ['test'],
          classifier: 'logits',
          models: ['scored'],
          groups: ['skintone'],
        },
      ] as Record<string, unknown>[],
    },
    curation: [
      {
        dataset: 'train',
        model: 'feats',
        budget: 6,
        strategy: 'balanced',
        balance: ['skintone'],
        evaluate: { test: 'test', labelFrom: 'attr:gender', groups: ['skintone'] },
      },
    ] as Record<string, unknown>[],
  };
}

/** The same spec with an incompatible entry of every kind. */
function badSpec() {
  const spec = goodSpec();
  spec.probes.one = { train: 'persons', evaluate: { datasets: ['test'] } };
  spec.probes.u = {
    train: 'train',
    labelFrom: 'attr:mood',
    evaluate: { datasets: ['test'], groupBy: ['hair'] },
  };
  const [la, logits] = spec.indicators['label-association'] as [
    Record<string, unknown>,
    Record<string, unknown>,
  ];
  spec.indicators['label-association'] = [
    { ...logits, models: undefined },
    { ...la, taxonomy: 'zebras.json' },
  ];
  spec.indicators.geographic = [{ dataset: 'test', classifier: 'probe:p', groups: ['continent'] }];
  spec.indicators.retrieval = [{ queries: 'test', database: 'train', attribute: 'age' }];
  // The case: a probe trained on gender, an entry that scores the labels.
  spec.robustness.corruptions = [{ ...spec.robustness.corruptions[0], labelFrom: 'labels' }];
  spec.robustness.styleShift = [{ ...spec.robustness.styleShift[0], labelFrom: 'attr:gender' }];
  spec.curation = [
    {
      ...spec.curation[0],
      balance: ['age'],
      evaluate: { test: 'test', labelFrom: 'attr:gender', groups: ['hair'] },
    },
  ];
  return spec;
}

const EXPECTED: [string, RegExp][] = [
  ['indicators.label-association.0.classifier', /model "feats" has no logits \(.*\.npy matrix/],
  ['indicators.label-association.1.taxonomy', /taxonomy "zebras" names no class of probe "p"/],
  ['indicators.geographic.0.groups', /unknown attribute "continent"/],
  ['indicators.retrieval.0.attribute', /no item of dataset "test" has attribute\(s\) age/],
  ['indicators.retrieval.0.attribute', /no item of dataset "train" has attribute\(s\) age/],
  [
    'robustness.corruptions.0.classifier',
    /no label of dataset "test" under labelFrom "labels" .* is a class of probe "g"/,
  ],
  [
    'robustness.styleShift.0.classifier',
    /no label of dataset "train" .* is a class of the logits of model "scored"/,
  ],
  ['probes.one.train', /dataset "persons" has 1 class\(es\) .*; a probe needs two/],
  ['probes.u.train', /16 of 24 item\(s\) of dataset "train" have no class under labelFrom "attr:mood"/],
  ['probes.u.train', /dataset "train" has 1 class\(es\) under labelFrom "attr:mood" \(calm\)/],
  ['probes.u.evaluate.datasets.0', /item\(s\) of dataset "test" have no class under labelFrom "attr:mood"/],
  ['probes.u.evaluate.groupBy', /has attribute\(s\) hair/],
  ['curation.0.balance', /no item of dataset "train" has attribute\(s\) age/],
  ['curation.0.evaluate.groups', /no item of dataset "test" has attribute\(s\) hair/],
];

describe('the audit checks its whole spec before any work', () => {
  it('accepts a spec whose entries fit their data and models', async () => {
    const spec = parseAuditSpec(goodSpec(), at('good.yaml'));
    await checkAudit(spec, await resolveDatasets(spec, at('out-good')));
  });

  it('lists every incompatible entry at once, by its path, before embedding, in well under a second', async () => {
    const spec = parseAuditSpec(badSpec(), at('bad.yaml'));
    const out = at('out-bad');
    const started = performance.now();
    const err = await runAudit(spec, { outDir: out, specDir: root, log: () => {} }).then(
      () => assert.fail('the audit ran'),
      (e: unknown) => e,
    );
    const seconds = (performance.now() - started) / 1000;
    assert.ok(err instanceof UsageError, String(err));
    assert.equal(err.exitCode, 2);
    const lines = err.message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
    for (const [path, message] of EXPECTED) {
      assert.ok(
        lines.some((l) => l.startsWith(`${path}: `) && message.test(l)),
        `no problem at ${path} matching ${message} in:\n${err.message}`,
      );
    }
    // Nothing else: the other entries fit.
    const paths = new Set(lines.map((l) => l.slice(0, l.indexOf(': '))));
    assert.deepEqual([...paths].sort(), [...new Set(EXPECTED.map(([p]) => p))].sort(), err.message);
    assert.equal(existsSync(join(out, 'cache')), false, 'something was embedded or cached');
    assert.ok(seconds < 1, `the check took ${seconds.toFixed(2)} s`);
  });

  it('a partial taxonomy is an error unless allowed, then a note of the stage', async () => {
    const raw = goodSpec();
    await writeFile(
      at('partial.json'),
      JSON.stringify({ name: 'partial', associations: { Human: ['person', 'face'] } }),
    );
    raw.indicators['label-association'] = [
      { dataset: 'test', classifier: 'probe:p', taxonomy: 'partial.json' },
    ];
    const spec = parseAuditSpec(raw, at('partial.yaml'));
    const datasets = await resolveDatasets(spec, at('out-partial'));
    await assert.rejects(
      checkAudit(spec, datasets),
      /indicators\.label-association\.0\.taxonomy: 1 label\(s\) of taxonomy "partial" are not classes of probe "p" .*: face \(partialTaxonomy: true/,
    );
    (spec.indicators['label-association'][0] as { partialTaxonomy: boolean }).partialTaxonomy = true;
    await checkAudit(spec, datasets);
  });

  it('a concept map must name classes, and reach a label of the dataset', async () => {
    await writeFile(at('unknown-keys.json'), JSON.stringify({ zebra: ['animal'] }));
    await writeFile(at('elsewhere.json'), JSON.stringify({ person: ['human'], dog: ['animal'] }));
    const raw = goodSpec();
    raw.indicators.geographic = [
      { dataset: 'test', classifier: 'probe:p', groups: ['region'], conceptMap: 'unknown-keys.json' },
      { dataset: 'test', classifier: 'probe:p', groups: ['region'], conceptMap: 'elsewhere.json' },
    ];
    const spec = parseAuditSpec(raw, at('concepts.yaml'));
    await assert.rejects(
      checkAudit(spec, await resolveDatasets(spec, at('out-concepts'))),
      (err: unknown) => {
        assert.ok(err instanceof UsageError);
        assert.match(
          err.message,
          /indicators\.geographic\.0\.conceptMap: .*unknown-keys\.json: 1 key\(s\) are not class names/,
        );
        assert.match(
          err.message,
          /indicators\.geographic\.1\.classifier: no label of dataset "test" \(car, cell, dog, person\) is a concept of probe "p" .* \(animal, human\): nothing could be a hit/,
        );
        return true;
      },
    );
  });

  it('a probe limited to some models cannot serve an entry that runs on others', async () => {
    const raw = goodSpec();
    raw.probes.p = { train: 'train', models: ['feats'] };
    raw.indicators.geographic = [];
    const spec = parseAuditSpec(raw, at('limited.yaml'));
    await assert.rejects(
      checkAudit(spec, await resolveDatasets(spec, at('out-limited'))),
      /indicators\.label-association\.0\.classifier: probe "p" is trained for model\(s\) feats only, but this entry runs on model "scored" too/,
    );
  });
});
