/**
 * `fairscope indicator ...` end to end: manifests and stores written to a temporary folder from the
 * golden fixtures of tools/indicators_reference.py, results.json checked against the numpy values.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ManifestItem } from '../../core/types.js';
import { writeManifest } from '../../data/manifest.js';
import { writeEmbeddings } from '../../embed/store.js';
import { loadResults as readResults } from '../../report/node/results-file.js';
import { runCliInProcess, testDir } from '../testing/run-cli.js';

const fixture = async <T>(name: string) =>
  JSON.parse(
    await readFile(new URL(`../../../test/fixtures/indicators/${name}`, import.meta.url), 'utf8'),
  ) as T;

interface LabelFixture {
  inputs: {
    classes: string[];
    labelNames: string[];
    taxonomy: unknown;
    items: ManifestItem[];
    logits: number[][];
  };
  expected: [string, number, string, string, number | null, number | null][];
}
interface GeoFixture {
  inputs: { classes: string[]; conceptMap: unknown; items: ManifestItem[]; logits: number[][] };
  expected: {
    metric: string;
    params: { threshold: number };
    group: Record<string, string>;
    value: number | null;
  }[];
}
interface RetrievalFixture {
  inputs: {
    dim: number;
    queries: ManifestItem[];
    database: ManifestItem[];
    queryEmbeddings: number[];
    databaseEmbeddings: number[];
  };
  expected: { params: { k: number }; group: Record<string, string>; value: number }[];
}

const root = await testDir('fairscope-indicator-cli-');
const at = (...p: string[]) => join(root, ...p);

before(() => {
  process.env.FAIRSCOPE_QUIET = '1';
});

describe('indicator label-association', () => {
  let fx: LabelFixture;
  before(async () => {
    fx = await fixture<LabelFixture>('label-association.json');
    await writeManifest(at('cc.jsonl'), fx.inputs.items);
    const n = fx.inputs.items.length;
    // one image failed to decode: listed in failures.jsonl, so excluded and reported
    await writeEmbeddings(at('preds'), {
      ids: fx.inputs.items.map((i) => i.id),
      dim: 1,
      data: new Float32Array(n),
      logits: Float32Array.from(fx.inputs.logits.flat()),
      classes: fx.inputs.classes,
      modelId: 'fixture-model',
    });
    await writeFile(at('taxonomy.json'), JSON.stringify(fx.inputs.taxonomy));
    await writeFile(
      at('label-names.json'),
      JSON.stringify(
        Object.fromEntries(fx.inputs.classes.map((c, i) => [c, [fx.inputs.labelNames[i], 'alias']])),
      ),
    );
  });

  it('writes rows equal to the numpy reference', async () => {
    const r = await runCliInProcess(
      'indicator',
      'label-association',
      '--manifest',
      at('cc.jsonl'),
      '--predictions',
      at('preds'),
      '--label-names',
      at('label-names.json'),
      '--taxonomy',
      at('taxonomy.json'),
      '--allow-partial-taxonomy',
      '--groups',
      'gender,skintone,gender*skintone',
      '--resamples',
      '30',
      '--out',
      at('la.json'),
      '--json',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).out, at('la.json'));
    const results = await readResults(at('la.json'));
    const find = (metric: string, tau: number, association: string, group: string) =>
      results.rows.find(
        (row) =>
          row.metric === metric &&
          row.params.tau === tau &&
          row.params.association === association &&
          Object.entries(row.group)
            .map(([k, v]) => `${k}=${v}`)
            .join(',') === (group === 'overall' ? '' : group),
      );
    let checked = 0;
    for (const [metric, tau, param, group, value] of fx.expected) {
      if (metric !== 'hit_rate') continue;
      const row = find(metric, tau, param, group);
      assert.ok(row, `${metric} ${tau} ${param} ${group}`);
      assert.ok(Math.abs(row.value - (value as number)) < 1e-9);
      checked++;
    }
    assert.equal(checked, 320);
    assert.ok(results.deviations.some((d) => /Harmful.*our inference/.test(d)));
    assert.ok(results.rows.some((row) => row.metric === 'prediction_rate_disparity'));
  });

  it('a taxonomy label absent from the classes is an error unless partial coverage is allowed', async () => {
    const r = await runCliInProcess(
      'indicator',
      'label-association',
      '--manifest',
      at('cc.jsonl'),
      '--predictions',
      at('preds'),
      '--taxonomy',
      'casual-conversations',
      '--out',
      at('x.json'),
    );
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /label\(s\) of taxonomy "casual-conversations" are not among the model's 14 class label names/,
    );
    const ok = await runCliInProcess(
      'indicator',
      'label-association',
      '--manifest',
      at('cc.jsonl'),
      '--predictions',
      at('preds'),
      '--label-names',
      at('label-names.json'),
      '--taxonomy',
      'casual-conversations',
      '--allow-partial-taxonomy',
      '--thresholds',
      '0.1',
      '--resamples',
      '0',
      '--out',
      at('partial.json'),
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(
      ok.stdout,
      /note: label-association \(fixture-model, cc\): taxonomy labels not among the classes, never predicted: .*khimar/,
    );
  });

  it('the manifest selects its rows from a larger store; a manifest item without a row is an error', async () => {
    await writeManifest(at('short.jsonl'), fx.inputs.items.slice(0, 30));
    const args = (manifest: string, out: string) => [
      'indicator',
      'label-association',
      '--manifest',
      manifest,
      '--predictions',
      at('preds'),
      '--label-names',
      at('label-names.json'),
      '--taxonomy',
      at('taxonomy.json'),
      '--allow-partial-taxonomy',
      '--resamples',
      '0',
      '--out',
      out,
    ];
    const ok = await runCliInProcess(...args(at('short.jsonl'), at('short.json')));
    assert.equal(ok.code, 0, ok.stderr);
    const short = await readResults(at('short.json'));
    assert.equal(short.datasets.short?.items, 30);
    const overall = short.rows.find(
      (r) => r.kind === 'value' && r.metric === 'hit_rate' && Object.keys(r.group).length === 0,
    );
    assert.equal(overall?.n, 30);
    const ghost = { ...(fx.inputs.items[0] as ManifestItem), id: 'ghost' };
    await writeManifest(at('ghost.jsonl'), [...fx.inputs.items.slice(0, 30), ghost]);
    const bad = await runCliInProcess(...args(at('ghost.jsonl'), at('ghost.json')));
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /1 of 31 manifest item\(s\) of .*ghost\.jsonl have no row and are not listed as failed: "ghost"/,
    );
  });

  it('NaN logits are an error naming the item and class', async () => {
    const logits = Float32Array.from(fx.inputs.logits.flat());
    logits[3 * 14 + 2] = Number.NaN;
    await writeEmbeddings(at('bad-preds'), {
      ids: fx.inputs.items.map((i) => i.id),
      dim: 1,
      data: new Float32Array(40),
      logits,
      classes: fx.inputs.classes,
      modelId: 'm',
    });
    const r = await runCliInProcess(
      'indicator',
      'label-association',
      '--manifest',
      at('cc.jsonl'),
      '--predictions',
      at('bad-preds'),
      '--taxonomy',
      at('taxonomy.json'),
      '--out',
      at('x.json'),
    );
    assert.equal(r.code, 1);
    assert.match(r.stderr, /logit of item "img03" for class "n_beard" \(index 2\) is NaN/);
  });
});

/** A prediction store of model "geo-model" holding a fixture's logits. */
function writePredictions(
  dir: string,
  inputs: { items: ManifestItem[]; logits: number[][]; classes: string[] },
): Promise<unknown> {
  return writeEmbeddings(dir, {
    ids: inputs.items.map((i) => i.id),
    dim: 1,
    data: new Float32Array(inputs.items.length),
    logits: Float32Array.from(inputs.logits.flat()),
    classes: inputs.classes,
    modelId: 'geo-model',
  });
}

