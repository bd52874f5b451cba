/**
 * `fairscope report`, `compare` and `gate` end to end on the committed sample results: `report` as a
 * child process (the real entry point), the rest through the same dispatcher in-process (main()
 * returns the exit code), which keeps the file fast.
 */
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli, runCliInProcess, testDir } from '../testing/run-cli.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const SAMPLE = join(REPO, 'test', 'fixtures', 'report', 'sample-results.json');

const root = await testDir('fairscope-cli-report-');

test('report writes report.html, summary.md, results.parquet and model-card.md from results alone', async () => {
  const out = join(root, 'out');
  const res = await runCli('report', SAMPLE, '--out', out, '--model-card', '--json');
  assert.equal(res.code, 0, res.stderr);
  const files = JSON.parse(res.stdout);
  assert.deepEqual(Object.keys(files).sort(), ['html', 'modelCard', 'parquet', 'summary']);
  for (const f of Object.values(files) as string[]) assert.ok((await stat(f)).size > 0, f);
  assert.equal(
    await readFile(files.summary, 'utf8'),
    await readFile(join(REPO, 'test', 'fixtures', 'report', 'sample-summary.md'), 'utf8'),
  );
  assert.match(await readFile(files.modelCard, 'utf8'), /## Model card: supervised-rn50/);
});

test('report on a broken file exits 1 naming the file and the field; bad usage exits 2', async () => {
  const data = JSON.parse(await readFile(SAMPLE, 'utf8'));
  data.rows[12].ci = [0.1, 'x'];
  const broken = join(root, 'broken.json');
  await writeFile(broken, JSON.stringify(data));
  const res = await runCliInProcess('report', broken, '--out', join(root, 'never'));
  assert.equal(res.code, 1);
  assert.match(res.stderr, /broken\.json: field "rows\[12\]\.ci\[1\]"/);
  assert.equal((await runCliInProcess('report')).code, 2);
  assert.equal((await runCliInProcess('report', SAMPLE, '--bogus')).code, 2);
});

test('gate exits 3 listing violations, 0 when thresholds hold, 2 on bad arguments, 1 with nothing to check', async () => {
  // Harmful hit rates are in percent in the sample: above 4.6% are supervised-rn50's age=70+ (12.7)
  // and female × lighter (4.83); its age gap (largest − smallest) is 8.78 points, above 5.
  const failed = await runCliInProcess(
    'gate',
    SAMPLE,
    '--max-harmful',
    '4.6',
    '--max-gap',
    'hit_rate:association=Harmful:tau=0.1:method=betweenGroups=5',
  );
  assert.equal(failed.code, 3, failed.stderr);
  assert.match(failed.stdout, /^FAILED: 3 violation\(s\) in 2 of 2 check\(s\)/);
  assert.match(
    failed.stdout,
    /supervised-rn50 · cc-v1-mini · gender=female, skintone=lighter · tau=0\.1, .*association=Harmful.*: hit_rate 4\.8298 > 4\.6/,
  );
  assert.match(failed.stdout, /supervised-rn50 · cc-v1-mini · age=\* · .*: hit_rate\.difference 8\.7767 > 5/);
  assert.match(failed.stdout, /rate must be <= 4\.6 \(unit: %\)/);
  const passed = await runCliInProcess(
    'gate',
    SAMPLE,
    '--max-harmful',
    '13',
    '--min-precision',
    '10=0.5',
    '--json',
  );
  assert.equal(passed.code, 0, passed.stderr);
  assert.equal(JSON.parse(passed.stdout).passed, true);
  assert.equal((await runCliInProcess('gate', SAMPLE, '--max-gap', 'nonsense')).code, 2);
  assert.equal((await runCliInProcess('gate', SAMPLE)).code, 2);
  const empty = await runCliInProcess('gate', SAMPLE, '--max-gap', 'no_such_metric=0.1');
  assert.equal(empty.code, 1);
  assert.match(empty.stderr, /no rows to check/);
});

test('compare: JSON with the change and flags, and an HTML page', async () => {
  const data = JSON.parse(await readFile(SAMPLE, 'utf8'));
  // Move one row's value and interval up by 10 (row 0 is a hit rate in percent, its interval
  // narrower than 10 points): its interval no longer overlaps A's.
  const moved = data.rows[0];
  assert.ok(moved.ci[1] - moved.ci[0] < 10);
  moved.value += 10;
  moved.ci = [moved.ci[0] + 10, moved.ci[1] + 10];
  const b = join(root, 'b.json');
  await writeFile(b, JSON.stringify(data));
  const html = join(root, 'cmp', 'compare.html');
  const res = await runCliInProcess('compare', SAMPLE, b, '--json', '--out', html);
  assert.equal(res.code, 0, res.stderr);
  const c = JSON.parse(res.stdout);
  assert.equal(c.matchBy, 'model');
  assert.equal(c.rows.length, data.rows.length);
  const flagged = c.rows.filter((r: { flagged: boolean }) => r.flagged);
  assert.equal(flagged.length, 1);
  assert.ok(Math.abs(flagged[0].change - 10) < 1e-9);
  assert.match(await readFile(html, 'utf8'), /<svg/);
  const md = await runCliInProcess('compare', SAMPLE, b, '--flagged-only');
  assert.match(md.stdout, /1 changed beyond their 95% intervals/);
  assert.equal((await runCliInProcess('compare', SAMPLE)).code, 2);
});
