/**
 * Assembles bench/RESULTS.md from the files the benchmarks wrote to bench/results/ (and nothing
 * else): each file as it is, in name order, after a short statement of how they were produced and a
 * list of their runs. A person's analyses (bench/notes/) are linked, never included.
 * `npm run bench` calls it at the end; on its own:
 *
 *   node --import tsx bench/collect.ts
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, parseGeneratedMarker, parseRunBlocks } from './machine.js';

export const RESULTS_DIR = join(BENCH_DIR, 'results');
export const NOTES_DIR = join(BENCH_DIR, 'notes');
export const RESULTS_MD = join(BENCH_DIR, 'RESULTS.md');

/** The results files (name and text), in name order. */
export function resultsFiles(dir = RESULTS_DIR): { name: string; text: string }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.md'))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
}

/** The text of bench/RESULTS.md, from the results files only. */
export function assembleResults(dir = RESULTS_DIR, notesDir = NOTES_DIR): string {
  const files = resultsFiles(dir);
  const runs = files.map(({ name, text }) => {
    const blocks = parseRunBlocks(text);
    const dates = blocks.map((b) =>
      b.reconstructed
        ? `reconstructed (figures of ${/[0-9a-f]{40}/.exec(b.fields['git commit'] ?? '')?.[0].slice(0, 7) ?? '?'})`
        : (b.fields.date ?? '?'),
    );
    return `| [${name}](results/${name}) | ${(parseGeneratedMarker(text) ?? ['?']).join(', ')} | ${blocks.length} | ${dates.join('; ')} |`;
  });
  const notes = existsSync(notesDir)
    ? readdirSync(notesDir)
        .filter((f) => f.endsWith('.md'))
        .sort()
    : [];
  const header = [
    '# Benchmark results',
    '',
    'Assembled by `bench/collect.ts` (run at the end of `npm run bench`) from the files in `bench/results/`,',
    'each written by the benchmark named in its first line (`npm run bench -- <name>` reruns one). After',
    'the list of runs below, every table was written by benchmark code, in the run described by the run',
    'block above it: command, date, git commit, Node and package versions, CPU, memory and load average,',
    'read at run time by `bench/machine.ts`. Blocks marked *reconstructed* were added afterwards to',
    'figures from runs that predate run blocks; they say where each value comes from and which ones the',
    'run did not record. Compare figures within one run: machines and load differ between runs.',
    '',
    '| file | written by | runs | run dates |',
    '|---|---|---:|---|',
    ...runs,
    '',
    ...(notes.length === 0
      ? []
      : [
          `A person's analyses of these runs, and figures recorded by hand, are not benchmark output and are not part of this file: ${notes.map((n) => `[notes/${n}](notes/${n})`).join(', ')}.`,
          '',
        ]),
  ].join('\n');
  return `${header}\n${files.map((f) => f.text.trim()).join('\n\n')}\n`;
}

/** Rewrites bench/RESULTS.md. */
export function collect(): void {
  writeFileSync(RESULTS_MD, assembleResults());
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) collect();
