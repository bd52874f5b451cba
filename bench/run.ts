/**
 * `npm run bench`: runs every benchmark in bench/ (or those named on the command line), each in its
 * own process, then assembles bench/RESULTS.md from the tables they wrote to bench/results/<name>.md.
 * Each benchmark compares against a baseline measured in the same run.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));
const all = readdirSync(benchDir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3))
  .sort();
// `--collect` only rebuilds RESULTS.md from the tables already in bench/results/.
const collectOnly = process.argv.includes('--collect');
const wanted = process.argv.slice(2).filter((a) => a !== '--collect');
const unknown = wanted.filter((w) => !all.includes(w));
if (unknown.length > 0) {
  process.stderr.write(`bench: unknown benchmark(s) ${unknown.join(', ')}; known: ${all.join(', ')}\n`);
  process.exit(2);
}
const names = collectOnly ? [] : wanted.length > 0 ? wanted : all;
let failed = 0;
for (const name of names) {
  process.stderr.write(`\n=== bench ${name}\n`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(benchDir, `${name}.ts`)], {
    stdio: 'inherit',
  });
  if (res.status !== 0) {
    failed++;
    process.stderr.write(`bench ${name} failed with exit code ${res.status}\n`);
  }
}

// Every recorded table, including those written by commands rather than a bench script
// (paradigms.md: `fairscope demo --paradigms`).
const resultsDir = join(benchDir, 'results');
const sections = readdirSync(resultsDir)
  .filter((f) => f.endsWith('.md'))
  .sort()
  .map((f) => readFileSync(join(resultsDir, f), 'utf8').trim());
const header = [
  '# Benchmark results',
  '',
  'Produced by `npm run bench` (each section by `npm run bench -- <name>`). Every figure is compared with',
  'a baseline measured in the same run on the same machine. Machine of the last full run:',
  `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}.`,
  '',
].join('\n');
writeFileSync(join(benchDir, 'RESULTS.md'), `${header}\n${sections.join('\n\n')}\n`);
process.exit(failed > 0 ? 1 : 0);
