/**
 * report.html opened from disk in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core): every chart figure holds a drawn SVG, the console has no error, the page
 * requests nothing but itself, folded tables stay hidden until opened, and the sticky section bar
 * links to every section. Saves a full-page screenshot to test-artifacts/report.png.
 * Skipped, saying why, where Chromium is not installed (CI installs it with apt).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { loadResults } from './node/results-file.js';
import { renderReport } from './report.js';

const CHROMIUM = '/usr/bin/chromium';
const REPO = join(import.meta.dirname, '..', '..');
const SAMPLE = join(REPO, 'test', 'fixtures', 'report', 'sample-results.json');
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

test('report.html in Chromium: every chart drawn, no console error, no network request', {
  timeout: 120_000,
}, async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.skip(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser test`,
    );
    return;
  }
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(join(tmpdir(), 'fairscope-report-browser-'));
  const profile = join(dir, 'profile');
  const file = join(dir, 'report.html');
  const html = await renderReport(await loadResults(SAMPLE));
  await writeFile(file, html);
  const expectedCharts = (html.match(/<figure class="chart">/g) ?? []).length;

  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    const charts = await page.$$eval('figure.chart', (figs) =>
      figs.map((f) => {
        const svg = f.querySelector(':scope > svg');
        if (svg === null) return { svg: false, width: 0, height: 0, marks: 0 };
        const box = svg.getBoundingClientRect();
        const marks = svg.querySelectorAll('.role-mark path, .role-mark line').length;
        return { svg: true, width: box.width, height: box.height, marks };
      }),
    );
    assert.equal(charts.length, expectedCharts);
    assert.ok(charts.length >= 15, `only ${charts.length} charts`);
    charts.forEach((c, i) => {
      assert.ok(c.svg, `chart ${i} has no <svg>`);
      assert.ok(c.width > 100 && c.height > 50, `chart ${i} is ${c.width}x${c.height}`);
      assert.ok(c.marks > 0, `chart ${i} draws no marks`);
    });
    const sections = await page.$$eval('section.indicator h2', (hs) => hs.map((h) => h.textContent));
    assert.deepEqual(sections, [
      'Harmful label association',
      'Geographical diversity',
      'Same-attribute retrieval',
      'Robustness',
      'Curation',
      'Probe accuracy',
    ]);
    assert.deepEqual(errors, []);
    const external = requests.filter((u) => !u.startsWith('file://') && !u.startsWith('data:'));
    assert.deepEqual(external, []);

    // Folded tables (other thresholds, other K, secondary statistics) are not laid out until their
    // <details> is opened; the headline tables are.
    const tables = await page.$$eval('table', (ts) => ts.map((t) => t.checkVisibility()));
    const visible = tables.filter(Boolean).length;
    const total = (html.match(/<table/g) ?? []).length;
    const inDetails = (html.match(/<details[\s\S]*?<\/details>/g) ?? []).reduce(
      (n, d) => n + (d.match(/<table/g) ?? []).length,
      0,
    );
    assert.equal(tables.length, total);
    assert.ok(inDetails > 0);
    assert.equal(visible, total - inDetails);
    await page.click('details.more-tables > summary');
    const after = await page.$$eval('table', (ts) => ts.filter((t) => t.checkVisibility()).length);
    assert.ok(after > visible, `${after} visible after opening one <details>`);
    const links = await page.$$eval('nav.toc a', (as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const hash of links) assert.equal(await page.locator(hash).count(), 1, hash);

    await mkdir(join(REPO, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(REPO, 'test-artifacts', 'report.png'), fullPage: true });
  } finally {
    await context.close();
    await rm(dir, { recursive: true, force: true });
  }
});
