/**
 * Strategies and balance end to end on manifests: quotas met exactly (every strategy, crossed
 * attributes, minimum shares), typicality against a slow all-pairs loop, determinism under a seed,
 * the bad inputs (budget too large, infeasible balance), and the results rows.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FairscopeError, UsageError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { ManifestItem } from '../core/types.js';
import { type PointMatrix, pointsFromRows } from './points.js';
import { runCuration } from './run.js';
import { selectItems } from './select.js';
import { curationSummary } from './summary.js';
import { clusteredEmbeddings, plantDuplicates } from './synthetic.js';
import { typicality } from './typicality.js';

/** 400 items: gender f/m at 70/30, skin 1..3 at 50/30/20 (independent), clusters of 2 items. */
function fixture(seed = 1): { items: ManifestItem[]; points: PointMatrix } {
  const n = 400;
  const rng = new Rng(seed);
  const items = Array.from({ length: n }, (_, i): ManifestItem => {
    const u = rng.next();
    const v = rng.next();
    return {
      id: `it${i}`,
      source: `it${i}.png`,
      labels: [],
      attrs: { gender: u < 0.7 ? 'f' : 'm', skin: v < 0.5 ? 1 : v < 0.8 ? 2 : 3 },
      cluster: `c${Math.floor(i / 2)}`,
    };
  });
  const { data } = clusteredEmbeddings({ n, dim: 16, clusters: 12, spread: 0.7, seed });
  return { items, points: pointsFromRows(data, n, 16) };
}

function counts(
  items: ManifestItem[],
  order: number[],
  key: (it: ManifestItem) => string,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const i of order) {
    const k = key(items[i] as ManifestItem);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

test('equal shares over gender x skin are met exactly by every strategy', async () => {
  const { items, points } = fixture();
  // 6 cells, budget 27: 4.5 each -> floors 4 (24), 3 left to the first three cells in key order
  const expected = { 'f|1': 5, 'f|2': 5, 'f|3': 5, 'm|1': 4, 'm|2': 4, 'm|3': 4 };
  for (const strategy of ['balanced', 'kcenter', 'typical', 'unique', 'random'] as const) {
    const sel = await selectItems(points, items, {
      strategy,
      budget: 27,
      balance: { attributes: ['gender', 'skin'], shares: { kind: 'equal' } },
      threads: 1,
    });
    assert.equal(new Set(sel.order).size, 27);
    assert.deepEqual(
      counts(items, sel.order, (it) => `${it.attrs.gender}|${it.attrs.skin}`),
      expected,
      strategy,
    );
  }
});

test('given shares and minimum shares are honoured', async () => {
  const { items, points } = fixture();
  const exact = await selectItems(points, items, {
    strategy: 'balanced',
    budget: 50,
    balance: {
      attributes: ['gender'],
      shares: {
        kind: 'exact',
        shares: new Map([
          ['f', 0.3],
          ['m', 0.7],
        ]),
      },
    },
    threads: 1,
  });
  assert.deepEqual(
    counts(items, exact.order, (it) => String(it.attrs.gender)),
    { f: 15, m: 35 },
  );
  // at least 40% skin 3 (20 of 50); the rest by plain diversity
  const minimum = await selectItems(points, items, {
    strategy: 'kcenter',
    budget: 50,
    balance: { attributes: ['skin'], shares: { kind: 'minimum', shares: new Map([['3', 0.4]]) } },
    threads: 1,
  });
  assert.ok((counts(items, minimum.order, (it) => String(it.attrs.skin))['3'] ?? 0) >= 20);
});

test('an infeasible balance fails naming the group and the shortfall; --allow-shortfall redistributes', async () => {
  const { items, points } = fixture();
  const sizes = counts(
    items,
    items.map((_, i) => i),
    (it) => `${it.attrs.gender}|${it.attrs.skin}`,
  );
  const smallest = Math.min(...Object.values(sizes));
  const budget = 6 * (smallest + 3); // every cell needs smallest + 3
  const spec = { attributes: ['gender', 'skin'], shares: { kind: 'equal' } as const };
  await assert.rejects(
    selectItems(points, items, { strategy: 'balanced', budget, balance: spec, threads: 1 }),
    (err: unknown) => {
      assert.ok(err instanceof FairscopeError && err.exitCode === 1);
      const key = Object.keys(sizes).find((k) => sizes[k] === smallest) as string;
      assert.match(
        err.message,
        new RegExp(
          `group "${key.replace('|', '\\|')}" needs ${smallest + 3} items but has ${smallest} \\(short by 3\\)`,
        ),
      );
      return true;
    },
  );
  const sel = await selectItems(points, items, {
    strategy: 'balanced',
    budget,
    balance: { ...spec, allowShortfall: true },
    threads: 1,
  });
  assert.equal(sel.order.length, budget);
  assert.ok((sel.bounds?.shortfalls.length ?? 0) >= 1);
});

test('bad budgets: larger than the set, or than what is left after de-duplication', async () => {
  const { items, points } = fixture();
  await assert.rejects(
    selectItems(points, items, { strategy: 'kcenter', budget: 401 }),
    (err: unknown) =>
      err instanceof UsageError &&
      /--budget 401 is larger than the set: there are 400 items/.test(err.message),
  );
  const exclude = new Uint8Array(400).fill(1, 0, 350);
  await assert.rejects(
    selectItems(points, items, { strategy: 'kcenter', budget: 60, exclude }),
    /--budget 60 is larger than the 50 items left after removing 350 duplicates \(of 400\)/,
  );
  await assert.rejects(selectItems(points, items, { strategy: 'balanced', budget: 5 }), /needs --balance/);
});

test('typical picks the items with the highest mean similarity to their 20 nearest neighbours (slow loop)', async () => {
  const { items, points } = fixture(3);
  const { n, dim, data } = points;
  const slow = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const sims: number[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let s = 0;
      for (let t = 0; t < dim; t++) s += (data[i * dim + t] as number) * (data[j * dim + t] as number);
      sims.push(s);
    }
    sims.sort((a, b) => b - a);
    slow[i] = sims.slice(0, 20).reduce((a, b) => a + b, 0) / 20;
  }
  const typ = await typicality(points, { search: 'exact', threads: 1 });
  for (let i = 0; i < n; i++) assert.ok(Math.abs((typ.scores[i] as number) - (slow[i] as number)) < 1e-5);
  const byScore = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (slow[b] as number) - (slow[a] as number) || a - b,
  );
  const typical = await selectItems(points, items, {
    strategy: 'typical',
    budget: 10,
    search: 'exact',
    threads: 1,
  });
  assert.deepEqual(typical.order, byScore.slice(0, 10));
  const unique = await selectItems(points, items, {
    strategy: 'unique',
    budget: 10,
    search: 'exact',
    threads: 1,
  });
  assert.deepEqual(unique.order, byScore.slice(-10).reverse());
  // with a minimum distance, no two picks are closer than it
  const spread = await selectItems(points, items, {
    strategy: 'typical',
    budget: 10,
    minDistance: 0.2,
    search: 'exact',
    threads: 1,
  });
  for (const a of spread.order) {
    for (const b of spread.order) {
      if (a >= b) continue;
      let s = 0;
      for (let t = 0; t < dim; t++) s += (data[a * dim + t] as number) * (data[b * dim + t] as number);
      assert.ok(1 - s >= 0.2 - 1e-6);
    }
  }
  assert.equal(spread.order[0], byScore[0]);
});

