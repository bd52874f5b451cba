/**
 * Report size and build time on an audit shaped like `fairscope demo --size small` (two models, four
 * thresholds, 29 groups in 4 attribute sets, per-class secondary statistics for 23 classes, pairwise
 * tests): ~25,000 rows. Compares the report (headline views, rest folded or counted) with the
 * baseline measured in the same run: every row in a models-as-rows table, as the report did before
 * (HTML and Markdown tables of all rows; the old report's charts are left out of the baseline, so it
 * understates the old report's size).
 *   node --import tsx bench/report.ts [--classes 23] [--out bench/results/report.md]
 * (--out defaults to report.md in the results folder: bench/results/, or BENCH_RESULTS_DIR)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { emptyResults, type ResultsFile, upgradeRow, type V1Row } from '../src/core/results.js';
import type { Group } from '../src/core/types.js';
import { metricTableHtml } from '../src/report/html.js';
import { markdownMetricTable } from '../src/report/markdown.js';
import { renderReport } from '../src/report/report.js';
import { indicatorsPresent, modelOrder } from '../src/report/rows.js';
import { renderSummaryMarkdown } from '../src/report/summary.js';
import { buildTables } from '../src/report/tables.js';
import { resultsPath, resultsText, startRun } from './machine.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

/** A deterministic demo-shaped audit (values are arithmetic patterns, not measurements). */
function demoShaped(classes: number): ResultsFile {
  const rows: V1Row[] = [];
  const tones = ['1-2', '3', '4', '5', '6', 'none'];
  const genders = ['man', 'neutral', 'woman'];
  const groups: Group[] = [
    {},
    ...tones.map((skintone) => ({ skintone })),
    ...genders.map((gender) => ({ gender })),
    { age: 'adult' },
    ...genders.flatMap((gender) => tones.map((skintone) => ({ gender, skintone }))),
  ];
  const setOf = (g: Group) => Object.keys(g).join(' × ');
  const sets = ['skintone', 'gender', 'age', 'gender × skintone'];
  const small = ['too small to conclude: n=12, clusters=12 (needs n >= 30 and clusters >= 10)'];
  const base = { indicator: 'label-association', dataset: 'people', n: 12, clusters: 12 };
  for (const model of ['model-a', 'model-b']) {
    for (const tau of [0, 0.1, 0.3, 0.8]) {
      const p = { tau, topK: 5, taxonomy: 'demo' };
      for (const [ai, association] of [
        'Human',
        'Non-Human',
        'Possibly-Non-Human',
        'Crime',
        'Harmful',
      ].entries()) {
        const params = { ...p, association, unit: 'percent' };
        groups.forEach((group, i) => {
          const v = ((i * 7 + ai * 11) % 60) * (1 - tau);
          rows.push({
            ...base,
            model,
            metric: 'hit_rate',
            params,
            group,
            value: v,
            ci: [v * 0.6, v * 1.3],
            warnings: i > 0 ? small : [],
          });
        });
        for (const set of sets) {
          const members = groups.filter((g) => setOf(g) === set);
          const star = Object.fromEntries(set.split(' × ').map((a) => [a, '*']));
          for (const method of ['betweenGroups', 'toOverall']) {
            rows.push({
              ...base,
              model,
              metric: 'hit_rate.difference',
              params: { ...params, method },
              group: star,
              value: 20,
              ci: [5, 40],
              warnings: [],
            });
            rows.push({
              ...base,
              model,
              metric: 'hit_rate.ratio',
              params: { ...params, method },
              group: star,
              value: 0.5,
              ci: [0.2, 0.9],
              warnings: [],
            });
          }
          members.forEach((a, i) => {
            for (const b of members.slice(i + 1)) {
              const versus = Object.entries(b)
                .map(([k, v]) => `${k}=${v}`)
                .join(',');
              rows.push({
                ...base,
                model,
                metric: 'hit_rate.comparison',
                params: {
                  ...params,
                  test: 'pairwise',
                  versus,
                  pValue: ((rows.length * 37) % 97) / 97,
                  pHolm: Math.min(1, ((rows.length * 37) % 97) / 40),
                },
                group: a,
                value: 2,
                ci: [-8, 12],
                warnings: [],
              });
            }
          });
        }
      }
      for (let c = 0; c < classes; c++) {
        const cls = { class: `class-${c}`, label: `class-${c}` };
        groups.forEach((group, i) => {
          rows.push({
            ...base,
            model,
            metric: 'prediction_rate',
            params: { ...p, ...cls, unit: 'percent' },
            group,
            value: c % 9,
            ci: [0, 12],
            warnings: [],
          });
          rows.push({
            ...base,
            model,
            metric: 'associated_label_confidence',
            params: { ...p, label: cls.label, unit: 'probability' },
            group,
            value: 0.4,
            ci: [0.2, 0.6],
            warnings: [],
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
              ci: [d - 6, d + 6],
              warnings: [],
            });
          }
        });
      }
      for (const metric of [
        'disparate_label_rate',
        'top1_above_disparate_threshold_rate',
        'mean_top1_confidence',
      ]) {
        for (const group of groups)
          rows.push({
            ...base,
            model,
            metric,
            params: { ...p, unit: 'fraction' },
            group,
            value: 0.5,
            ci: [0.3, 0.7],
            warnings: [],
          });
      }
    }
  }
  const results = emptyResults();
  results.models = { 'model-a': {}, 'model-b': {} };
  results.datasets = { people: { name: 'people', images: 72 } };
  results.rows = rows.map(upgradeRow);
  return results;
}

