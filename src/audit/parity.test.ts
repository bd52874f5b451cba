/**
 * One engine: the same inputs through `fairscope audit` and through each command (probe, the three
 * indicators, robustness, curation with its evaluation) give identical rows, warnings, notes and
 * deviations. The embeddings are a precomputed .npy (a model descriptor of format `embeddings`), so
 * both front doors read exactly the same features.
 */
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { runCliInProcess, testDir } from '../cli/testing/run-cli.js';
import { canonicalJson } from '../core/hash.js';
import type { ResultsFile } from '../core/results.js';
import { Rng } from '../core/rng.js';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { writeManifest } from '../data/manifest.js';
import { f32le, npy } from '../models/testing/npy-file.js';
import { loadResults } from '../report/node/results-file.js';
import { runAudit } from './run.js';
import { parseAuditSpec } from './spec.js';

const root = await testDir('fairscope-parity-');
const at = (...p: string[]) => join(root, ...p);
const DIM = 6;
const CLASSES = ['person', 'dog', 'car', 'cell'];

/** 96 items of 48 subjects: a class-dependent mean plus noise, attributes for every grouping. */
function fixture(): { items: ManifestItem[]; data: Float32Array } {
  const rng = new Rng(7);
  const items: ManifestItem[] = [];
  const rows: number[] = [];
  for (let i = 0; i < 96; i++) {
    const label = CLASSES[i % CLASSES.length] as string;
    const split = i < 40 ? 'train' : i < 64 ? 'test' : i < 80 ? 'shift' : 'db';
    items.push({
      id: `img${String(i).padStart(3, '0')}`,
      source: `img${i}.png`,
      labels: [label],
      attrs: {
        split,
        gender: i % 3 === 0 ? 'female' : i % 3 === 1 ? 'male' : 'n/a',
        skintone: Math.floor(i / 2) % 2 === 0 ? 'lighter' : 'darker',
        region: ['Africa', 'Asia', 'Europe'][Math.floor(i / 4) % 3] as string,
      },
      cluster: `s${Math.floor(i / 2)}`,
    });
    const c = CLASSES.indexOf(label);
    for (let d = 0; d < DIM; d++) {
      const shift = split === 'shift' ? 0.8 : 0;
      rows.push(
        (d === c ? 2 : 0) + (d === 4 && i % 3 === 0 ? 1 : 0) + shift * (d === 5 ? 1 : 0) + rng.normal(),
      );
    }
  }
  return { items, data: Float32Array.from(rows) };
}

const TAXONOMY = {
  name: 'parity',
  associations: { Human: ['person'], 'Non-Human': ['dog'], Crime: ['cell'], 'Possibly-Human': [] },
  harmful: { types: ['Non-Human', 'Crime'] },
};

const BOOT = ['--resamples', '200', '--seed', '0', '--min-group-size', '10', '--min-clusters', '4'];

let audit: ResultsFile;
const cli: Record<string, ResultsFile> = {};

