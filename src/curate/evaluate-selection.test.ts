import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../core/errors.js';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { type EmbeddedItems, embeddedItems } from '../embed/join.js';
import { type CurationEvalInput, evaluateCuratedSelection } from './evaluate-selection.js';
import { randomDraws } from './random-draws.js';
import { curateDataset, evaluateSelection } from './stage.js';

/** Class centres in 2-d: A east, B north, C south-west. */
const CENTRE: Record<string, [number, number]> = { A: [1, 0], B: [0, 1], C: [-0.7, -0.7] };

function item(id: string, cls: string | undefined, attrs: Record<string, string> = {}): ManifestItem {
  return { id, source: `${id}.png`, labels: cls === undefined ? [] : [cls], attrs };
}

/** Rows at the class centre with a small offset per item (so no two rows are equal). */
function embed(items: readonly ManifestItem[]): Float32Array {
  const x = new Float32Array(items.length * 2);
  items.forEach((it, i) => {
    const [a, b] = CENTRE[it.labels[0] ?? 'A'] as [number, number];
    x[2 * i] = a + 0.01 * (i % 3);
    x[2 * i + 1] = b - 0.01 * (i % 2);
  });
  return x;
}

// Pool: 3 A, 3 B, 1 C. Test: A and B once per tone, C twice in tone x.
const POOL = [
  item('a0', 'A'),
  item('a1', 'A'),
  item('a2', 'A'),
  item('b0', 'B'),
  item('b1', 'B'),
  item('b2', 'B'),
  item('c0', 'C'),
];
const TEST = [
  item('ta1', 'A', { tone: 'x' }),
  item('ta2', 'A', { tone: 'y' }),
  item('tb1', 'B', { tone: 'x' }),
  item('tb2', 'B', { tone: 'y' }),
  item('tc1', 'C', { tone: 'x' }),
  item('tc2', 'C', { tone: 'x' }),
];

const SPEC: CurationEvalInput['spec'] = {
  test: 'held-out',
  labelFrom: 'labels',
  head: 'linear',
  l2: 1e-4,
  maxIter: 300,
  groups: ['tone'],
  randomDraws: 2,
};

function input(seed: number, over: Partial<CurationEvalInput> = {}): CurationEvalInput {
  return {
    spec: SPEC,
    model: 'm',
    dataset: 'pool',
    pool: { items: POOL, embeddings: embed(POOL) },
    dim: 2,
    selected: [0, 3, 6],
    test: { items: TEST, embeddings: embed(TEST) },
    params: { strategy: 'kcenter', budget: 3 },
    seed,
    bootstrap: { seed, resamples: 50 },
    ...over,
  };
}

function find(
  rows: ResultRow[],
  metric: string,
  selection: string,
  group: ResultRow['group'] = {},
): ResultRow {
  const row = rows.find(
    (r) =>
      r.metric === metric &&
      r.params.selection === selection &&
      JSON.stringify(r.group) === JSON.stringify(group),
  );
  assert.ok(row, `no row ${metric} ${selection} ${JSON.stringify(group)}`);
  return row;
}

/** A seed whose random draws of 3 of the 7 pool items all have A and B but not C (index 6). */
function seedMissingC(): number {
  for (let seed = 0; ; seed++) {
    const draws = randomDraws([0, 1, 2, 3, 4, 5, 6], 3, 2, seed);
    if (draws.every((d) => !d.includes(6) && d.some((i) => i < 3) && d.some((i) => i >= 3))) return seed;
  }
}

