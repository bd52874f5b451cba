/**
 * `fairscope audit SPEC.yaml --out DIR`: runs everything a spec names and writes DIR/results.json,
 * DIR/results.parquet, DIR/report.html and DIR/summary.md.
 */

import { runAudit, specFolder } from '../../audit/run.js';
import { readAuditSpec } from '../../audit/spec.js';
import { EXIT, UsageError } from '../../core/errors.js';
import { noPositionals, parseCommandArgs, required } from '../args.js';
import { guardOutput } from '../out-guard.js';
import { startProgress } from '../progress.js';

export const summary = 'run an audit spec (YAML): embeddings, probes, indicators, robustness, report';

const USAGE = `
usage: fairscope audit SPEC.yaml --out DIR [--force] [--model-card] [--json]

  SPEC.yaml      the audit spec: datasets, models, probes, indicators, robustness (see the README,
                 and data/demo/demo-audit.yaml for a complete example)
  --out DIR      output folder: results.json, results.parquet, report.html, summary.md, and cache/
                 (embeddings, probes, corrupted images) that later runs reuse
  --force        recompute results even when DIR/results.json matches the spec (caches are kept);
                 also writes into a non-empty DIR that fairscope did not write
  --wait         wait for another fairscope process writing DIR, instead of refusing
  --model-card   also write DIR/model-card.md
  --json         print the output file paths and counts as JSON

Exit status: 0 done, 1 a runtime failure (bad data, a model that cannot run) or images that could not
be used (excluded and listed in results.json, as \`embed\` does), 2 a bad spec or command line.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      out: { type: 'string' },
      force: { type: 'boolean' },
      wait: { type: 'boolean' },
      'model-card': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (args === null) return EXIT.ok;
  const [specPath, ...rest] = args.positionals;
  if (specPath === undefined) throw new UsageError(`missing the spec file\n${USAGE.trim()}`);
  noPositionals(rest);
  const outDir = required(args.values.out, 'out');
  const spec = await readAuditSpec(specPath);
  const release = await guardOutput({
    command: 'audit',
    out: outDir,
    kind: 'folder',
    inputs: [specPath],
    force: args.values.force,
    wait: args.values.wait,
  });
  let run: Awaited<ReturnType<typeof runAudit>>;
  try {
    run = await runAudit(spec, {
      outDir,
      specDir: specFolder(specPath),
      force: args.values.force ?? false,
      modelCard: args.values['model-card'] ?? false,
      progress: startProgress,
    });
  } finally {
    await release();
  }
  const summaryOut = {
    reused: run.reused,
    rows: run.results.rows.length,
    failures: run.results.failures.length,
    files: run.files,
  };
  if (args.values.json) process.stdout.write(`${JSON.stringify(summaryOut, null, 2)}\n`);
  else {
    const lines = [
      `${run.reused ? 'up to date' : 'done'}: ${summaryOut.rows} result rows`,
      `  report: ${run.files.html}`,
      `  results: ${run.files.results}`,
    ];
    // As \`embed\` does: failed images are excluded (never replaced), said last, and exit 1.
    if (summaryOut.failures > 0)
      lines.push(
        `${summaryOut.failures} image(s) could not be used and were excluded: listed under "failures" in ${run.files.results}`,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return summaryOut.failures > 0 ? EXIT.failure : EXIT.ok;
}
