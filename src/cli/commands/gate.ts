/**
 * `fairscope gate results.json --max-gap NAME=VALUE --max-harmful VALUE ...`: exits 3 when a fairness
 * or robustness threshold is crossed (listing every violation), 0 when all hold, 2 on bad arguments.
 */
import { EXIT, UsageError } from '../../core/errors.js';
import {
  EVIDENCE,
  type Evidence,
  evaluateGate,
  type GateThresholds,
  parseGapThreshold,
  parsePrecisionThreshold,
  renderGateText,
} from '../../report/gate.js';
import { loadResults } from '../../report/node/results-file.js';
import { parseCommandArgs } from '../args.js';

export const summary = 'check fairness/robustness thresholds on results.json (exit 3 when one is crossed)';

const USAGE = `
usage: fairscope gate RESULTS.json [thresholds] [--model ID] [--evidence point|confident|cautious] [--json]

Thresholds (at least one; each may name rows that must exist, or the gate fails with exit 1):
  --max-gap NAME=VALUE       gap rows (hit_rate.difference, top1_gap): NAME is the metric, with or
                             without its gap suffix (hit_rate), or an indicator (label-association,
                             geographic, retrieval, robustness). Narrow it with parameter filters:
                             NAME:key=value[:key=value]=VALUE, e.g.
                             hit_rate:association=Harmful:tau=0.1:method=betweenGroups=5.
                             Fails when |gap| > VALUE. Repeatable.
  --max-harmful VALUE        label-association hit_rate with association=harmful at tau = --harmful-tau
                             (default 0.1), for every group and overall; each group above VALUE
                             fails (so the worst group decides).
  --harmful-tau TAU          the threshold tau of --max-harmful (default 0.1, the paper's)
  --min-precision [K=]VALUE  retrieval precision_at_k at K (every K when K= is left out), every
                             group; each group below VALUE fails. Repeatable.
  --max-mce VALUE            robustness mCE; fails when above VALUE.

  --model ID                 check only this model's rows (default: every model)
  --evidence MODE            which number is compared with a threshold:
                               point      the estimate (default)
                               confident  fail only when the whole 95% interval is beyond it
                               cautious   fail when any part of the 95% interval is beyond it
                             A row whose value is undefined (null/NaN) always fails.
  --json                     print the outcome as JSON on stdout

Thresholds are in the unit of the rows they read: label-association and geographic hit rates are
in percent (5 = 5%), retrieval precision and robustness accuracies are proportions (0.8); gaps of
percentages are in percentage points. Each check's line names the unit.

Exit status: 0 all thresholds hold; 3 a threshold is crossed; 2 bad arguments; 1 unreadable results
or a threshold with no rows to check.
`;

function parseNumber(value: string | undefined, name: string, min = -Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min) {
    throw new UsageError(`--${name} must be a number${min > -Infinity ? ` >= ${min}` : ''}, got "${value}"`);
  }
  return n;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      'max-gap': { type: 'string', multiple: true },
      'max-harmful': { type: 'string' },
      'harmful-tau': { type: 'string' },
      'min-precision': { type: 'string', multiple: true },
      'max-mce': { type: 'string' },
      model: { type: 'string' },
      evidence: { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (args === null) return EXIT.ok;
  if (args.positionals.length !== 1) {
    throw new UsageError(`expected one results file, got ${args.positionals.length}\n\n${USAGE.trim()}`);
  }
  const evidence = args.values.evidence ?? 'point';
  if (!(EVIDENCE as readonly string[]).includes(evidence)) {
    throw new UsageError(`--evidence must be one of ${EVIDENCE.join(', ')}, got "${evidence}"`);
  }
  // Parse every threshold before reading the file, so bad arguments exit 2 whatever the file holds.
  const thresholds: GateThresholds = {
    maxGap: (args.values['max-gap'] ?? []).map(parseGapThreshold),
    maxHarmful: parseNumber(args.values['max-harmful'], 'max-harmful', 0),
    harmfulTau: parseNumber(args.values['harmful-tau'], 'harmful-tau', 0) ?? 0.1,
    minPrecision: (args.values['min-precision'] ?? []).map(parsePrecisionThreshold),
    maxMce: parseNumber(args.values['max-mce'], 'max-mce', 0),
    model: args.values.model,
    evidence: evidence as Evidence,
  };
  if (
    thresholds.maxGap.length === 0 &&
    thresholds.maxHarmful === undefined &&
    thresholds.minPrecision.length === 0 &&
    thresholds.maxMce === undefined
  ) {
    throw new UsageError(`no threshold given\n\n${USAGE.trim()}`);
  }
  const input = args.positionals[0];
  const results = await loadResults(input);
  const outcome = evaluateGate(results, thresholds, input);
  if (args.values.json) {
    process.stdout.write(
      `${JSON.stringify(outcome, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2)}\n`,
    );
  } else {
    process.stdout.write(renderGateText(outcome));
  }
  return outcome.passed ? EXIT.ok : EXIT.gateFailed;
}
