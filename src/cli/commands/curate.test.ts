/**
 * `fairscope curate`, `dedup` and `leakage` end to end, as child processes, on a manifest and an
 * embedding store written here: outputs against the library run directly, exit codes and messages
 * for bad input.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import type { ManifestItem } from '../../core/types.js';
import { pointsFromRows } from '../../curate/points.js';
import { selectItems } from '../../curate/select.js';
import { clusteredEmbeddings, plantDuplicates } from '../../curate/synthetic.js';
import { writeManifest } from '../../data/manifest.js';
import { writeEmbeddings } from '../../embed/store.js';
import { loadResults as readResults } from '../../report/node/results-file.js';
import { runCli } from '../testing/run-cli.js';

const N = 120;
const DIM = 32;

let root: string;
let manifest: string;
let store: string;
let items: ManifestItem[];
let data: Float32Array;
let planted: [number, number][];

async function readJsonl(path: string): Promise<Record<string, unknown>[]> {
  return (await readFile(path, 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairscope-cli-curate-'));
  await mkdir(join(root, 'data'));
  items = Array.from({ length: N }, (_, i) => ({
    id: `x${i}`,
    source: `img/x${i}.png`,
    labels: [],
    attrs: { gender: i % 4 === 0 ? 'm' : 'f', region: i % 3 === 0 ? 'south' : 'north' },
  }));
  manifest = join(root, 'data', 'm.jsonl');
  await writeManifest(manifest, items);
  data = clusteredEmbeddings({ n: N, dim: DIM, clusters: 10, spread: 0.7, seed: 4 }).data;
  planted = plantDuplicates(data, N, DIM, 12, 0.05, 5);
  store = join(root, 'emb');
  await writeEmbeddings(store, { ids: items.map((it) => it.id), dim: DIM, data, modelId: 'toy' });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('curate kcenter writes the library selection, in order, with paths valid from the new folder', async () => {
  const out = join(root, 'out', 'sel.jsonl');
  const res = await runCli(
    'curate',
    '--manifest',
    manifest,
    '--embeddings',
    store,
    '--budget',
    '25',
    '--seed',
    '3',
    '--out',
    out,
    '--json',
    '--threads',
    '1',
  );
  assert.equal(res.code, 0, res.stderr);
  const report = JSON.parse(res.stdout) as { selected: number; coverage: number; model: string };
  const selected = await readJsonl(out);
  const lib = await selectItems(pointsFromRows(data, N, DIM), items, {
    strategy: 'kcenter',
    budget: 25,
    seed: 3,
    threads: 1,
  });
  assert.deepEqual(
    selected.map((s) => s.id),
    lib.order.map((i) => items[i]?.id),
  );
  assert.equal(report.selected, 25);
  assert.equal(report.model, 'toy');
  assert.ok(Math.abs(report.coverage - lib.coverage) < 1e-6);
  assert.equal(selected[0]?.source, join('..', 'data', 'img', `${String(selected[0]?.id)}.png`));
});

test('curate balanced with --results: equal shares exactly, rows in results.json', async () => {
  const out = join(root, 'bal.jsonl');
  const results = join(root, 'results.json');
  const res = await runCli(
    'curate',
    '--manifest',
    manifest,
    '--embeddings',
    store,
    '--budget',
    '20',
    '--strategy',
    'balanced',
    '--balance',
    'gender,region',
    '--dedup',
    '--dedup-threshold',
    '0.99',
    '--results',
    results,
    '--out',
    out,
    '--threads',
    '1',
  );
  assert.equal(res.code, 0, res.stderr);
  assert.match(res.stdout, /removed 12 near-duplicates in 12 clusters/);
  const selected = await readJsonl(out);
  const cells: Record<string, number> = {};
  for (const s of selected) {
    const a = s.attrs as Record<string, string>;
    const key = `${a.gender}|${a.region}`;
    cells[key] = (cells[key] ?? 0) + 1;
  }
  assert.deepEqual(cells, { 'f|north': 5, 'f|south': 5, 'm|north': 5, 'm|south': 5 });
  const copies = new Set(planted.map(([a, b]) => `x${Math.max(a, b)}`));
  assert.ok(selected.every((s) => !copies.has(String(s.id))));
  const written = await readResults(results);
  const shares = written.rows.filter((r) => r.metric === 'share' && r.params.stage === 'after');
  assert.equal(shares.length, 4);
  assert.ok(shares.every((r) => r.value === 0.25 && r.indicator === 'curation' && r.model === 'toy'));
  assert.deepEqual(
    written.rows.filter((r) => r.metric === 'duplicates_removed').map((r) => r.value),
    [12],
  );
});

test('curate bad input: budget too large (2), infeasible balance (1), ids not matching, NaN embeddings', async () => {
  const out = join(root, 'bad.jsonl');
  const big = await runCli(
    'curate',
    '--manifest',
    manifest,
    '--embeddings',
    store,
    '--budget',
    '121',
    '--out',
    out,
  );
  assert.equal(big.code, 2);
  assert.match(big.stderr, /--budget 121 is larger than the set: there are 120 items/);
  // 30 items are "m": 80 / 2 = 40 > 30
  const infeasible = await runCli(
    'curate',
    '--manifest',
    manifest,
    '--embeddings',
    store,
    '--budget',
    '80',
    '--balance',
    'gender',
    '--out',
    out,
  );
  assert.equal(infeasible.code, 1);
  assert.match(infeasible.stderr, /group "m" needs 40 items but has 30 \(short by 10\).*--allow-shortfall/);
  const shortfall = await runCli(
    'curate',
    '--manifest',
    manifest,
    '--embeddings',
    store,
    '--budget',
    '80',
    '--balance',
    'gender',
    '--allow-shortfall',
    '--out',
    out,
    '--json',
  );
  assert.equal(shortfall.code, 0, shortfall.stderr);
  const report = JSON.parse(shortfall.stdout) as {
    shortfalls: unknown[];
    shares: { key: string; countAfter: number }[];
  };
  assert.deepEqual(report.shortfalls, [{ group: 'm', required: 40, available: 30, short: 10 }]);
  assert.deepEqual(
    report.shares.map((s) => [s.key, s.countAfter]),
    [
      ['f', 50],
      ['m', 30],
    ],
  );
  // a store with other ids, and one with a NaN row
  const other = join(root, 'emb-other');
  const ids = items.map((it, i) => (i < 7 ? `zz${i}` : it.id));
  await writeEmbeddings(other, { ids, dim: DIM, data, modelId: 'toy' });
  const mismatch = await runCli(
    'curate',
    '--manifest',
    manifest,
    '--embeddings',
    other,
    '--budget',
    '5',
    '--out',
    out,
  );
  assert.equal(mismatch.code, 1);
  assert.match(
    mismatch.stderr,
    /7 of 120 manifest item\(s\) of .*m\.jsonl have no row and are not listed as failed: "x0", "x1", "x2", "x3", "x4", \.\.\./,
  );
  const nan = join(root, 'emb-nan');
  const bad = data.slice();
  bad[5 * DIM + 2] = Number.NaN;
  await writeEmbeddings(nan, { ids: items.map((it) => it.id), dim: DIM, data: bad, modelId: 'toy' });
  const nanRes = await runCli(
    'curate',
    '--manifest',
    manifest,
    '--embeddings',
    nan,
    '--budget',
    '5',
    '--out',
    out,
  );
  assert.equal(nanRes.code, 1);
  assert.match(
    nanRes.stderr,
    /field "embedding" unusable embeddings: 1 row\(s\) contain NaN or infinite values \("x5"\)/,
  );
});

test('dedup writes the planted clusters (and pHash links identical images); leakage finds planted copies', async () => {
  // images: one grey texture for all but two, another for those two (the formulas of
  // tools/phash_reference.py: hashes 9eb02e48c9a89fcb and b54da53f4a1b912a), so pHash links all but those
  await mkdir(join(root, 'data', 'img'), { recursive: true });
  const texture = (a: number, b: number, c: number, d: number) => {
    const px = Buffer.alloc(32 * 32 * 3);
    for (let x = 0; x < 32; x++) {
      for (let y = 0; y < 32; y++)
        px.fill((a * x + b * y + ((c * x * y) % 37) * d) % 256, (x * 32 + y) * 3, (x * 32 + y + 1) * 3);
    }
    return px;
  };
  const common = texture(7, 13, 3, 5);
  const other = texture(29, 3, 17, 9);
  // two items outside the planted embedding duplicates (which would chain them to the rest)
  const inPairs = new Set(planted.flat());
  const odd = Array.from({ length: N }, (_, i) => i)
    .filter((i) => !inPairs.has(i))
    .slice(0, 2);
  for (let i = 0; i < N; i++) {
    await sharp(odd.includes(i) ? other : common, { raw: { width: 32, height: 32, channels: 3 } })
      .png()
      .toFile(join(root, 'data', 'img', `x${i}.png`));
  }
  const clustersPath = join(root, 'clusters.jsonl');
  const kept = join(root, 'kept.jsonl');
  const res = await runCli(
    'dedup',
    '--manifest',
    manifest,
    '--embeddings',
    store,
    '--threshold',
    '0.99',
    '--out',
    clustersPath,
    '--kept',
    kept,
    '--json',
    '--threads',
    '1',
  );
  assert.equal(res.code, 0, res.stderr);
  const clusters = await readJsonl(clustersPath);
  const expected = planted
    .map(([a, b]) => [`x${Math.min(a, b)}`, `x${Math.max(a, b)}`])
    .sort((p, q) => Number(p[0]?.slice(1)) - Number(q[0]?.slice(1)));
  assert.deepEqual(
    clusters.map((c) => c.members),
    expected,
  );
  assert.equal((await readJsonl(kept)).length, N - 12);
  const withHash = await runCli(
    'dedup',
    '--manifest',
    manifest,
    '--embeddings',
    store,
    '--threshold',
    '0.99',
    '--out',
    clustersPath,
    '--phash',
    '--json',
    '--threads',
    '1',
  );
  assert.equal(withHash.code, 0, withHash.stderr);
  const hashed = await readJsonl(clustersPath);
  // two clusters: the two items with the other texture, and everything else
  assert.deepEqual(
    hashed.map((c) => [c.representative, c.size]).sort((a, b) => Number(b[1]) - Number(a[1])),
    [
      [`x${Array.from({ length: N }, (_, i) => i).find((i) => !odd.includes(i))}`, N - 2],
      [`x${odd[0]}`, 2],
    ],
  );

  // leakage: test set = 20 items, of which 5 are copies of training items
  const testItems: ManifestItem[] = Array.from({ length: 20 }, (_, i) => ({
    id: `t${i}`,
    source: `t${i}.png`,
    labels: [],
    attrs: {},
  }));
  const testData = clusteredEmbeddings({ n: 20, dim: DIM, clusters: 3, spread: 0.7, seed: 99 }).data;
  for (const q of [0, 4, 8, 12, 16])
    testData.set(data.subarray((q * 7 + 1) * DIM, (q * 7 + 2) * DIM), q * DIM);
  const testManifest = join(root, 'test.jsonl');
  await writeManifest(testManifest, testItems);
  const testStore = join(root, 'emb-test');
  await writeEmbeddings(testStore, {
    ids: testItems.map((t) => t.id),
    dim: DIM,
    data: testData,
    modelId: 'toy',
  });
  const leaksPath = join(root, 'leaks.jsonl');
  const leak = await runCli(
    'leakage',
    '--train',
    manifest,
    '--train-embeddings',
    store,
    '--test',
    testManifest,
    '--test-embeddings',
    testStore,
    '--out',
    leaksPath,
    '--json',
  );
  assert.equal(leak.code, 0, leak.stderr);
  const leaks = await readJsonl(leaksPath);
  const truth = [0, 4, 8, 12, 16].map((q) => [`t${q}`, `x${q * 7 + 1}`]);
  assert.deepEqual(
    leaks.map((l) => l.id),
    truth.map((t) => t[0]),
  );
  assert.deepEqual(
    leaks.map((l) => [l.id, l.trainId]),
    truth,
  );
  assert.ok(leaks.every((l) => Math.abs((l.similarity as number) - 1) < 1e-6));
  assert.equal((JSON.parse(leak.stdout) as { leaked: number }).leaked, 5);
});
