/**
 * report.html structure without a browser (the browser test opens it in Chromium): sections only for
 * the indicators present, one SVG with drawn marks per chart, a self-contained page, a header that
 * states models, adaptation, data, deviations, failures, warnings and licences, headline views at
 * the protocol's τ and K with the rest folded, units per metric, and a compact page for an audit with
 * thousands of secondary rows.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { type ResultsFile, upgradeRow, type V1Row } from '../core/results.js';
import type { Group } from '../core/types.js';
import { loadResults } from './node/results-file.js';
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

/** The HTML of one indicator's section. */
function section(html: string, indicator: string): string {
  const start = html.indexOf(`data-indicator="${indicator}"`);
  assert.ok(start >= 0, indicator);
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
}

/** The part of `html` outside <details> elements (what the reader sees without unfolding). */
function unfolded(html: string): string {
  return html.replace(/<details[\s\S]*?<\/details>/g, '');
}

const captions = (html: string) => [...html.matchAll(/<caption>([^<]*)<\/caption>/g)].map((m) => m[1]);

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
    'Gaps between groups at τ = 0.1',
    'Threshold curves',
    'Per-class prediction-rate disparity',
    'Disparate label and confidence per group at τ = 0.1',
    'Per region and per income',
    'region × income_bucket',
    'Precision@K per group at K = 10 and 50 (same gender)',
    'Accuracy under natural distribution shifts',
    'Top-1 accuracy per group under natural shifts',
    'Accuracy drop from in-distribution, per group',
    'Corruptions by severity',
    'Per group under corruption (skin_tone)',
    'Corruption error and mCE',
    'Effective robustness',
    'group_share on emoji-demo',
    'top1 on emoji-demo',
  ]) {
    assert.ok(titles.includes(expected), `missing chart: ${expected}`);
  }
  // Threshold curves: one figure per attribute set with at most 8 groups (gender, skintone, age;
  // not gender × skintone: 4 groups, also drawn); disparity heatmaps: gender, skintone, age.
  const curves = figs.filter((f) => /Hit rate against the confidence threshold/.test(f));
  assert.equal(curves.length, 4);
  const heatmaps = figs.filter((f) => /Prediction-rate disparity in percentage points/.test(f));
  assert.equal(heatmaps.length, 3);
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
  for (const d of results.deviations) assert.ok(page.includes(d.replace(/"/g, '&quot;')), d);
  for (const f of results.failures) assert.ok(page.includes(f.id), f.id);
  for (const licence of [
    'CC-BY-NC 4.0',
    'BSD-3-Clause',
    'CC BY 4.0',
    'Apache-2.0 (emoji-datasource-google 16.0.0)',
  ]) {
    assert.ok(page.includes(licence), licence);
  }
  // Per-style credits are listed one per line; subsets share their parent's licence.
  assert.match(
    page,
    /<li>Noto Emoji — Google Inc\. — Apache-2\.0 — <a href="https:\/\/github\.com\/googlefonts\/noto-emoji">/,
  );
  assert.match(page, /emoji-test-google \(of emoji-demo\)/);
  // Derived ids are explained, not flagged as undocumented.
  assert.match(page, /retrieval: queries cc-v1-mini, database utkface/);
  assert.ok(!/emoji-people~/.test(page), 'no dataset name encodes a corruption');
  assert.doesNotMatch(page, /no dataset entry in results\.json/);
  assert.match(page, /confidence thresholds τ<\/th><td>0\.1, 0\.3, 0\.8 \(headline figures at τ = 0\.1\)/);
  assert.match(page, /retrieval K<\/th><td>1, 10, 50/);
  assert.match(page, /Drawings, not photographs/);
});

test('warnings are one line per kind, with counts computed from the rows', () => {
  const start = page.indexOf('<table class="info-table warnings-table">');
  const table = page.slice(start, page.indexOf('</table>', start));
  const lines = [...table.matchAll(/<tr><td>([^<]+)<\/td><td class="num">([\d,]+)<\/td>/g)];
  const kinds = new Set(results.rows.flatMap((r) => r.warnings));
  assert.ok(lines.length < kinds.size, `${lines.length} lines for ${kinds.size} distinct texts`);
  const small = results.rows.filter((r) => r.warnings.some((w) => w.startsWith('too small to conclude:')));
  const line = lines.find((m) => m[1].startsWith('too small to conclude'));
  assert.equal(line?.[2], small.length.toLocaleString('en-US'));
  assert.match(table, /age=70\+ \(n=18\)/);
});

test('headline tables at τ = 0.1 and K = 10, 50 are open; other thresholds and K are folded', () => {
  const la = section(page, 'label-association');
  const open = captions(unfolded(la));
  assert.ok(open.includes('hit rate (%) · cc-v1-mini · gender · τ=0.1'), open.join('\n'));
  assert.ok(!open.some((c) => /tau=0\.3/.test(c)));
  assert.ok(captions(la).includes('hit rate (%) · cc-v1-mini · gender · tau=0.3'));
  const ret = section(page, 'retrieval');
  const openK = captions(unfolded(ret)).filter((c) => c.startsWith('precision@K'));
  assert.ok(openK.length > 0);
  for (const c of openK) assert.match(c, /^precision@K \(0–1\) · cc-v1-mini → utkface · /);
  // Rows at K = 1 only in folded tables: their row label (K) never appears unfolded.
  assert.doesNotMatch(unfolded(ret), /<td>1<\/td><td class="num/);
  assert.match(ret, /<td>1<\/td><td class="num/);
});

test('axes and captions name each metric’s unit: % for hit rates, 0–1 for precision and accuracy', () => {
  const la = section(page, 'label-association');
  assert.match(la, /hit rate \(%\)/);
  assert.match(la, /largest − smallest group \(percentage points\)/);
  assert.doesNotMatch(la, /hit rate \(0–1\)/);
  assert.match(section(page, 'retrieval'), /precision@K \(0–1\)/);
  assert.match(section(page, 'robustness'), /accuracy \(0–1\)/);
  // The gap of a percentage is printed with one decimal, of a proportion with three.
  const gap = results.rows.find(
    (r) =>
      r.metric === 'hit_rate.difference' &&
      r.params.tau === 0.1 &&
      r.params.association === 'Human' &&
      r.params.method === 'betweenGroups' &&
      r.model === 'swav-rn50' &&
      'gender' in r.group,
  );
  assert.ok(gap);
  assert.ok(la.includes(`<span class="v">${gap.value.toFixed(1)}</span>`), gap.value.toFixed(1));
});

test('comparisons: only those significant after Holm are listed, with the counts tested', () => {
  const la = section(page, 'label-association');
  const tests = results.rows.filter(
    (r) => r.indicator === 'label-association' && r.metric === 'hit_rate.comparison',
  );
  const significant = tests.filter((r) => Number(r.params.pHolm) < 0.05);
  assert.ok(significant.length > 0 && significant.length < tests.length);
  assert.match(la, new RegExp(`${significant.length} of ${tests.length} at τ = 0\\.1`));
  const start = la.indexOf('test-table');
  const listed = (la.slice(start, la.indexOf('</table>', start)).match(/<tr><th scope="row">/g) ?? []).length;
  assert.equal(listed, significant.length);
});

test('secondary statistics are summarised: no per-class table, every row counted in the note', () => {
  const la = section(page, 'label-association');
  assert.doesNotMatch(la, /<caption>prediction-rate disparity/);
  assert.match(la, /Largest per-class disparities per group at τ = 0\.1/);
  const note = la.slice(la.indexOf('<details class="rows-note">'));
  const count = results.rows.filter((r) => r.indicator === 'label-association').length;
  assert.match(note, new RegExp(`All ${count.toLocaleString('en-US')} label-association rows`));
  const disparities = results.rows.filter((r) => r.metric === 'prediction_rate_disparity').length;
  assert.match(
    note,
    new RegExp(`<code>prediction_rate_disparity</code></td><td class="num">${disparities}</td>`),
  );
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
  const base = { kind: 'value' as const, params: {}, n: 10, clusters: 10, warnings: [], dataset: 'd' };
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

/**
 * An audit shaped like `fairscope demo` output, scaled down: 2 models, 4 thresholds, 13 groups,
 * 60 classes → thousands of per-class rows and pairwise tests.
 */
function bigAudit(): ResultsFile {
  const rows: V1Row[] = [];
  const groups: Group[] = [
    {},
    ...['1', '2', '3', '4', '5', '6'].map((skintone) => ({ skintone })),
    ...['man', 'woman', 'neutral'].map((gender) => ({ gender })),
    ...['young', 'adult', 'old'].map((age) => ({ age })),
  ];
  const base = { indicator: 'label-association', dataset: 'people', n: 12, clusters: 12, warnings: [] };
  for (const model of ['a', 'b']) {
    for (const tau of [0, 0.1, 0.3, 0.8]) {
      const p = { tau, topK: 5, taxonomy: 't' };
      for (const association of ['Human', 'Non-Human', 'Crime', 'Harmful']) {
        for (const [i, group] of groups.entries()) {
          const v = (i * 7 + tau * 10) % 50;
          rows.push({
            ...base,
            model,
            metric: 'hit_rate',
            params: { ...p, association, unit: 'percent' },
            group,
            value: v,
            ci: [v / 2, v + 5],
          });
          for (const [j, other] of groups.entries()) {
            if (j <= i || i === 0 || Object.keys(other)[0] !== Object.keys(group)[0]) continue;
            const versus = Object.entries(other)
              .map(([k, x]) => `${k}=${x}`)
              .join(',');
            rows.push({
              ...base,
              model,
              metric: 'hit_rate.comparison',
              params: { ...p, association, unit: 'percent', test: 'pairwise', versus, pValue: 0.5, pHolm: 1 },
              group,
              value: 1,
              ci: [-5, 7],
            });
          }
        }
      }
      for (let c = 0; c < 60; c++) {
        for (const [i, group] of groups.entries()) {
          const cls = { class: `class-${c}`, label: `class-${c}` };
          rows.push({
            ...base,
            model,
            metric: 'prediction_rate',
            params: { ...p, ...cls, unit: 'percent' },
            group,
            value: c % 7,
            ci: [0, 9],
          });
          if (i > 0) {
            const d = ((c * 13 + i * 5) % 21) - 10;
            rows.push({
              ...base,
              model,
              metric: 'prediction_rate_disparity',
              params: { ...p, ...cls, unit: 'percentage points' },
              group,
              value: d,
              ci: [d - 4, d + 4],
            });
          }
          rows.push({
            ...base,
            model,
            metric: 'associated_label_confidence',
            params: { ...p, label: `class-${c}`, unit: 'probability' },
            group,
            value: 0.5,
            ci: [0.4, 0.6],
          });
        }
      }
    }
  }
  return {
    ...results,
    models: { a: {}, b: {} },
    datasets: { people: { name: 'people' } },
    failures: [],
    deviations: [],
    rows: rows.map(upgradeRow),
  };
}

test('an audit with thousands of per-class rows and tests gives a compact page', async () => {
  const big = bigAudit();
  assert.ok(big.rows.length > 15_000, String(big.rows.length));
  const html = await renderReport(big);
  const tables = (html.match(/<table/g) ?? []).length;
  // Headline (4 attribute sets) + other τ folded (12) + secondary folded + gaps/overview: bounded,
  // whatever the number of classes; one table per (class, τ, attribute set) would be ~2,000.
  assert.ok(tables <= 40, `${tables} tables`);
  assert.ok(html.length < 1_500_000, `${html.length} bytes`);
  // Pairs: skintone C(6,2) = 15, gender 3, age 3 → 21 per (model, association): × 4 × 2 = 168 per τ.
  assert.match(html, /0 of 168 at τ = 0\.1, 0 of 672 in all/);
});

test('the notes of the spec and the stages are listed in the header, escaped', async () => {
  const withNotes: ResultsFile = {
    ...results,
    extra: {
      ...results.extra,
      notes: ['Demo data: drawings.', 'taxonomy labels never predicted: <b>ape</b>'],
    },
  };
  const page = await renderReport(withNotes);
  assert.match(
    page,
    /<h3 id="notes">Notes<\/h3><ul><li>Demo data: drawings\.<\/li><li>taxonomy labels never predicted: &lt;b&gt;ape&lt;\/b&gt;<\/li><\/ul>/,
  );
});
