import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyResults } from '../../core/results.js';
import type { ManifestItem, ResultRow } from '../../core/types.js';
import { probeComparisonRows } from '../../curate/probe-comparison.js';
import { renderReport } from '../report.js';
import { renderSummaryMarkdown } from '../summary.js';

/** 6 test items in tones x (4) and y (2), each its own cluster. */
const ITEMS: ManifestItem[] = ['x', 'y', 'x', 'y', 'x', 'x'].map((tone, i) => ({
  id: `t${i}`,
  source: `t${i}.png`,
  labels: [],
  attrs: { tone },
}));

function comparisonRows(): ResultRow[] {
  return probeComparisonRows(
    ITEMS,
    {
      curated: Uint8Array.from([1, 1, 1, 1, 1, 1]),
      random: [Uint8Array.from([1, 1, 1, 1, 0, 0]), Uint8Array.from([1, 1, 0, 1, 0, 1])],
    },
    [{ name: 'tone', attributes: ['tone'] }],
    {
      model: 'm1',
      dataset: 'held-out',
      params: {
        strategy: 'balanced',
        budget: 3,
        trainDataset: 'pool',
        selected: 3,
        draws: 2,
        head: 'linear',
        labelFrom: 'labels',
      },
    },
    { seed: 0, resamples: 50 },
  );
}

const share: ResultRow = {
  kind: 'value',
  model: 'm1',
  indicator: 'curation',
  dataset: 'pool',
  metric: 'share',
  group: { tone: 'x' },
  value: 0.5,
  ci: [Number.NaN, Number.NaN],
  n: 3,
  clusters: 3,
  warnings: [],
  params: { strategy: 'balanced', budget: 3, stage: 'after' },
};

test('the curation section shows curated vs random per group with curated − random and the gap', async () => {
  const results = emptyResults();
  results.rows = [share, ...comparisonRows()];
  const page = await renderReport(results);
  const start = page.indexOf('data-indicator="curation"');
  const section = page.slice(start, page.indexOf('</section>', start));
  assert.ok(section.includes('m1: balanced selection vs 2 random selections'));
  // Chart: one figure for the shares, one for the comparison (legend names both selections).
  assert.ok(section.includes('random (mean of draws)'));
  const table = section.slice(section.indexOf('probe accuracy (0–1) ·'));
  const rowOf = (label: string) => {
    const m = table.match(new RegExp(`<tr[^>]*><th scope="row">${label}</th>([\\s\\S]*?)</tr>`));
    assert.ok(m, label);
    return [...(m[1] as string).matchAll(/<span class="v">([^<]*)<\/span>/g)].map((x) => x[1]);
  };
  // overall: curated 6/6, random (4/6 + 4/6) / 2, curated − random 1/3.
  assert.deepEqual(rowOf('overall'), ['1.000', '0.667', '0.333']);
  // x: curated 4/4, random (2/4 + 2/4) / 2; y: 2/2 for all.
  assert.deepEqual(rowOf('tone=x'), ['1.000', '0.500', '0.500']);
  assert.deepEqual(rowOf('tone=y'), ['1.000', '1.000', '0.000']);
  // largest − smallest: curated 0, random 0.5, change −0.5.
  assert.deepEqual(rowOf('largest − smallest \\(tone\\)'), ['0.000', '0.500', '-0.500']);
  // The share rows keep the generic layout.
  assert.ok(section.includes('share'));
});

test('summary.md puts curated and random in the rows of one table', () => {
  const results = emptyResults();
  results.rows = comparisonRows();
  const md = renderSummaryMarkdown(results);
  assert.match(md, /\| m1 \| curated \|/);
  assert.match(md, /\| m1 \| random \|/);
});
