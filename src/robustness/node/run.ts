/** `fairscope robustness` without the command line: spec -> the stage -> what the results file gets. */
import { UsageError } from '../../core/errors.js';
import type { ResultsUpdate } from '../../core/results.js';
import { evaluateRobustnessStage, type RobustnessStageResult } from '../stage.js';
import { effectiveRobustnessOf, loadBaseline, loadRobustnessInputs } from './load.js';
import type { RobustnessSpec } from './spec.js';

/** Overrides from the command line. */
export interface RunOverrides {
  seed?: number;
  resamples?: number;
}

/**
 * The label source a spec scores: its own, else the one every prediction folder records (the label
 * source of the probe that wrote it), else the labels.
 * @throws UsageError when the folders record different label sources and the spec names none
 */
function labelFromOf(spec: RobustnessSpec, recorded: ReadonlySet<string>): string {
  if (spec.labelFrom !== undefined) return spec.labelFrom;
  if (recorded.size > 1) {
    throw new UsageError(
      `${spec.file}: the prediction folders were written by probes of different label sources (${[...recorded].join(', ')}): set labelFrom`,
    );
  }
  return [...recorded][0] ?? 'labels';
}

/** Loads the spec's inputs and evaluates them; returns the stage result and the results update. */
export async function runRobustness(
  spec: RobustnessSpec,
  overrides: RunOverrides = {},
): Promise<{ result: RobustnessStageResult; update: ResultsUpdate }> {
  const inputs = await loadRobustnessInputs(spec);
  const { minGroupSize, minClusters, ...resampling } = spec.bootstrap;
  const bootstrap = {
    ...resampling,
    ...(overrides.seed === undefined ? {} : { seed: overrides.seed }),
    ...(overrides.resamples === undefined ? {} : { resamples: overrides.resamples }),
  };
  const baseline = await loadBaseline(spec.baseline);
  const effectiveRobustness = effectiveRobustnessOf(spec.effectiveRobustness);
  const result = evaluateRobustnessStage(inputs.sets, inputs.models, {
    inDistribution: spec.inDistribution,
    ...(spec.groups === undefined ? {} : { attributes: spec.groups }),
    labelFrom: labelFromOf(spec, inputs.labelSources),
    ...(spec.metrics === undefined ? {} : { metrics: spec.metrics }),
    ...(baseline === undefined ? {} : { baseline }),
    ...(effectiveRobustness === undefined ? {} : { effectiveRobustness }),
    bootstrap,
    minimumGroupSize: { items: minGroupSize, clusters: minClusters },
  });
  return {
    result,
    update: {
      rows: result.rows,
      models: inputs.modelInfo,
      datasets: inputs.datasetInfo,
      deviations: result.deviations,
      failures: result.failures,
      extra: {
        robustness: {
          spec: spec.file,
          inDistribution: spec.inDistribution,
          attributes: result.attributes,
          bootstrap: {
            ...bootstrap,
            design:
              'clustered; strata: the in-distribution set with its corrupted copies and paired shifts, each other shift alone',
          },
          effectiveRobustnessFits: result.fits,
          warnings: result.warnings,
          notes: result.notes,
        },
      },
    },
  };
}
