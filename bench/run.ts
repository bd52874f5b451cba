/**
 * `npm run bench`: runs every benchmark in bench/ (or those named on the command line), each in its
 * own process, then assembles bench/RESULTS.md from the files they wrote to bench/results/
 * (bench/collect.ts). Each benchmark compares against a baseline measured in the same run and writes
 * its run block (bench/machine.ts). With BENCH_RESULTS_DIR set, the benchmarks write there and
 * RESULTS.md is left as it is.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { collect } from './collect.js';
import { BENCH_DIR } from './machine.js';

/** Modules of bench/ that are not benchmarks. */
const HELPERS = new Set(['run.ts', 'collect.ts', 'machine.ts']);
const all = readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.ts') && !HELPERS.has(f))
  .map((f) => f.slice(0, -3))
  .sort();
// `--collect` only rebuilds RESULTS.md from the files already in bench/results/.
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
  const res = spawnSync(process.execPath, ['--import', 'tsx', join(BENCH_DIR, `${name}.ts`)], {
    stdio: 'inherit',
  });
  if (res.status !== 0) {
    failed++;
    process.stderr.write(`bench ${name} failed with exit code ${res.status}\n`);
  }
}

if (process.env.BENCH_RESULTS_DIR === undefined) collect();
else process.stderr.write('BENCH_RESULTS_DIR is set: bench/RESULTS.md left as it is\n');
process.exit(failed > 0 ? 1 : 0);
