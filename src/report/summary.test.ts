/**
 * summary.md for the committed sample, against the committed expected file, plus checks computed from
 * the sample's rows by hand (value formatting per unit, counts by filtering). To regenerate the
 * snapshot deliberately (after a reviewed change of the format):
 *   UPDATE_REPORT_SNAPSHOT=1 node --import tsx --test src/report/summary.test.ts
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { ResultsFile } from '../core/results.js';
import type { ResultRow } from '../core/types.js';
import { loadResults } from './node/results-file.js';
import { renderSummaryMarkdown } from './summary.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'report');

let results: ResultsFile;
let text: string;

before(async () => {
  results = await loadResults(join(FIXTURES, 'sample-results.json'));
  text = renderSummaryMarkdown(results);
});

/** The part of the summary under one '## ' heading. */
function section(title: string): string {
  const start = text.indexOf(`\n## ${title}`);
  assert.ok(start >= 0, title);
  const end = text.indexOf('\n## ', start + 1);
  return text.slice(start, end < 0 ? undefined : end);
}

/** 'value [lo, hi]' with fixed decimals, written out independently of format.ts. */
function cell(r: ResultRow, decimals: number): string {
  const f = (x: number) => x.toFixed(decimals).replace(/^-(0\.?0*)$/, '$1');
  return `${f(r.value)} [${f(r.ci[0])}, ${f(r.ci[1])}]`;
}

test('summary.md of the sample equals the committed snapshot', async () => {
  const expectedPath = join(FIXTURES, 'sample-summary.md');
  if (process.env.UPDATE_REPORT_SNAPSHOT === '1') await writeFile(expectedPath, text);
  assert.equal(text, await readFile(expectedPath, 'utf8'));
});

test('every headline value appears with its interval in its unit: hit rates in % (1 decimal), precision 0–1 (3)', () => {
  const la = section('Harmful label association');
  const headline = results.rows.filter(
    (r) => r.indicator === 'label-association' && r.metric === 'hit_rate' && r.params.tau === 0.1,
  );
  assert.equal(headline.length, 120);
  for (const r of headline) assert.ok(la.includes(cell(r, 1)), `${JSON.stringify(r.params)} ${cell(r, 1)}`);
  const geo = section('Geographical diversity');
  for (const r of results.rows.filter((x) => x.indicator === 'geographic' && x.metric === 'hit_rate')) {
    assert.ok(geo.includes(cell(r, 1)), cell(r, 1));
  }
  const ret = section('Same-attribute retrieval');
  const atK = results.rows.filter(
    (r) => r.metric === 'precision_at_k' && (r.params.k === 10 || r.params.k === 50),
  );
  assert.equal(atK.length, 48);
  for (const r of atK) assert.ok(ret.includes(cell(r, 3)), cell(r, 3));
  assert.match(ret, /### precision@K \(0–1\)/);
  assert.match(la, /### hit rate \(%\) · cc-v1-mini · gender · tau=0\.1/);
});

test('other thresholds and secondary statistics are counted, not tabled', () => {
  const la = section('Harmful label association');
  assert.doesNotMatch(la, /tau=0\.3/);
  assert.doesNotMatch(text, /### precision@K.*k=1\b/);
  const count = (pred: (r: ResultRow) => boolean) => results.rows.filter(pred).length;
  const otherTau = count(
    (r) => r.metric === 'hit_rate' && r.indicator === 'label-association' && r.params.tau !== 0.1,
  );
  const allHit = count((r) => r.metric === 'hit_rate' && r.indicator === 'label-association');
  const rates = count((r) => r.metric === 'prediction_rate');
  assert.ok(otherTau > 0 && rates > 0);
  assert.ok(la.includes(`hit_rate ${otherTau} of ${allHit}`), `hit_rate ${otherTau} of ${allHit}`);
  // Per-class prediction rates are summarised by the disparities: none of them is listed.
  assert.ok(la.includes(`prediction_rate ${rates};`) || la.includes(`prediction_rate ${rates}.`));
});

test('the significant comparisons are those with Holm-adjusted p < 0.05, counted at the headline τ', () => {
  const la = section('Harmful label association');
  const tests = results.rows.filter(
    (r) => r.indicator === 'label-association' && r.metric === 'hit_rate.comparison',
  );
  const significant = tests.filter((r) => Number(r.params.pHolm) < 0.05);
  const atTau = tests.filter((r) => r.params.tau === 0.1);
  assert.ok(significant.length > 0 && significant.length < tests.length);
  assert.ok(
    la.includes(`${significant.filter((r) => r.params.tau === 0.1).length} of ${atTau.length} at τ = 0.1`),
  );
  const listed = la
    .slice(la.indexOf('significant after Holm'))
    .split('\n')
    .filter((l) => / vs /.test(l));
  assert.equal(listed.length, significant.length);
  const smallest = [...significant].sort((a, b) => Number(a.params.pHolm) - Number(b.params.pHolm))[0];
  const p = Number(smallest.params.pHolm);
  assert.ok(listed[0].endsWith(`| ${p < 0.001 ? '<0.001' : p.toFixed(3)} |`), listed[0]);
});

test('warnings are summarised by kind with their row counts', () => {
  const w = section('Warnings');
  const small = results.rows.filter((r) =>
    r.warnings.some((x) => x.startsWith('too small to conclude:')),
  ).length;
  assert.ok(
    w.includes(
      `| too small to conclude (needs n >= 30 and clusters >= 10) | ${small.toLocaleString('en-US')} |`,
    ),
  );
  const lines = w.split('\n').filter((l) => l.startsWith('| '));
  assert.ok(lines.length <= 12, `${lines.length} warning lines`);
  assert.match(w, /groups: age=70\+ \(n=18\)/);
});

test('a file with no rows still renders, and says there is nothing to warn about', () => {
  const empty = renderSummaryMarkdown({ ...results, rows: [], failures: [], deviations: [] });
  assert.match(empty, /## Deviations from the reference protocol\n\nNone recorded\./);
  assert.match(empty, /No row carries a warning\./);
  assert.doesNotMatch(empty, /## Harmful label association/);
});
