/**
 * Dataset strings in summary.md and model-card.md: a hostile group value, model name, dataset id,
 * note, deviation and failure id add no HTML, no table cell, no line and no code span; they show as
 * written once rendered.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ResultsFile } from '../core/results.js';
import { escapeMarkdownCell, escapeMarkdownText, markdownCode, markdownTable, md } from './markdown.js';
import { renderModelCard } from './model-card.js';
import { loadResults } from './node/results-file.js';
import { renderSummaryMarkdown } from './summary.js';

const SAMPLE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'report', 'sample-results.json');

const SCRIPT = '<script>alert(1)</script>';
const GROUP = `${SCRIPT} a|b \`code\` line\n## injected`;
const MODEL = 'evil<img src=x onerror=alert(1)>|`m`\nx';

/** The sample with hostile strings where a dataset puts its own: a group value, a model, notes. */
async function hostileResults(): Promise<ResultsFile> {
  const results = await loadResults(SAMPLE);
  const rename = (m: string) => (m === 'swav-rn50' ? MODEL : m);
  results.models = Object.fromEntries(Object.entries(results.models).map(([k, v]) => [rename(k), v]));
  (results.models[MODEL] as Record<string, unknown>).name = `${SCRIPT} name`;
  (results.models[MODEL] as Record<string, unknown>).note = `<iframe src=x>\n- item`;
  for (const r of results.rows) {
    r.model = rename(r.model);
    for (const [k, v] of Object.entries(r.group)) if (v === 'female') r.group[k] = GROUP;
  }
  (results.datasets['cc-v1-mini'] as Record<string, unknown>).note = `${SCRIPT} \`x\``;
  results.deviations.push(`<b onmouseover=alert(1)>deviation</b> [x](javascript:alert(1))`);
  results.failures.push({ dataset: 'cc-v1-mini', id: `<svg/onload=alert(1)>|id`, reason: 'line1\nline2' });
  return results;
}

/** Pipes that end cells: not escaped by an odd number of backslashes. */
function cellCount(line: string): number {
  return (line.match(/(?<!\\)(?:\\\\)*\|/g) ?? []).length;
}

function assertSafe(text: string): void {
  // No tag, comment or autolink can open: every '<' before a letter, '/', '!' or '?' is an entity.
  assert.doesNotMatch(text, /<[A-Za-z/!?]/);
  assert.doesNotMatch(text, /^## injected/m);
  assert.doesNotMatch(text, /\]\(javascript:/);
  assert.ok(text.includes('&lt;script>alert(1)&lt;/script>'), 'the value is shown, escaped');
  // Every table row has as many cells as its header.
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]?.startsWith('|') || (!lines[i + 1]?.startsWith('|-') && !lines[i + 1]?.startsWith('|:')))
      continue;
    const cells = cellCount(lines[i] as string);
    for (let j = i + 2; j < lines.length && lines[j]?.startsWith('|'); j++)
      assert.equal(cellCount(lines[j] as string), cells, `table row ${j + 1}: ${lines[j]}`);
  }
}

test('summary.md escapes group values, model names, notes, deviations and failure ids', async () => {
  const text = renderSummaryMarkdown(await hostileResults());
  assertSafe(text);
  assert.ok(
    text.includes('&lt;script>alert(1)&lt;/script> a\\|b \\`code\\` line ## injected (n=612)'),
    'group value',
  );
  assert.ok(text.includes('evil&lt;img src=x onerror=alert(1)>\\|\\`m\\` x'), 'model name in a table cell');
  assert.ok(text.includes('&lt;b onmouseover=alert(1)>deviation&lt;/b> [x]\\(javascript:alert(1))'));
  assert.ok(text.includes('&lt;svg/onload=alert(1)>\\|id'));
});

test('model-card.md escapes the model name, its fields, dataset notes and group values', async () => {
  const results = await hostileResults();
  const card = renderModelCard(results, MODEL);
  assertSafe(card);
  assert.ok(card.startsWith('## Model card: evil&lt;img src=x onerror=alert(1)>|\\`m\\` x (&lt;script>'));
  assert.match(card, /- \*\*note:\*\* &lt;iframe src=x> - item\n/);
  assert.match(card, /- `cc-v1-mini`: &lt;script>alert\(1\)&lt;\/script> \\`x\\`\n/);
});

test('the helpers: cells, text, code spans and md lines', () => {
  assert.equal(escapeMarkdownCell('a|b\\|c'), 'a\\|b\\\\\\|c');
  assert.equal(
    escapeMarkdownText('p <0.001 & x [0.1, 0.2] &amp; <a>'),
    'p <0.001 & x [0.1, 0.2] &amp;amp; &lt;a>',
  );
  assert.equal(markdownCode('a`b').text, '``a`b``');
  assert.equal(markdownCode('`x').text, '`` `x ``');
  assert.equal(md`**${'<b>'}** ${markdownCode('<b>')}`, '**&lt;b>** `<b>`');
  assert.equal(markdownTable(['h'], [['x\ny|z']]), '| h |\n|---|\n| x y\\|z |');
});
