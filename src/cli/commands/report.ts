/**
 * `fairscope report results.json [--out DIR]`: rebuilds report.html, summary.md and results.parquet
 * from a results file alone (no model, no images), after validating it against the schema.
 */
import { dirname } from 'node:path';
import { UsageError } from '../../core/errors.js';
import { loadResults } from '../../report/node/results-file.js';
import { REPORT_FILES, writeReportFiles } from '../../report/node/write.js';
import { parseCommandArgs } from '../args.js';
import { GUARD_OPTIONS, GUARD_USAGE, withOutputGuard } from '../out-guard.js';

export const summary = 'rebuild report.html, summary.md and results.parquet from results.json';

const USAGE = `
usage: fairscope report RESULTS.json [--out DIR] [--no-parquet] [--model-card] [--json]

  RESULTS.json   a fairscope results file; it is validated first (a broken file fails naming the
                 field, e.g. rows[12].ci[1])
  --out DIR      where to write (default: the folder of RESULTS.json):
                   DIR/report.html    one self-contained page (inline SVG charts, no script, no network):
                                      per indicator the main metric per group at the protocol's
                                      headline setting (tau 0.1, K 10 and 50), gaps, the group
                                      differences significant after Holm, summaries of secondary
                                      statistics; other settings in folded tables
                   DIR/summary.md     the same headline results as Markdown, value [95% interval], n
                   DIR/results.parquet  every result row, for pandas / polars / DuckDB
  --no-parquet   do not write results.parquet
  --model-card   also write DIR/model-card.md (one model card section per model)
  --json         print the written paths as JSON on stdout
${GUARD_USAGE}
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      out: { type: 'string' },
      'no-parquet': { type: 'boolean' },
      'model-card': { type: 'boolean' },
      json: { type: 'boolean' },
      ...GUARD_OPTIONS,
    },
    USAGE,
  );
  if (args === null) return 0;
  if (args.positionals.length !== 1) {
    throw new UsageError(`expected one results file, got ${args.positionals.length}\n\n${USAGE.trim()}`);
  }
  const input = args.positionals[0];
  const results = await loadResults(input);
  const dir = args.values.out ?? dirname(input);
  const guard = {
    command: 'report',
    out: dir,
    kind: 'folder',
    inputs: [input],
    writes: REPORT_FILES,
    force: args.values.force,
    wait: args.values.wait,
  } as const;
  const files = await withOutputGuard(guard, () =>
    writeReportFiles(results, dir, {
      parquet: !args.values['no-parquet'],
      modelCard: args.values['model-card'] ?? false,
    }),
  );
  if (args.values.json) process.stdout.write(`${JSON.stringify(files)}\n`);
  else {
    const written = Object.values(files).filter((f): f is string => f !== undefined);
    process.stdout.write(`${written.map((f) => `wrote ${f}`).join('\n')}\n`);
  }
  return 0;
}