describe('indicator geographic', () => {
  it('writes household-mean hit rates equal to the numpy reference (paper reading); failed images are reported', async () => {
    const fx = await fixture<GeoFixture>('geographic.json');
    const items = [...fx.inputs.items, { ...(fx.inputs.items[0] as ManifestItem), id: 'broken' }];
    await writeManifest(at('ds.jsonl'), items);
    await writePredictions(at('ds-preds'), fx.inputs);
    await writeFile(
      at('ds-preds', 'failures.jsonl'),
      `${JSON.stringify({ id: 'broken', reason: 'cannot decode' })}\n`,
    );
    await writeFile(at('concepts.json'), JSON.stringify(fx.inputs.conceptMap));
    const r = await runCliInProcess(
      'indicator',
      'geographic',
      '--manifest',
      at('ds.jsonl'),
      '--predictions',
      at('ds-preds'),
      '--concept-map',
      at('concepts.json'),
      '--thresholds',
      '0,0.3',
      '--protocol',
      'paper',
      '--resamples',
      '20',
      '--out',
      at('geo.json'),
    );
    assert.equal(r.code, 0, r.stderr);
    const results = await readResults(at('geo.json'));
    for (const e of fx.expected.filter((x) => x.metric === 'hit_rate')) {
      const row = results.rows.find(
        (x) =>
          x.metric === 'hit_rate' &&
          x.params.threshold === e.params.threshold &&
          JSON.stringify(x.group) === JSON.stringify(e.group),
      );
      assert.ok(row, JSON.stringify(e));
      assert.ok(Math.abs(row.value - (e.value as number)) < 1e-9);
    }
    assert.deepEqual(results.failures, [{ dataset: 'ds', id: 'broken', reason: 'cannot decode' }]);
    assert.match(
      r.stdout,
      /note: geographic \(geo-model, ds\): \d+ image\(s\) have an income outside the bucket range/,
    );
  });
});

