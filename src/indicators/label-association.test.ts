import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { MISSING_GROUP_NOTE, parseGroupings } from '../stats/groups.js';
import { HARMFUL, labelAssociation } from './label-association.js';
import { parseTaxonomy } from './taxonomy.js';
import { assertClose, indexRows, loadFixture } from './testing.js';

interface Fixture {
  inputs: {
    classes: string[];
    labelNames: string[];
    taxonomy: unknown;
    thresholds: number[];
    groups: string;
    items: ManifestItem[];
    logits: number[][];
  };
  perClass: string[];
  perLabel: string[];
  /** [metric, tau, param, group, value, n] */
  expected: [string, number, string, string, number | null, number | null][];
}

// Expected values: tools/indicators_reference.py, a numpy implementation written from protocols.md.
const fx = loadFixture<Fixture>('label-association.json');
const items = fx.inputs.items;
const taxonomy = parseTaxonomy(fx.inputs.taxonomy, 'fixture-taxonomy.json');

function run(
  resamples: number,
  seed = 0,
  perClass: 'all' | { classes: string[] } = { classes: fx.perClass },
): ResultRow[] {
  return labelAssociation(items, Float32Array.from(fx.inputs.logits.flat()), {
    model: 'fixture-model',
    taxonomy,
    classes: fx.inputs.classes,
    labelNames: fx.inputs.labelNames,
    thresholds: fx.inputs.thresholds,
    groupings: parseGroupings(fx.inputs.groups, items),
    perClass,
    comparisons: 'pairwise',
    bootstrap: { seed, resamples },
  });
}

/** The fixture's "param" column of a row. */
function paramOf(row: ResultRow): string {
  const p = row.params;
  const main = p.association ?? p.class ?? p.label;
  return [main, p.method].filter((x) => x !== undefined).join('/');
}

test('label association equals the numpy reference (hit rates, secondary statistics, gaps)', () => {
  const rows = run(0);
  const byKey = indexRows(
    rows.filter((r) => !r.metric.endsWith('.comparison') && r.params.method !== 'toOverall'),
    (r) => `${r.metric}|${r.params.tau}|${paramOf(r)}`,
  );
  for (const [metric, tau, param, group, value, n] of fx.expected) {
    const key = `${metric}|${tau}|${param}|${group}`;
    const row = byKey.get(key);
    assert.ok(row, `missing row ${key}`);
    assertClose(row.value, value, key);
    if (n !== null) assert.equal(row.n, n, `${key} n`);
  }
  // no group or association beyond the reference's (per-class rows cover all predicted classes here)
  const counted = (r: ResultRow) =>
    ['hit_rate', 'disparate_label_rate', 'mean_top1_confidence'].includes(r.metric);
  assert.equal(
    rows.filter(counted).length,
    fx.expected.filter((e) => counted({ metric: e[0] } as ResultRow)).length,
  );
});

test('label association rows: types, harmful union, missing-value groups, gaps and tests', () => {
  const rows = run(0);
  const hit = rows.filter((r) => r.metric === 'hit_rate' && r.params.tau === 0.1);
  // the empty Possibly-Non-Human type is not reported; Harmful is, flagged as an inference
  assert.deepEqual(
    [...new Set(hit.map((r) => r.params.association))],
    ['Human', 'Possibly-Human', 'Non-Human', 'Crime', HARMFUL],
  );
  assert.match(
    String(hit.find((r) => r.params.association === HARMFUL)?.params.definition),
    /Non-Human ∪ Crime \[INF\]/,
  );
  const na = hit.find((r) => r.group.gender === 'n/a' && Object.keys(r.group).length === 1);
  assert.ok(na?.warnings.includes(MISSING_GROUP_NOTE));
  const missing = hit.find((r) => r.group.skintone === '(missing)' && Object.keys(r.group).length === 1);
  assert.equal(missing?.n, 1);
  // pairwise tests among comparable genders: female, male, other (n/a left out)
  const tests = rows.filter(
    (r) =>
      r.metric === 'hit_rate.comparison' &&
      r.params.tau === 0.1 &&
      r.params.association === 'Human' &&
      Object.keys(r.group)[0] === 'gender' &&
      Object.keys(r.group).length === 1,
  );
  assert.deepEqual(
    tests.map((r) => `${r.group.gender} vs ${r.params.versus}`),
    ['female vs gender=male', 'female vs gender=other', 'male vs gender=other'],
  );
  for (const r of rows) {
    assert.equal(r.model, 'fixture-model');
    assert.equal(r.indicator, 'label-association');
  }
});

test('label association intervals: contain the value, deterministic under the seed', () => {
  const a = run(60, 5);
  const b = run(60, 5);
  assert.deepEqual(
    a.map((r) => r.ci),
    b.map((r) => r.ci),
  );
  const human = a.find(
    (r) =>
      r.metric === 'hit_rate' &&
      r.params.tau === 0 &&
      r.params.association === 'Human' &&
      Object.keys(r.group).length === 0,
  );
  assert.ok(
    human && human.ci[0] <= human.value && human.value <= human.ci[1],
    `${human?.ci} ${human?.value}`,
  );
  assert.ok(human.ci[1] > human.ci[0]);
  // n = 40 images in 20 subjects: large enough; each gender group (< 30 images) is not
  assert.deepEqual(human.warnings, []);
  const female = a.find(
    (r) => r.metric === 'hit_rate' && r.group.gender === 'female' && Object.keys(r.group).length === 1,
  );
  assert.ok(female?.warnings.some((w) => w.startsWith('too small to conclude: n=')));
});
