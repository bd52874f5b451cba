import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../core/errors.js';
import { emptyResults, type ResultsFile, upgradeRow } from '../core/results.js';
import type { ResultRow } from '../core/types.js';
import { compareResults, renderComparisonMarkdown } from './compare.js';
import { renderComparisonHtml } from './compare-html.js';

function row(model: string, group: string, value: number, ci: [number, number]): ResultRow {
  return upgradeRow({
    model,
    indicator: 'geographic',
    metric: 'hit_rate',
    params: {},
    group: { region: group },
    value,
    ci,
    n: 40,
    clusters: 10,
    warnings: [],
    dataset: 'ds',
  });
}

function results(rows: ResultRow[]): ResultsFile {
  const r = emptyResults();
  r.rows = rows;
  for (const x of rows) r.models[x.model] = {};
  return r;
}

test('same model: change B − A, flagged only when the intervals do not overlap', () => {
  const a = results([
    row('m', 'Africa', 0.5, [0.4, 0.6]),
    row('m', 'Europe', 0.8, [0.75, 0.85]),
    row('m', 'Asia', 0.7, [0.6, 0.8]),
  ]);
  const b = results([
    row('m', 'Europe', 0.7, [0.65, 0.74]), // upper 0.74 < A's lower 0.75: flagged
    row('m', 'Africa', 0.58, [0.5, 0.66]), // overlaps [0.4, 0.6]
    row('m', 'Americas', 0.6, [0.5, 0.7]), // only in B
  ]);
  const c = compareResults(a, b);
  assert.equal(c.matchBy, 'model');
  assert.deepEqual(
    c.rows.map((r) => [r.group.region, Number(r.change.toFixed(10)), r.flagged]),
    [
      ['Africa', 0.08, false], // 0.58 - 0.5
      ['Europe', -0.1, true], // 0.7 - 0.8
    ],
  );
  assert.equal(c.onlyInA, 1);
  assert.equal(c.onlyInB, 1);
  const md = renderComparisonMarkdown(c);
  assert.match(md, /Matched 2 rows by model; 1 changed beyond their 95% intervals/);
  assert.match(
    md,
    /\| region=Europe \| m \| 0\.800 \[0\.750, 0\.850\] \| 0\.700 \[0\.650, 0\.740\] \| -0\.100 \| ⚑ \|/,
  );
  assert.match(md, /\| region=Africa \| m \| .* \| \+0\.080 \| {2}\|/);
  assert.doesNotMatch(renderComparisonMarkdown(c, { flaggedOnly: true }), /Africa/);
});

test('different models: matched by dataset when each file holds one model; --pair picks two', () => {
  const a = results([row('x', 'Africa', 0.5, [0.45, 0.55])]);
  const b = results([row('y', 'Africa', 0.7, [0.65, 0.75])]);
  const c = compareResults(a, b);
  assert.equal(c.matchBy, 'dataset');
  assert.equal(c.rows.length, 1);
  assert.equal(c.rows[0].flagged, true);
  const two = results([row('x', 'Africa', 0.5, [0.45, 0.55]), row('z', 'Africa', 0.1, [0, 0.2])]);
  assert.throws(() => compareResults(two, b), UsageError);
  const paired = compareResults(two, b, 'auto', ['z', 'y']);
  assert.equal(paired.rows[0].a.value, 0.1);
  assert.throws(() => compareResults(two, b, 'auto', ['nope', 'y']), /--pair: model "nope" is not in A/);
});

test('undefined intervals are never flagged', () => {
  const a = results([row('m', 'Africa', Number.NaN, [Number.NaN, Number.NaN])]);
  const b = results([row('m', 'Africa', 0.9, [0.85, 0.95])]);
  const c = compareResults(a, b);
  assert.equal(c.rows[0].flagged, false);
  assert.ok(Number.isNaN(c.rows[0].change));
});

test('compare.html is one page with a chart of the flagged rows and no script', async () => {
  const a = results([row('m', 'Europe', 0.8, [0.75, 0.85])]);
  const b = results([row('m', 'Europe', 0.6, [0.55, 0.65])]);
  const page = await renderComparisonHtml(compareResults(a, b), { a: 'a.json', b: 'b.json' });
  assert.equal((page.match(/<svg/g) ?? []).length, 1);
  assert.doesNotMatch(page, /<script|<link|src=/);
  assert.match(page, /beyond intervals/);
});

test('tests between groups match across runs although their p-values differ', () => {
  const t = (pHolm: number, value: number): ResultRow => ({
    ...row('m', 'Africa', value, [value - 0.1, value + 0.1]),
    kind: 'comparison',
    metric: 'hit_rate.comparison',
    params: { test: 'pairwise', versus: 'region=Asia', pValue: pHolm / 2, pHolm },
  });
  const c = compareResults(results([t(0.03, 0.2)]), results([t(0.4, 0.05)]));
  assert.equal(c.rows.length, 1);
  assert.equal(c.onlyInA, 0);
  assert.equal(Number(c.rows[0].change.toFixed(10)), -0.15);
});

test('compare.html lists at most 1,000 rows, flagged ones first, and says how many it left out', async () => {
  const many = (shift: number) =>
    results(
      Array.from({ length: 1200 }, (_, i) => {
        const v = i === 1100 ? 0.5 + shift : 0.5;
        return row('m', `g${i}`, v, [v - 0.05, v + 0.05]);
      }),
    );
  const page = await renderComparisonHtml(compareResults(many(0), many(0.3)), { a: 'a.json', b: 'b.json' });
  assert.equal((page.match(/<tr( class="flagged")?><td>geographic/g) ?? []).length, 1000);
  assert.match(
    page,
    /<tbody><tr class="flagged"><td>geographic<\/td><td>hit_rate<\/td><td>ds<\/td><td><\/td><td>region=g1100/,
  );
  assert.match(page, /lists 1000 of 1200 matched rows/);
});