describe('indicator geographic --protocol / --images-list', () => {
  interface VisslGeoFixture {
    inputs: { classes: string[]; idToLabelMap: unknown; items: ManifestItem[]; logits: number[][] };
    runs: { reading: string; threshold: number; imagesList: boolean; hitByRegion: Record<string, number> }[];
  }
  const list = fileURLToPath(
    new URL('../../../test/fixtures/indicators/vissl-overlapped-images.npy', import.meta.url),
  );
  let fx: VisslGeoFixture;
  before(async () => {
    fx = await fixture<VisslGeoFixture>('vissl-geographic.json');
    await writeManifest(at('ds-vissl.jsonl'), fx.inputs.items);
    await writePredictions(at('ds-vissl-preds'), fx.inputs);
    await writeFile(at('ds-vissl-concepts.json'), JSON.stringify(fx.inputs.idToLabelMap));
  });
  const run = (...extra: string[]) =>
    runCliInProcess(
      'indicator',
      'geographic',
      '--manifest',
      at('ds-vissl.jsonl'),
      '--predictions',
      at('ds-vissl-preds'),
      '--concept-map',
      at('ds-vissl-concepts.json'),
      '--resamples',
      '0',
      ...extra,
    );

  it('scores as vissl by default, only the listed entries of a .npy list, and records the protocol', async () => {
    const r = await run('--images-list', list, '--out', at('geo-vissl.json'));
    assert.equal(r.code, 0, r.stderr);
    const results = await readResults(at('geo-vissl.json'));
    const expected = fx.runs.find((x) => x.reading === 'vissl' && x.threshold === 0 && x.imagesList);
    assert.ok(expected);
    for (const [region, hit] of Object.entries(expected.hitByRegion)) {
      const row = results.rows.find(
        (x) =>
          x.metric === 'hit_rate' &&
          x.kind === 'value' &&
          x.group.region === region &&
          Object.keys(x.group).length === 1,
      );
      assert.ok(row, region);
      assert.ok(Math.abs(row.value - 100 * hit) < 1e-9, `${region}: ${row.value} vs ${100 * hit}`);
      assert.equal(row.params.protocol, 'vissl');
      assert.equal(row.params.imagesList, list);
    }
    assert.ok(!results.deviations.some((d) => d.startsWith('geographic')));
    assert.match(r.stdout, /note: .*images list .*1 entries name no image/);
  });

  it('--protocol paper states its departures; a bad --protocol is a usage error', async () => {
    const r = await run('--protocol', 'paper', '--out', at('geo-paper.json'));
    assert.equal(r.code, 0, r.stderr);
    const results = await readResults(at('geo-paper.json'));
    assert.ok(results.rows.every((x) => x.params.protocol === 'paper'));
    assert.ok(results.deviations.some((d) => /protocol "paper"/.test(d)));
    const bad = await run('--protocol', 'seer', '--out', at('geo-bad.json'));
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--protocol: expected vissl or paper, got "seer"/);
  });
});

