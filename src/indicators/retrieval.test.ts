import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { exactKnn } from '../linalg/knn.js';
import { l2NormalizeRows } from '../linalg/normalize.js';
import { parseGroupings } from '../stats/groups.js';
import { ABSENT_VALUE_NOTE, retrieval } from './retrieval.js';
import { assertClose, indexRows, loadFixture } from './testing.js';

interface Fixture {
  inputs: {
    dim: number;
    ks: number[];
    attribute: string;
    groups: string;
    queries: ManifestItem[];
    database: ManifestItem[];
    queryEmbeddings: number[];
    databaseEmbeddings: number[];
  };
  neighbours: number[][];
  expected: {
    metric: string;
    params: { k: number };
    group: Record<string, string>;
    value: number;
    n: number;
  }[];
}

// Expected values: tools/indicators_reference.py (numpy, stable argsort of -S: ties by database index).
const fx = loadFixture<Fixture>('retrieval.json');
const { dim } = fx.inputs;
const q = Float32Array.from(fx.inputs.queryEmbeddings);
const db = Float32Array.from(fx.inputs.databaseEmbeddings);

function run(options: { resamples: number; search?: 'exact' | 'hnsw' }) {
  return retrieval(fx.inputs.queries, q, fx.inputs.database, db, dim, {
    model: 'fixture-model',
    attribute: fx.inputs.attribute,
    ks: fx.inputs.ks,
    groupings: parseGroupings(fx.inputs.groups, fx.inputs.queries),
    bootstrap: { seed: 3, resamples: options.resamples },
    search: options.search,
    threads: 1,
  });
}

test('full ranking with ties by database index equals numpy stable argsort', async () => {
  const nq = fx.inputs.queries.length;
  const nd = fx.inputs.database.length;
  const found = await exactKnn(
    l2NormalizeRows(q, nq, dim).data,
    nq,
    l2NormalizeRows(db, nd, dim).data,
    nd,
    dim,
    50,
    {
      threads: 1,
      databaseBlock: 16,
    },
  );
  for (let i = 0; i < nq; i++) {
    assert.deepEqual([...found.indices.subarray(i * 50, (i + 1) * 50)], fx.neighbours[i], `query ${i}`);
  }
});

test('precision@K per group and overall equal the numpy reference (n/a, other and missing score 0)', async () => {
  const { rows, notes } = await run({ resamples: 0 });
  const byKey = indexRows(
    rows.filter((r) => r.metric === 'precision_at_k'),
    (r) => `${r.params.k}`,
  );
  for (const e of fx.expected) {
    const label = Object.entries(e.group)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const key = `${e.params.k}|${label || 'overall'}`;
    const row = byKey.get(key);
    assert.ok(row, `missing row ${key}`);
    assertClose(row.value, e.value, key);
    assert.equal(row.n, e.n, `${key} n`);
  }
  assert.equal(byKey.size, fx.expected.length);
  assert.ok(
    notes.some((n) =>
      /absent from the database and score 0: other \(\d+\), n\/a \(\d+\), \(missing\) \(1\)/.test(n),
    ),
    notes.join('\n'),
  );
  const other = rows.find(
    (r: ResultRow) =>
      r.metric === 'precision_at_k' && r.group.gender === 'other' && Object.keys(r.group).length === 1,
  );
  assert.equal(other?.value, 0);
  assert.ok(other?.warnings.includes(ABSENT_VALUE_NOTE));
  // the gender gap compares female and male only
  const gap = rows.find(
    (r) =>
      r.metric === 'precision_at_k.difference' &&
      r.params.k === 10 &&
      r.group.gender === '*' &&
      r.params.method === 'betweenGroups',
  );
  const f = byKey.get('10|gender=female');
  const m = byKey.get('10|gender=male');
  assert.ok(gap && f && m);
  assertClose(gap.value, Math.abs(f.value - m.value), 'gap');
});

test('HNSW search reports its recall against exact search', async () => {
  const { rows } = await run({ resamples: 0, search: 'hnsw' });
  const recall = rows.filter((r) => r.metric === 'search_recall_at_k');
  assert.deepEqual(
    recall.map((r) => r.params.k),
    [1, 5, 10, 50],
  );
  // 60 items: the graph search is exhaustive in practice
  for (const r of recall) assert.ok(r.value > 0.95, `recall@${r.params.k} ${r.value}`);
  assert.ok(rows.some((r) => r.metric === 'precision_at_k' && r.params.search === 'hnsw'));
});

test('K larger than the database is a usage error', async () => {
  await assert.rejects(
    retrieval(fx.inputs.queries, q, fx.inputs.database, db, dim, {
      model: 'm',
      attribute: 'gender',
      ks: [100],
      groupings: [],
      bootstrap: { seed: 0, resamples: 0 },
    }),
    /K=100 exceeds the database size \(60 items\)/,
  );
});
