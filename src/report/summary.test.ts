/**
 * summary.md for the committed sample, against the committed expected file. To regenerate it
 * deliberately (after a reviewed change of the format):
 *   UPDATE_REPORT_SNAPSHOT=1 node --import tsx --test src/report/summary.test.ts
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadResults } from './load.js';
import { renderSummaryMarkdown } from './summary.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'report');

test('summary.md of the sample equals the committed snapshot', async () => {
  const text = renderSummaryMarkdown(await loadResults(join(FIXTURES, 'sample-results.json')));
  const expectedPath = join(FIXTURES, 'sample-summary.md');
  if (process.env.UPDATE_REPORT_SNAPSHOT === '1') await writeFile(expectedPath, text);
  assert.equal(text, await readFile(expectedPath, 'utf8'));
});

test('every result row appears in summary.md with its value and interval', async () => {
  const results = await loadResults(join(FIXTURES, 'sample-results.json'));
  const text = renderSummaryMarkdown(results);
  // Values are proportions here, shown with 3 decimals: check the cell text built by hand.
  for (const r of results.rows) {
    const cell = `${r.value.toFixed(3)} [${r.ci[0].toFixed(3)}, ${r.ci[1].toFixed(3)}]`.replace(
      /-0\.000/g,
      '0.000',
    );
    assert.ok(text.includes(cell), `${r.indicator} ${r.metric} ${JSON.stringify(r.group)}: ${cell}`);
  }
  for (const d of results.deviations) assert.ok(text.includes(d));
  for (const f of results.failures) assert.ok(text.includes(f.id));
  assert.match(text, /small group: n=18 < 30 \| 30 \| label-association\/cc-v1-mini: age=70\+/);
});

test('a file with no rows still renders, and says there is nothing to warn about', async () => {
  const results = await loadResults(join(FIXTURES, 'sample-results.json'));
  const text = renderSummaryMarkdown({ ...results, rows: [], failures: [], deviations: [] });
  assert.match(text, /## Deviations from the reference protocol\n\nNone recorded\./);
  assert.match(text, /No row carries a warning\./);
  assert.doesNotMatch(text, /## Harmful label association/);
});