test('curated selection covering a class the random ones miss: hand-computed accuracies', async () => {
  const seed = seedMissingC();
  const { rows, notes } = await evaluateCuratedSelection(input(seed));
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} vs ${b}`);
  // Curated {A, B, C}: every test item right. Random {A, B}: the two C items wrong, 4/6.
  near(find(rows, 'probe.accuracy', 'curated').value, 1);
  near(find(rows, 'probe.accuracy', 'random').value, 4 / 6);
  near(find(rows, 'probe.accuracy_gain', 'curated-minus-random').value, 1 / 3);
  // Tone x holds ta1, tb1, tc1, tc2: curated 4/4, random 2/4; tone y (ta2, tb2): 2/2 for both.
  near(find(rows, 'probe.accuracy', 'curated', { tone: 'x' }).value, 1);
  near(find(rows, 'probe.accuracy', 'random', { tone: 'x' }).value, 0.5);
  near(find(rows, 'probe.accuracy', 'random', { tone: 'y' }).value, 1);
  near(find(rows, 'probe.accuracy.difference', 'curated', { tone: '*' }).value, 0);
  near(find(rows, 'probe.accuracy.difference', 'random', { tone: '*' }).value, 0.5);
  near(find(rows, 'probe.accuracy_gap_change', 'curated-minus-random', { tone: '*' }).value, -0.5);
  // Curated is right on every resample: its interval is a point.
  assert.deepEqual(find(rows, 'probe.accuracy', 'curated').ci, [1, 1]);
  const r = find(rows, 'probe.accuracy', 'random');
  assert.equal(r.params.selected, 3);
  assert.equal(r.params.draws, 2);
  assert.equal(r.params.trainDataset, 'pool');
  assert.equal(r.dataset, 'held-out');
  assert.ok(
    notes.some((n) => /2 of 2 random selection\(s\) lack class\(es\) among C/.test(n)),
    notes.join('\n'),
  );
  assert.ok(!notes.some((n) => n.includes('curated selection has no training image')));
});

test('a selection without a test class counts its items wrong and says so', async () => {
  const { rows, notes } = await evaluateCuratedSelection(input(0, { selected: [0, 1, 3] }));
  // {A, B}: C items wrong.
  assert.ok(Math.abs(find(rows, 'probe.accuracy', 'curated').value - 4 / 6) < 1e-12);
  assert.ok(
    notes.some((n) =>
      n.includes(
        'curated selection has no training image of class(es) C; their 2 test item(s) count as wrong',
      ),
    ),
  );
});

test('random draws come from the candidate pool only (after duplicates are removed)', async () => {
  // Only the curated three are candidates: every random draw is the curated selection.
  const excluded = Uint8Array.from([0, 1, 1, 0, 1, 1, 0]);
  const { rows } = await evaluateCuratedSelection(input(0, { excluded }));
  assert.equal(find(rows, 'probe.accuracy', 'random').value, 1);
  assert.equal(find(rows, 'probe.accuracy_gain', 'curated-minus-random').value, 0);
});

test('items without the label, and unknown group attributes, are errors naming the dataset', async () => {
  const unlabelledPool = [...POOL.slice(0, 6), item('c0', undefined)];
  await assert.rejects(
    evaluateCuratedSelection(input(0, { pool: { items: unlabelledPool, embeddings: embed(POOL) } })),
    (e: Error) =>
      e instanceof UsageError &&
      /1 item\(s\) of dataset "pool" have no class under labelFrom "labels", e.g. c0/.test(e.message),
  );
  const byAttr = { ...SPEC, labelFrom: 'attr:kind' };
  await assert.rejects(
    evaluateCuratedSelection(input(0, { spec: byAttr })),
    /7 item\(s\) of dataset "pool" have no class under labelFrom "attr:kind"/,
  );
  const unlabelledTest = [...TEST.slice(0, 5), item('tc2', undefined, { tone: 'x' })];
  await assert.rejects(
    evaluateCuratedSelection(input(0, { test: { items: unlabelledTest, embeddings: embed(TEST) } })),
    /dataset "held-out" have no class under labelFrom "labels", e.g. tc2/,
  );
  await assert.rejects(
    evaluateCuratedSelection(input(0, { spec: { ...SPEC, groups: [['tone', 'region']] } })),
    /no item of test dataset "held-out" has attribute\(s\) region/,
  );
});

/** Items joined with a store of all rows (the audit's subsets select theirs from one store). */
function joined(
  items: readonly ManifestItem[],
  all: readonly ManifestItem[],
  data = embed(all),
  dataset = 'pool',
): EmbeddedItems {
  return embeddedItems(
    items,
    { ids: all.map((it) => it.id), dim: 2, data, modelId: 'fake' },
    { manifest: `${dataset}.jsonl`, store: 'store', dataset },
  );
}

test('the curation stage adds the comparison rows, and the same seed gives the same rows', async () => {
  const pool = [...POOL, item('a3', 'A'), item('b3', 'B'), item('c1', 'C')].map((it, i) => ({
    ...it,
    attrs: { tone: i % 2 === 0 ? 'x' : 'y' },
  }));
  const all = [...pool, ...TEST];
  const evaluate = { ...SPEC, randomDraws: 3 };
  const run = async () => {
    const p = joined(pool, all);
    const curation = await curateDataset('m', p, {
      budget: 4,
      strategy: 'kcenter',
      seed: 5,
      groups: ['tone'],
    });
    const ev = await evaluateSelection('m', p, curation, joined(TEST, all, embed(all), 'held-out'), {
      evaluate,
      seed: 5,
      bootstrap: { seed: 5, resamples: 40 },
    });
    return { rows: [...curation.rows, ...ev.rows], notes: [...curation.notes, ...ev.notes] };
  };
  const first = await run();
  const second = await run();
  assert.deepEqual(second.rows, first.rows);
  assert.deepEqual(second.notes, first.notes);
  assert.ok(first.rows.some((r) => r.metric === 'share'));
  const random = find(first.rows, 'probe.accuracy', 'random');
  assert.equal(random.params.draws, 3);
  assert.equal(random.params.selected, 4);
  assert.equal(random.params.strategy, 'kcenter');
  assert.equal(random.n, TEST.length);
});

test('the probes of a selection see the raw embeddings, not the rows normalised for selection', async () => {
  // Same direction, different norms: only the raw rows separate A (norm 1-2) from B (norm 10-11).
  const rows: [string, string, number][] = [
    ['a0', 'A', 1],
    ['a1', 'A', 2],
    ['b0', 'B', 10],
    ['b1', 'B', 11],
    ['ta', 'A', 1.5],
    ['tb', 'B', 10.5],
  ];
  const items = rows.map(([id, cls]) => item(id, cls, { tone: 'x' }));
  const data = Float32Array.from(rows.flatMap(([, , x]) => [x, 0]));
  const pool = joined(items.slice(0, 4), items, data);
  const test = joined(items.slice(4), items, data, 'held-out');
  const curation = await curateDataset('m', pool, { budget: 4, strategy: 'kcenter' });
  const { rows: out } = await evaluateSelection('m', pool, curation, test, {
    evaluate: { ...SPEC, groups: [], randomDraws: 1 },
    seed: 0,
    bootstrap: { seed: 0, resamples: 0 },
  });
  assert.equal(find(out, 'probe.accuracy', 'curated').value, 1);
  assert.deepEqual(Array.from(data.subarray(0, 2)), [1, 0], 'the store is not modified');
});