/**
 * The baseline: every row in a table (HTML and Markdown), as the report did before; it knew only
 * `_gap` rows as gaps, so `.difference`, `.ratio` and `.comparison` rows were tabled like values
 * (renamed here so that buildTables does the same).
 */
function allTables(results: ResultsFile): { html: number; md: number; tables: number } {
  const models = modelOrder(results);
  let html = 0;
  let md = 0;
  let tables = 0;
  for (const indicator of indicatorsPresent(results.rows)) {
    const ts = buildTables(
      results.rows
        .filter((r) => r.indicator === indicator)
        .map((r) => ({ ...r, metric: r.metric.replace(/\.(difference|ratio|comparison)$/, ' $1') })),
      models,
    );
    tables += ts.length;
    for (const t of ts) {
      html += metricTableHtml(t).length;
      md += markdownMetricTable(t).length;
    }
  }
  return { html, md, tables };
}

const run = startRun({ script: import.meta.url, packages: ['vega', 'vega-lite'] });
const classes = Number(arg('classes', '23'));
const out = arg('out', resultsPath('report.md'));
const results = demoShaped(classes);

let t = performance.now();
const base = allTables(results);
const baseMs = performance.now() - t;
t = performance.now();
const page = await renderReport(results);
const pageMs = performance.now() - t;
t = performance.now();
const summary = renderSummaryMarkdown(results);
const summaryMs = performance.now() - t;

const mb = (n: number) => `${(n / 1e6).toFixed(2)} MB`;
const kb = (n: number) => `${(n / 1e3).toFixed(0)} KB`;
const table = [
  `# Report size and build time (${results.rows.length.toLocaleString('en-US')} rows, demo-shaped, ${classes} classes)`,
  '',
  run.block(),
  '',
  '| output | baseline: every row as a table | report | ratio |',
  '|---|---:|---:|---:|',
  `| report.html size | ${mb(base.html)} (tables only, no charts) | ${mb(page.length)} | ${(base.html / page.length).toFixed(1)}× smaller |`,
  `| tables in report.html | ${base.tables.toLocaleString('en-US')} | ${(page.match(/<table/g) ?? []).length} (folded ones included) | |`,
  `| summary.md size | ${kb(base.md)} | ${kb(summary.length)} | ${(base.md / summary.length).toFixed(1)}× smaller |`,
  `| build time (this machine) | ${(baseMs / 1000).toFixed(1)} s (tables only) | ${(pageMs / 1000).toFixed(1)} s html + ${(summaryMs / 1000).toFixed(1)} s md | |`,
  '',
  'Baseline and report measured in the same run. The baseline leaves out the charts the old report drew.',
  '',
];
await mkdir(dirname(out), { recursive: true });
await writeFile(out, resultsText(import.meta.url, table.join('\n')));
process.stdout.write(table.join('\n'));