before(async () => {
  process.env.FAIRSCOPE_QUIET = '1';
  const { items, data } = fixture();
  await writeFile(at('feats.npy'), npy('<f4', [items.length, DIM], f32le(data)));
  await writeFile(at('feats.ids.txt'), `${items.map((it) => it.id).join('\n')}\n`);
  await writeFile(at('model.yaml'), stringify({ format: 'embeddings', path: 'feats.npy', id: 'feats' }));
  await writeFile(at('taxonomy.json'), JSON.stringify(TAXONOMY));
  await writeManifest(at('all.jsonl'), items);
  for (const split of ['train', 'test', 'shift', 'db']) {
    await writeManifest(
      at(`${split}.jsonl`),
      items.filter((it) => it.attrs.split === split),
    );
  }

  const spec = parseAuditSpec(
    {
      name: 'parity',
      seed: 0,
      bootstrap: { resamples: 200, level: 0.95, minGroupSize: 10, minClusters: 4 },
      datasets: {
        all: { manifest: 'all.jsonl' },
        train: { from: 'all', where: { split: 'train' } },
        test: { from: 'all', where: { split: 'test' } },
        shift: { from: 'all', where: { split: 'shift' } },
        db: { from: 'all', where: { split: 'db' } },
      },
      models: { m: { model: 'model.yaml' } },
      probes: {
        p: {
          train: 'train',
          head: 'linear',
          l2: 0.001,
          maxIter: 200,
          evaluate: { datasets: ['test'], groupBy: ['gender'] },
        },
      },
      indicators: {
        'label-association': [
          {
            dataset: 'test',
            classifier: 'probe:p',
            taxonomy: 'taxonomy.json',
            groups: ['gender', 'skintone'],
          },
        ],
        geographic: [{ dataset: 'test', classifier: 'probe:p', groups: ['region'] }],
        retrieval: [
          { queries: 'test', database: 'db', attribute: 'gender', k: [1, 5], groups: ['skintone'] },
        ],
      },
      robustness: {
        styleShift: [
          {
            inDistribution: 'test',
            shifted: ['shift'],
            classifier: 'probe:p',
            groups: ['gender'],
            metrics: ['top1', 'top5', 'accuracy_drop'],
          },
        ],
      },
      curation: [
        {
          dataset: 'train',
          model: 'm',
          budget: 12,
          strategy: 'balanced',
          balance: ['skintone'],
          evaluate: {
            test: 'test',
            labelFrom: 'attr:skintone',
            head: 'knn',
            groups: ['gender'],
            randomDraws: 2,
          },
        },
      ],
    },
    at('audit.yaml'),
  );
  audit = (await runAudit(spec, { outDir: at('audit'), specDir: root, log: () => {} })).results;

  const run = async (...args: string[]) => {
    const r = await runCliInProcess(...args);
    assert.equal(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
  };
  await run('embed', '--model', at('model.yaml'), '--manifest', at('all.jsonl'), '--out', at('store'));
  await run(
    'probe',
    'train',
    '--manifest',
    at('train.jsonl'),
    '--embeddings',
    at('store'),
    '--out',
    at('head'),
    '--l2',
    '0.001',
    '--max-iter',
    '200',
  );
  await run('probe', 'predict', '--head', at('head'), '--embeddings', at('store'), '--out', at('preds'));
  const common = ['--model', 'm', '--dataset', 'test', ...BOOT];
  await run(
    'indicator',
    'label-association',
    '--manifest',
    at('test.jsonl'),
    '--predictions',
    at('preds'),
    '--taxonomy',
    at('taxonomy.json'),
    '--groups',
    'gender,skintone',
    ...common,
    '--out',
    at('la.json'),
  );
  await run(
    'indicator',
    'geographic',
    '--manifest',
    at('test.jsonl'),
    '--predictions',
    at('preds'),
    '--groups',
    'region',
    ...common,
    '--out',
    at('geo.json'),
  );
  await run(
    'indicator',
    'retrieval',
    '--queries',
    at('test.jsonl'),
    '--query-embeddings',
    at('store'),
    '--database',
    at('db.jsonl'),
    '--database-embeddings',
    at('store'),
    '--attribute',
    'gender',
    '--k',
    '1,5',
    '--groups',
    'skintone',
    ...common,
    '--out',
    at('ret.json'),
  );
  await run(
    'probe',
    'eval',
    '--head',
    at('head'),
    '--embeddings',
    at('store'),
    '--manifest',
    at('test.jsonl'),
    '--group-by',
    'gender',
    ...common,
    '--results',
    at('probe.json'),
  );
  await writeFile(
    at('robustness.yaml'),
    stringify({
      inDistribution: 'test',
      datasets: { test: { manifest: 'test.jsonl' }, shift: { manifest: 'shift.jsonl' } },
      models: { m: { test: 'preds', shift: 'preds' } },
      groups: ['gender'],
      metrics: ['top1', 'top5', 'accuracy_drop'],
      bootstrap: { seed: 0, resamples: 200, level: 0.95, minGroupSize: 10, minClusters: 4 },
    }),
  );
  await run('robustness', '--spec', at('robustness.yaml'), '--out', at('rob.json'));
  await run(
    'curate',
    '--manifest',
    at('train.jsonl'),
    '--embeddings',
    at('store'),
    '--budget',
    '12',
    '--strategy',
    'balanced',
    '--balance',
    'skintone',
    '--model',
    'm',
    '--evaluate-test',
    at('test.jsonl'),
    '--label-from',
    'attr:skintone',
    '--head',
    'knn',
    '--evaluate-groups',
    'gender',
    '--random-draws',
    '2',
    ...BOOT,
    '--results',
    at('cur.json'),
    '--out',
    at('selected.jsonl'),
  );
  for (const name of ['la', 'geo', 'ret', 'probe', 'rob', 'cur'])
    cli[name] = await loadResults(at(`${name}.json`));
});

const sorted = (rows: readonly ResultRow[]) => rows.map((r) => canonicalJson(r)).sort();

function sameRows(indicator: string, file: string): void {
  const mine = audit.rows.filter((r) => r.indicator === indicator);
  const theirs = (cli[file] as ResultsFile).rows;
  assert.ok(mine.length > 0, `the audit has ${indicator} rows`);
  assert.equal(
    mine.length,
    theirs.length,
    `${indicator}: ${mine.length} audit rows, ${theirs.length} command rows`,
  );
  assert.deepEqual(sorted(mine), sorted(theirs));
}

describe('the audit and the commands compute the same rows', () => {
  it('label association', () => sameRows('label-association', 'la'));
  it('geographic', () => sameRows('geographic', 'geo'));
  it('retrieval', () => sameRows('retrieval', 'ret'));
  it('probe accuracy', () => sameRows('probe', 'probe'));
  it('robustness (natural shift)', () => sameRows('robustness', 'rob'));
  it('curation and its evaluation', () => sameRows('curation', 'cur'));
});

describe('the audit and the commands state the same deviations and notes', () => {
  it('every deviation of a command is the audit’s, and the audit has no other', () => {
    const fromCommands = new Set(Object.values(cli).flatMap((r) => r.deviations));
    assert.deepEqual([...new Set(audit.deviations)].sort(), [...fromCommands].sort());
  });

  it('every note of a command is among the audit’s', () => {
    const auditNotes = new Set(audit.extra.notes as string[]);
    for (const [name, r] of Object.entries(cli)) {
      for (const section of Object.values(r.extra)) {
        const notes = (section as { notes?: string[] } | string[] | undefined) ?? [];
        const list = Array.isArray(notes)
          ? notes.flatMap((n) => (n as { notes?: string[] }).notes ?? [])
          : (notes.notes ?? []);
        for (const n of list) assert.ok(auditNotes.has(n), `${name}: note missing from the audit: ${n}`);
      }
    }
  });
});

describe('results files stay valid after any number of re-runs', () => {
  it('re-running every command into its file twice keeps one row per cell, and report and gate accept it', async () => {
    const again = async (...args: string[]) => {
      const r = await runCliInProcess(...args);
      assert.equal(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
    };
    const common = ['--model', 'm', '--dataset', 'test', ...BOOT];
    for (let round = 0; round < 2; round++) {
      await again(
        'indicator',
        'geographic',
        '--manifest',
        at('test.jsonl'),
        '--predictions',
        at('preds'),
        '--groups',
        'region',
        ...common,
        '--append',
        '--out',
        at('geo.json'),
      );
      await again(
        'probe',
        'eval',
        '--head',
        at('head'),
        '--embeddings',
        at('store'),
        '--manifest',
        at('test.jsonl'),
        '--group-by',
        'gender',
        ...common,
        '--results',
        at('probe.json'),
      );
      await again('robustness', '--spec', at('robustness.yaml'), '--append', '--out', at('rob.json'));
      await again(
        'curate',
        '--manifest',
        at('train.jsonl'),
        '--embeddings',
        at('store'),
        '--budget',
        '12',
        '--strategy',
        'balanced',
        '--balance',
        'skintone',
        '--model',
        'm',
        ...BOOT,
        '--results',
        at('cur.json'),
        '--out',
        at('selected.jsonl'),
      );
    }
    const gaps: Record<string, string> = {
      geo: 'hit_rate',
      probe: 'top1-accuracy',
      rob: 'top1',
      cur: 'probe.accuracy',
    };
    for (const [name, metric] of Object.entries(gaps)) {
      const after = await loadResults(at(`${name}.json`));
      assert.equal(after.rows.length, (cli[name] as ResultsFile).rows.length, `${name}: rows after re-runs`);
      await again('report', at(`${name}.json`), '--out', at(`report-${name}`));
      const gate = await runCliInProcess('gate', at(`${name}.json`), '--max-gap', `${metric}=1000`);
      assert.equal(gate.code, 0, `gate ${name}: ${gate.stdout}${gate.stderr}`);
    }
  });

  it('appending a retrieval on a second attribute keeps the first attribute’s rows', async () => {
    const first = (cli.ret as ResultsFile).rows.length;
    const r = await runCliInProcess(
      'indicator',
      'retrieval',
      '--queries',
      at('test.jsonl'),
      '--query-embeddings',
      at('store'),
      '--database',
      at('db.jsonl'),
      '--database-embeddings',
      at('store'),
      '--attribute',
      'skintone',
      '--k',
      '1,5',
      '--model',
      'm',
      '--dataset',
      'test',
      ...BOOT,
      '--append',
      '--out',
      at('ret.json'),
    );
    assert.equal(r.code, 0, r.stderr);
    const both = await loadResults(at('ret.json'));
    const byAttribute = (a: string) => both.rows.filter((row) => row.params.attribute === a).length;
    assert.equal(byAttribute('gender'), first);
    assert.ok(byAttribute('skintone') > 0);
  });
});

describe('robustness scores what the probe predicts', () => {
  it('without labelFrom, the label source recorded by `probe predict` is scored, as the audit defaults to the probe’s', async () => {
    const ok = async (...args: string[]) => {
      const r = await runCliInProcess(...args);
      assert.equal(r.code, 0, `${args.join(' ')}\n${r.stderr}`);
    };
    await ok(
      'probe',
      'train',
      '--manifest',
      at('train.jsonl'),
      '--embeddings',
      at('store'),
      '--label-from',
      'attr:skintone',
      '--out',
      at('head-tone'),
    );
    await ok(
      'probe',
      'predict',
      '--head',
      at('head-tone'),
      '--embeddings',
      at('store'),
      '--out',
      at('preds-tone'),
    );
    const spec = (labelFrom?: string) =>
      stringify({
        inDistribution: 'test',
        datasets: { test: { manifest: 'test.jsonl' }, shift: { manifest: 'shift.jsonl' } },
        models: { m: { test: 'preds-tone', shift: 'preds-tone' } },
        groups: ['gender'],
        ...(labelFrom === undefined ? {} : { labelFrom }),
        bootstrap: { seed: 0, resamples: 50, level: 0.95 },
      });
    await writeFile(at('rob-tone.yaml'), spec());
    await writeFile(at('rob-tone-explicit.yaml'), spec('attr:skintone'));
    await ok('robustness', '--spec', at('rob-tone.yaml'), '--out', at('rob-tone.json'));
    await ok('robustness', '--spec', at('rob-tone-explicit.yaml'), '--out', at('rob-tone-explicit.json'));
    const implicit = await loadResults(at('rob-tone.json'));
    const explicit = await loadResults(at('rob-tone-explicit.json'));
    assert.deepEqual(sorted(implicit.rows), sorted(explicit.rows));
    const overall = implicit.rows.find(
      (r) =>
        r.kind === 'value' &&
        r.metric === 'top1' &&
        r.params.shift === 'none' &&
        Object.keys(r.group).length === 0,
    );
    assert.equal(overall?.n, 24, 'every test item is scored against its skin tone');
  });
});
