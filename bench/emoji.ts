/**
 * Emoji demo set build: time of a cold full build (all styles, 64 px) with the default concurrency
 * against the same build rendered one image at a time (baseline, same run), and of an idempotent
 * re-run; plus the counts per style, category, skin tone and gender. Writes bench/results/emoji.md.
 *
 *   node --import tsx bench/emoji.ts [--limit-per-category N]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildEmojiDataset, type EmojiBuildResult } from '../src/data/emoji/build.js';
import { countEmojiItems } from '../src/data/emoji/summary.js';
import { resultsPath, resultsText, startRun } from './machine.js';

const { values } = parseArgs({ options: { 'limit-per-category': { type: 'string' } } });
const limit = values['limit-per-category'] === undefined ? undefined : Number(values['limit-per-category']);
const run = startRun({
  script: import.meta.url,
  packages: ['@resvg/resvg-js', 'sharp', 'emoji-datasource-google', 'emoji-datasource-twitter', 'openmoji'],
});

async function timed(outDir: string, concurrency?: number): Promise<{ s: number; res: EmojiBuildResult }> {
  const t0 = performance.now();
  const res = await buildEmojiDataset({ outDir, limitPerCategory: limit, concurrency });
  return { s: (performance.now() - t0) / 1000, res };
}

const dirs = [
  await mkdtemp(join(tmpdir(), 'fairscope-bench-emoji-')),
  await mkdtemp(join(tmpdir(), 'fairscope-bench-emoji-')),
];
try {
  const baseline = await timed(dirs[0] as string, 1);
  const cold = await timed(dirs[1] as string);
  const warm = await timed(dirs[1] as string);
  const n = cold.res.items.length;
  const counts = countEmojiItems(cold.res.items);
  const rate = (s: number) => (n / s).toFixed(0);
  const lines = [
    '## emoji demo set build',
    '',
    run.block(),
    '',
    `${n} images (${counts.concepts} concepts), 64 px, styles google,twitter,openmoji${limit ? `, --limit-per-category ${limit}` : ''}; ` +
      `${cpus()[0]?.model ?? 'cpu'}, ${availableParallelism()} cores, Node ${process.version}.`,
    '',
    '| run | wall s | images/s | rendered | reused |',
    '|---|---:|---:|---:|---:|',
    `| baseline: cold, one render at a time | ${baseline.s.toFixed(1)} | ${rate(baseline.s)} | ${baseline.res.rendered} | ${baseline.res.reused} |`,
    `| cold, default concurrency (2 x cores) | ${cold.s.toFixed(1)} | ${rate(cold.s)} | ${cold.res.rendered} | ${cold.res.reused} |`,
    `| re-run (idempotent, nothing rendered) | ${warm.s.toFixed(1)} | ${rate(warm.s)} | ${warm.res.rendered} | ${warm.res.reused} |`,
    '',
    '| attribute | counts |',
    '|---|---|',
    ...Object.entries(counts.byAttr).map(
      ([attr, byValue]) =>
        `| ${attr} | ${Object.entries(byValue)
          .sort(([a], [b]) => (a < b ? -1 : 1))
          .map(([v, c]) => `${v}: ${c}`)
          .join(', ')} |`,
    ),
    '',
  ];
  const text = lines.join('\n');
  process.stdout.write(`${text}\n`);
  await writeFile(resultsPath('emoji.md'), resultsText(import.meta.url, text));
} finally {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
}
