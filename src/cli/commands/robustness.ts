/** `fairscope robustness`: accuracy under distribution shift and corruption, per group, with intervals. */
import { saveResults } from '../../report/node/results-file.js';
import { runRobustness } from '../../robustness/node/run.js';
import { readRobustnessSpec } from '../../robustness/node/spec.js';
import { nonNegativeInt, parseCommandArgs, required } from '../args.js';
import { GUARD_OPTIONS, withOutputGuard } from '../out-guard.js';
import { requireScoredResult } from '../stage-options.js';

export const summary =
  'robustness to shifts and corruptions (top-1/5, drop, mCE, effective robustness), per group';

const USAGE = `
usage: fairscope robustness --spec SPEC.yaml --out results.json [options]

  Scores the prediction folders named in the spec (embedding-store layout with logits and classes,
  e.g. from \`fairscope probe predict\`) on an in-distribution set, naturally shifted sets (with
  output masking and multi-label targets) and corrupted sets (from \`fairscope corrupt\`), and writes
  tidy rows (indicator "robustness"): top1, top5, accuracy_drop, corruption_error, mce,
  relative_mce and effective_robustness (a fairscope addition: Taori et al. 2020), each overall,
  per group of every attribute, and as the gap between groups ("<metric>.difference"), with clustered
  bootstrap intervals. The spec format is documented in src/robustness/node/spec.ts.

options:
  --append        add to an existing results file: rows this run recomputes are replaced, all
                  others kept
  --seed N        bootstrap seed (overrides the spec)
  --resamples N   bootstrap resamples (overrides the spec; 0 for no intervals)
  --allow-empty   write a result that scores nothing for a model (every value n/a: e.g. no item
                  has a label among the classes) with a warning in the last line, instead of
                  failing (exit 1)
  --wait          wait for another fairscope process writing --out, instead of refusing
  --json          print a JSON summary on stdout
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      spec: { type: 'string' },
      out: { type: 'string' },
      append: { type: 'boolean' },
      seed: { type: 'string' },
      resamples: { type: 'string' },
      'allow-empty': { type: 'boolean' },
      wait: GUARD_OPTIONS.wait,
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (args === null) return 0;
  const v = args.values;
  const specPath = required(v.spec, 'spec');
  const out = required(v.out, 'out');
  const spec = await readRobustnessSpec(specPath);
  const { result, update } = await runRobustness(spec, {
    seed: nonNegativeInt(v.seed, 'seed', undefined),
    resamples: nonNegativeInt(v.resamples, 'resamples', undefined),
  });
  const emptyWarnings = requireScoredResult(
    'robustness',
    spec.models.map((m) => m.id),
    result,
    v['allow-empty'],
  );
  const inputs = [
    specPath,
    ...spec.datasets.map((d) => d.manifest),
    ...spec.corruptionSets.map((s) => s.manifest),
    ...spec.models.flatMap((m) => [...m.predictions.values()]),
  ];
  await withOutputGuard({ command: 'robustness', out, kind: 'file', inputs, wait: v.wait }, () =>
    saveResults(out, update, { merge: v.append ?? false }),
  );
  const models = Object.keys(update.models ?? {});
  if (v.json) {
    process.stdout.write(
      `${JSON.stringify({ out, rows: result.rows.length, models, datasets: Object.keys(update.datasets ?? {}), failures: result.failures.length, warnings: result.warnings, emptyEntries: emptyWarnings }, null, 2)}\n`,
    );
    return 0;
  }
  const lines = [`wrote ${result.rows.length} rows to ${out}`];
  for (const model of models) {
    const pick = (metric: string, extraTest: (p: Record<string, unknown>) => boolean = () => true) =>
      result.rows.find(
        (r) =>
          r.kind === 'value' &&
          r.model === model &&
          r.metric === metric &&
          Object.keys(r.group).length === 0 &&
          extraTest(r.params),
      );
    const clean = pick('top1', (p) => p.shift === 'none');
    const mce = pick('mce', (p) => p.set === 'imagenet-c' && p.normalization === 'none');
    const parts = [
      clean === undefined
        ? undefined
        : `top-1 ${(clean.value * 100).toFixed(1)}% [${(clean.ci[0] * 100).toFixed(1)}, ${(clean.ci[1] * 100).toFixed(1)}]`,
      mce === undefined ? undefined : `mCE (unnormalised) ${mce.value.toFixed(3)}`,
    ].filter((s) => s !== undefined);
    lines.push(`  ${model}: ${parts.join(', ')}`);
  }
  for (const w of result.warnings) lines.push(`  warning: ${w}`);
  if (result.failures.length > 0)
    lines.push(`  ${result.failures.length} items without predictions are listed in failures`);
  lines.push(...emptyWarnings);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
