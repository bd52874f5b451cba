/**
 * report.html structure without a browser (the browser test opens it in Chromium): sections only for
 * the indicators present, one SVG with drawn marks per chart, a self-contained page, and a header
 * that states models, adaptation, data, deviations, failures, warnings and licences.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { ResultsFile } from '../core/results.js';
import { loadResults } from './load.js';
import { renderReport } from './report.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'report', 'sample-results.json');

let results: ResultsFile;
let page: string;

before(async () => {
  results = await loadResults(SAMPLE);
  page = await renderReport(results);
});

/** The <figure class="chart"> elements' inner HTML. */
function figures(html: string): string[] {
  return [...html.matchAll(/<figure class="chart">([\s\S]*?)<\/figure>/g)].map((m) => m[1]);
}

test('one section per indicator present, in reading order', () => {
  const sections = [...page.matchAll(/data-indicator="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(sections, [
    'label-association',
    'geographic',
    'retrieval',
    'robustness',
    'curation',
    'probe',
  ]);
  assert.match(page, /<section id="overview"/);
});

test('every chart is one static SVG with drawn marks and a title', () => {
  const figs = figures(page);
  const titles = [...page.matchAll(/<div class="explain"><h4>([^<]+)<\/h4>/g)].map((m) => m[1]);
  for (const expected of [
    'Hit rate per group at τ = 0.1',
    'Threshold curves',
    'Per region and per income',
    'region × income_bucket',
    'Precision@K per group (same gender)',
    'Natural distribution shifts (top1)',
    'Effective robustness',
    'Corruptions by severity (top1)',
    'Corruption error and mCE',
    'Per group under corruption (skin_tone, emoji-demo)',
    'group_share on emoji-demo',
    'top1 on emoji-demo',
  ]) {
    assert.ok(titles.includes(expected), `missing chart: ${expected}`);
  }
  assert.equal(titles.filter((t) => t === 'Gaps between groups').length, 4);
  // 4 threshold-curve figures (one per attribute set) share one explanation block.
  assert.equal(figs.length, titles.length + 3);
  const ids = [...page.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  assert.equal(new Set(ids).size, ids.length, 'element ids are unique in the page');
  for (const f of figs) {
    assert.equal((f.match(/<svg/g) ?? []).length, 1);
    assert.match(f, /<svg[^>]* role="img"><title>[^<]+<\/title>/);
    // Marks are drawn: a mark group with at least one path (points, rules, lines, areas, rects).
    assert.match(f, /class="mark-(symbol|rule|line|area|rect)[^"]*"[^>]*>\s*<(path|line)/);
  }
});

test('the page is self-contained: no script, stylesheet link, external source or import', () => {
  // url(#id) is an in-page reference (a legend gradient); anything else would be fetched.
  for (const forbidden of [
    /<script/i,
    /<link/i,
    /\ssrc=/i,
    /@import/i,
    /url\((?!#)/i,
    /<image/i,
    /<iframe/i,
  ]) {
    const hit = forbidden.exec(page);
    assert.equal(hit, null, `${forbidden}: ${hit ? page.slice(hit.index - 80, hit.index + 80) : ''}`);
  }
  // The only http(s) references are links in the credits, which load nothing.
  const refs = [...page.matchAll(/(?<!xmlns(?::xlink)?=")https?:\/\/[^\s"<]+/g)].map((m) => m[0]);
  for (const ref of refs) assert.ok(page.includes(`href="${ref}"`) || page.includes(`>${ref}<`), ref);
});

test('the header states models, adaptation, data, protocol, deviations, failures, warnings, licences', () => {
  assert.match(page, /linear probe on frozen features — frozen trunk, linear head/);
  assert.match(page, /zero-shot: the model&#39;s own classifier logits/);
  for (const d of results.deviations) assert.ok(page.includes(d.replace(/'/g, '&#39;')), d);
  for (const f of results.failures) assert.ok(page.includes(f.id), f.id);
  assert.match(page, /small group: n=18 &lt; 30/);
  assert.match(page, /few clusters: 3 &lt; 10/);
  for (const licence of [
    'CC-BY-NC 4.0',
    'BSD-3-Clause',
    'CC BY 4.0',
    'Apache-2.0 (emoji-datasource-google 16.0.0)',
  ]) {
    assert.ok(page.includes(licence), licence);
  }
  assert.match(
    page,
    /confidence thresholds τ<\/th><td>0\.1, 0\.3, 0\.5, 0\.8 \(headline figures at τ = 0\.1\)/,
  );
  assert.match(page, /retrieval K<\/th><td>1, 5, 10, 50/);
  assert.match(page, /Drawings, not photographs/);
});

test('headline tables at τ = 0.1 are open; other thresholds are folded', () => {
  const [open, folded] = page.split('<details class="more-tables">');
  assert.match(open, /<caption>hit_rate · cc-v1-mini · gender · tau=0\.1<\/caption>/);
  assert.doesNotMatch(open.slice(open.indexOf('indicator-label-association')), /tau=0\.3<\/caption>/);
  assert.match(folded, /<caption>hit_rate · cc-v1-mini · gender · tau=0\.3<\/caption>/);
});

test('a results file with one indicator gets only that section, and renders identically twice', async () => {
  const geo: ResultsFile = { ...results, rows: results.rows.filter((r) => r.indicator === 'geographic') };
  const first = await renderReport(geo);
  const sections = [...first.matchAll(/data-indicator="([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(sections, ['geographic']);
  assert.doesNotMatch(first, /Threshold curves/);
  assert.equal(await renderReport(geo), first);
});

test('an indicator without a dedicated layout and undefined values still render', async () => {
  const base = { params: {}, n: 10, clusters: 10, warnings: [], dataset: 'd' };
  const odd: ResultsFile = {
    ...results,
    models: { only: { adaptation: 'embeddings' } },
    rows: [
      {
        ...base,
        model: 'only',
        indicator: 'custom',
        metric: 'score',
        group: { a: 'x' },
        value: 0.4,
        ci: [0.3, 0.5],
      },
      {
        ...base,
        model: 'only',
        indicator: 'custom',
        metric: 'score',
        group: { a: 'y' },
        value: Number.NaN,
        ci: [Number.NaN, Number.NaN],
      },
    ],
  };
  const html = await renderReport(odd);
  assert.deepEqual(
    [...html.matchAll(/data-indicator="([^"]+)"/g)].map((m) => m[1]),
    ['custom'],
  );
  assert.match(html, /<h2>custom<\/h2>/);
  assert.match(html, /<span class="v">n\/a<\/span>/);
  assert.equal(figures(html).length, 1);
});
