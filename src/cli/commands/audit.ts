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
usage: fairscope audit SPEC.yaml --out DIR [--force] [--allow-empty] [--model-card] [--json]

  SPEC.yaml      the audit spec: datasets, models, probes, indicators, robustness (see the README,
                 and data/demo/demo-audit.yaml for a complete example)
  --out DIR      output folder: results.json, results.parquet, report.html, summary.md, and cache/
                 (embeddings, probes, corrupted images) that later runs reuse
  --force        recompute results even when DIR/results.json matches the spec (caches are kept);
                 also writes into a non-empty DIR that fairscope did not write
  --wait         wait for another fairscope process writing DIR, instead of refusing
  --allow-empty  an entry that scores nothing (every value n/a: no item could be scored) is
                 written with a warning, in the last line and the report, instead of an error;
                 per entry or for the whole spec: allowEmpty: true
  --model-card   also write DIR/model-card.md
  --json         print the output file paths and counts as JSON

Before any image is embedded, the whole spec is checked against its datasets (manifests read,
importers run) and what its models declare, and every problem is listed at once, each naming its
entry (e.g. indicators.label-association.0.classifier):
  - classifier: logits on a model without logits (a descriptor without logitsOutput and classes,
    a .npy or a table without a logits column, a model the audit trains), or a probe limited to
    other models than the entry;
  - a probe whose training dataset has items without a class (unless skipUnlabeled) or fewer than
    two classes;
  - classes that cover nothing the entry scores: a taxonomy or concept map that names no class
    (missing taxonomy labels need partialTaxonomy: true), a probe evaluation or robustness set
    with no label among the classifier's classes under its labelFrom (and label map);
  - an attribute in groups, balance, groupBy, a retrieval attribute or a curation evaluation's
    groups that no item of the entry's dataset has.

Exit status: 0 done (also with empty entries allowed by --allow-empty: said in the last line),
1 a runtime failure (bad data, a model that cannot run), an entry that scored nothing (not
allowed), or images that could not be used (excluded and listed in results.json, as \`embed\`
does), 2 a bad spec or command line, or a spec that fails the checks above.
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      out: { type: 'string' },
      force: { type: 'boolean' },
      wait: { type: 'boolean' },
      'allow-empty': { type: 'boolean' },
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
      allowEmpty: args.values['allow-empty'] ?? false,
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
    emptyEntries: run.emptyWarnings,
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
    // Said last: entries that scored nothing, allowed by --allow-empty or the spec.
    lines.push(...run.emptyWarnings);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return summaryOut.failures > 0 ? EXIT.failure : EXIT.ok;
}
