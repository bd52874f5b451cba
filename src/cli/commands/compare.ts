/**
 * `fairscope compare A/results.json B/results.json`: the change B − A for every matched result and
 * whether it exceeds the intervals, as a table on stdout, JSON, and optionally an HTML page.
 */

import { UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/node/atomic-write.js';
import {
  compareResults,
  comparisonJson,
  type MatchBy,
  renderComparisonMarkdown,
} from '../../report/compare.js';
import { renderComparisonHtml } from '../../report/compare-html.js';
import { loadResults } from '../../report/node/results-file.js';
import { parseCommandArgs } from '../args.js';
import { GUARD_OPTIONS, withOutputGuard } from '../out-guard.js';

export const summary = 'compare two results files: change B − A per result, flagged beyond the intervals';

const USAGE = `
usage: fairscope compare A.json B.json [--out compare.html] [--json] [--flagged-only]
                         [--match auto|model|dataset] [--pair MODEL_A=MODEL_B]

  Rows are matched by indicator, metric, dataset, protocol parameters and group, and by model:
    --match model     same model id in both files (before/after a change to a model or its data)
    --match dataset   ignore model ids: two different models on the same data (one model per file)
    --match auto      model when the files share a model id, else dataset (default)
    --pair A=B        compare model A of the first file with model B of the second (by dataset)
  For each matched row: A and B with their 95% intervals, the change B − A, and ⚑ when the two
  intervals do not overlap (a conservative test: non-overlap is strong evidence of a change;
  overlap does not prove that nothing changed).

  --out FILE       also write a self-contained HTML page (chart of the flagged rows + full table)
  --json           print the comparison as JSON on stdout instead of the table
  --flagged-only   the table lists only rows flagged ⚑
  --wait           wait for another fairscope process writing the same --out, instead of refusing
`;

const MATCHES = ['auto', 'model', 'dataset'] as const;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      out: { type: 'string' },
      json: { type: 'boolean' },
      'flagged-only': { type: 'boolean' },
      match: { type: 'string' },
      pair: { type: 'string' },
      wait: GUARD_OPTIONS.wait,
    },
    USAGE,
  );
  if (args === null) return 0;
  if (args.positionals.length !== 2) {
    throw new UsageError(
      `expected two results files (A and B), got ${args.positionals.length}\n\n${USAGE.trim()}`,
    );
  }
  const match = args.values.match ?? 'auto';
  if (!(MATCHES as readonly string[]).includes(match)) {
    throw new UsageError(`--match must be one of ${MATCHES.join(', ')}, got "${match}"`);
  }
  let pair: [string, string] | undefined;
  if (args.values.pair !== undefined) {
    const [ma, mb, ...rest] = args.values.pair.split('=');
    if (!ma || !mb || rest.length > 0) {
      throw new UsageError(`--pair must be MODEL_A=MODEL_B, got "${args.values.pair}"`);
    }
    pair = [ma, mb];
  }
  const [pathA, pathB] = args.positionals;
  const go = () => compareRuns(pathA, pathB, match as MatchBy | 'auto', pair, args.values);
  const out = args.values.out;
  if (out === undefined) return go();
  return withOutputGuard(
    { command: 'compare', out, kind: 'file', inputs: [pathA, pathB], wait: args.values.wait },
    go,
  );
}

async function compareRuns(
  pathA: string,
  pathB: string,
  match: MatchBy | 'auto',
  pair: [string, string] | undefined,
  values: { out?: string; json?: boolean; 'flagged-only'?: boolean },
): Promise<number> {
  const [a, b] = await Promise.all([loadResults(pathA), loadResults(pathB)]);
  const comparison = compareResults(a, b, match, pair);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(comparisonJson(comparison, pathA, pathB), null, 2)}\n`);
  } else {
    process.stdout.write(renderComparisonMarkdown(comparison, { flaggedOnly: values['flagged-only'] }));
  }
  if (values.out !== undefined) {
    await writeFileAtomic(values.out, await renderComparisonHtml(comparison, { a: pathA, b: pathB }));
    process.stderr.write(`wrote ${values.out}\n`);
  }
  return 0;
}