test('random and kcenter are deterministic under a seed', async () => {
  const { items, points } = fixture();
  for (const strategy of ['random', 'kcenter'] as const) {
    const a = await selectItems(points, items, { strategy, budget: 20, seed: 9, threads: 1 });
    const b = await selectItems(points, items, { strategy, budget: 20, seed: 9, threads: 1 });
    const c = await selectItems(points, items, { strategy, budget: 20, seed: 10, threads: 1 });
    assert.deepEqual(a.order, b.order);
    assert.notDeepEqual(a.order, c.order);
  }
  // random is Rng(seed).shuffle of 0..n-1, taken in order
  const r = await selectItems(points, items, { strategy: 'random', budget: 5, seed: 9 });
  assert.deepEqual(r.order, new Rng(9).shuffle(Array.from({ length: 400 }, (_, i) => i)).slice(0, 5));
});

test('k-center covers better than random at the same budget (coverage = mean distance to nearest pick)', async () => {
  const { items, points } = fixture(5);
  const kc = await selectItems(points, items, { strategy: 'kcenter', budget: 30, threads: 1 });
  const rnd = await selectItems(points, items, { strategy: 'random', budget: 30, threads: 1 });
  assert.ok(kc.radius < rnd.radius, `radius ${kc.radius} vs ${rnd.radius}`);
  // coverage of the random pick by the slow loop
  let sum = 0;
  for (let i = 0; i < points.n; i++) {
    let best = Number.POSITIVE_INFINITY;
    for (const s of rnd.order) {
      let dot = 0;
      for (let t = 0; t < points.dim; t++)
        dot += (points.data[i * points.dim + t] as number) * (points.data[s * points.dim + t] as number);
      best = Math.min(best, 1 - dot);
    }
    sum += Math.max(0, best);
  }
  assert.ok(Math.abs(rnd.coverage - sum / points.n) < 1e-5);
});

test('runCuration with dedup: duplicates are never selected, and the report becomes results rows', async () => {
  const { items } = fixture(7);
  const { data } = clusteredEmbeddings({ n: 400, dim: 16, clusters: 12, spread: 0.7, seed: 7 });
  const planted = plantDuplicates(data, 400, 16, 30, 0.05, 8);
  const points = pointsFromRows(data, 400, 16);
  const run = await runCuration(points, items, {
    strategy: 'balanced',
    budget: 40,
    balance: { attributes: ['gender'], shares: { kind: 'equal' } },
    dedup: { threshold: 0.97, search: 'exact', threads: 1 },
    threads: 1,
  });
  const { report, selection, dedup } = run;
  assert.equal(report.duplicatesRemoved, 30);
  const removed = new Set(planted.map(([a, b]) => Math.max(a, b)));
  assert.ok(selection.order.every((i) => !removed.has(i)));
  assert.deepEqual(
    report.shares.map((s) => [s.key, s.countAfter, s.shareAfter]),
    [
      ['f', 20, 0.5],
      ['m', 20, 0.5],
    ],
  );
  const f = report.shares[0];
  assert.equal(f?.countBefore, items.filter((it) => it.attrs.gender === 'f').length);
  assert.equal(dedup?.clusters.length, 30);
  const rows = curationSummary(report, { model: 'toy', dataset: 'fixture' });
  assert.deepEqual(
    rows.map((r) => [r.metric, JSON.stringify(r.group), r.params.stage ?? '']),
    [
      ['share', '{"gender":"f"}', 'before'],
      ['share', '{"gender":"f"}', 'after'],
      ['share', '{"gender":"m"}', 'before'],
      ['share', '{"gender":"m"}', 'after'],
      ['coverage', '{}', ''],
      ['duplicates_removed', '{}', ''],
    ],
  );
  const after = rows[1];
  assert.equal(after?.value, 0.5);
  assert.equal(after?.n, 20);
  assert.equal(after?.indicator, 'curation');
  assert.equal(rows[4]?.value, report.coverage);
  assert.equal(rows[5]?.value, 30);
  assert.equal(rows[4]?.clusters, 200); // items come in pairs per cluster
});
