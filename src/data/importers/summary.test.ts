import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem } from '../../core/types.js';
import { formatImportSummary, summarizeImport } from './summary.js';

const items: ManifestItem[] = [
  { id: 'a', source: 'a', labels: ['cup', 'mug'], attrs: { region: 'Asia', income: 90 }, cluster: 'h1' },
  { id: 'b', source: 'b', labels: ['cup'], attrs: { region: 'Africa', income: 1809 }, cluster: 'h1' },
  { id: 'c', source: 'c', labels: ['car'], attrs: { region: 'Asia', income: 91, note: 'x' } },
  { id: 'd', source: 'd', labels: [], attrs: { region: 'Asia', income: 'n/a' } },
];

test('summarizeImport counts values, ranges numeric attributes and counts clusters', () => {
  const s = summarizeImport(items, 2);
  assert.equal(s.items, 4);
  assert.equal(s.skipped, 2);
  // clusters: h1 (a, b), c, d
  assert.equal(s.clusters, 3);
  assert.deepEqual(s.labels, { cup: 2, car: 1, mug: 1 });
  assert.deepEqual(Object.keys(s.attrs), ['income', 'note', 'region']);
  // income mixes numbers and a string: categorical
  assert.deepEqual(s.attrs.income, {
    kind: 'categorical',
    counts: { '1809': 1, '90': 1, '91': 1, 'n/a': 1 },
    missing: 0,
  });
  assert.deepEqual(s.attrs.note, { kind: 'categorical', counts: { x: 1 }, missing: 3 });
  assert.deepEqual(s.attrs.region, { kind: 'categorical', counts: { Asia: 3, Africa: 1 }, missing: 0 });
  assert.deepEqual(summarizeImport(items.slice(0, 3), 0).attrs.income, {
    kind: 'numeric',
    min: 90,
    max: 1809,
    missing: 0,
  });
});

test('formatImportSummary writes one line per attribute and cuts long lists', () => {
  const lines = formatImportSummary(summarizeImport(items.slice(0, 3), 0), 1);
  assert.deepEqual(lines, [
    'items: 3',
    'skipped: 0',
    'clusters: 2',
    'labels (3 distinct): cup 2, … 2 more',
    'income: numeric 90..1809',
    'note: x 1 (missing on 2)',
    'region: Asia 2, … 1 more',
  ]);
});