describe('indicator retrieval', () => {
  it('writes precision@K equal to the numpy reference, and appends', async () => {
    const fx = await fixture<RetrievalFixture>('retrieval.json');
    const { dim } = fx.inputs;
    await writeManifest(at('q.jsonl'), fx.inputs.queries);
    await writeManifest(at('db.jsonl'), fx.inputs.database);
    const store = (dir: string, items: ManifestItem[], data: number[]) =>
      writeEmbeddings(at(dir), {
        ids: items.map((i) => i.id),
        dim,
        data: Float32Array.from(data),
        modelId: 'emb-model',
      });
    await store('q-emb', fx.inputs.queries, fx.inputs.queryEmbeddings);
    await store('db-emb', fx.inputs.database, fx.inputs.databaseEmbeddings);
    const args = [
      'indicator',
      'retrieval',
      '--queries',
      at('q.jsonl'),
      '--query-embeddings',
      at('q-emb'),
      '--database',
      at('db.jsonl'),
      '--database-embeddings',
      at('db-emb'),
      '--attribute',
      'gender',
      '--groups',
      'gender,skintone,gender_skintone',
      '--seed',
      '4',
      '--resamples',
      '50',
      '--out',
      at('r.json'),
    ];
    const r = await runCliInProcess(...args);
    assert.equal(r.code, 0, r.stderr);
    const results = await readResults(at('r.json'));
    for (const e of fx.expected) {
      const row = results.rows.find(
        (x) =>
          x.metric === 'precision_at_k' &&
          x.params.k === e.params.k &&
          JSON.stringify(x.group) === JSON.stringify(e.group),
      );
      assert.ok(row, JSON.stringify(e));
      assert.ok(Math.abs(row.value - e.value) < 1e-9);
    }
    // the same seed gives the same intervals; --append replaces this model's rows
    const again = await runCliInProcess(...args, '--append');
    assert.equal(again.code, 0, again.stderr);
    const appended = await readResults(at('r.json'));
    assert.equal(appended.rows.length, results.rows.length);
    assert.deepEqual(
      appended.rows.map((x) => x.ci),
      results.rows.map((x) => x.ci),
    );
    assert.match(r.stdout, /retrieval: 30 queries, 60 database items, gender/);
  });

  it('usage errors: missing options, unknown subcommand', async () => {
    const r = await runCliInProcess('indicator', 'retrieval', '--queries', 'q.jsonl');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required option --query-embeddings/);
    const u = await runCliInProcess('indicator', 'fairness');
    assert.equal(u.code, 2);
    assert.match(u.stderr, /unknown indicator "fairness"/);
    const h = await runCliInProcess('indicator', '--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, /indicator label-association --manifest/);
  });
});
