/** `fairscope robustness` without the command line: spec -> results file. */
import { emptyResults, type ResultsFile } from '../core/results.js';
import { EFFECTIVE_ROBUSTNESS_NOTE, evaluateRobustness, type RobustnessOptions } from './evaluate.js';
import { defaultAttributes } from './groups.js';
import { loadInputs } from './load.js';
import type { RobustnessSpec } from './spec.js';

/** Overrides from the command line. */
export interface RunOverrides {
  seed?: number;
  resamples?: number;
}

/** Loads the spec's inputs, evaluates them, and returns a results file (not written). */
export async function runRobustness(
  spec: RobustnessSpec,
  overrides: RunOverrides = {},
): Promise<ResultsFile> {
  const inputs = await loadInputs(spec);
  const attributes = spec.groups ?? defaultAttributes(inputs.datasets.map((d) => d.items));
  const bootstrap = {
    ...spec.bootstrap,
    ...(overrides.seed === undefined ? {} : { seed: overrides.seed }),
    ...(overrides.resamples === undefined ? {} : { resamples: overrides.resamples }),
  };
  let baseline: RobustnessOptions['baseline'];
  if (typeof spec.baseline === 'string') baseline = { model: spec.baseline };
  else if (spec.baseline !== undefined) baseline = spec.baseline;
  let effectiveRobustness: RobustnessOptions['effectiveRobustness'];
  const er = spec.effectiveRobustness;
  if (er !== undefined)
    effectiveRobustness = 'baselines' in er ? { models: er.baselines } : { constants: er.accuracies };
  const result = evaluateRobustness(inputs.datasets, inputs.models, {
    inDistribution: spec.inDistribution,
    attributes,
    ...(spec.metrics === undefined ? {} : { metrics: spec.metrics }),
    ...(baseline === undefined ? {} : { baseline }),
    ...(effectiveRobustness === undefined ? {} : { effectiveRobustness }),
    bootstrap,
  });
  const results = emptyResults();
  results.models = inputs.modelInfo;
  results.datasets = inputs.datasetInfo;
  results.failures = inputs.failures;
  results.rows = result.rows;
  results.deviations = [...inputs.deviations];
  if (result.rows.some((r) => r.metric === 'effective_robustness'))
    results.deviations.push(EFFECTIVE_ROBUSTNESS_NOTE);
  results.extra = {
    robustness: {
      spec: spec.file,
      inDistribution: spec.inDistribution,
      attributes,
      bootstrap: {
        ...bootstrap,
        design:
          'clustered; strata: the in-distribution set with its corrupted copies and paired shifts, each other shift alone',
      },
      effectiveRobustnessFits: result.fits,
      warnings: result.warnings,
    },
  };
  return results;
}
