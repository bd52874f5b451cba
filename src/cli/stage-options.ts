/**
 * Command-line options that several evaluator commands share (bootstrap, group tests, missing
 * values, thresholds), parsed into the stages' option types with the stages' defaults.
 */
import { UsageError } from '../core/errors.js';
import { emptyEntries, requireScored } from '../core/scored.js';
import type { StageResult } from '../core/stage.js';
import type { ComparisonKind } from '../core/types.js';
import { DEFAULT_LEVEL, DEFAULT_RESAMPLES } from '../stats/bootstrap.js';
import { DEFAULT_MISSING_VALUES } from '../stats/groups.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { DEFAULT_MINIMUM_GROUP_SIZE } from '../stats/sample-size.js';
import { nonNegativeInt, numberList, positiveInt } from './args.js';

/** `--seed --resamples --level --min-group-size --min-clusters` as the stages' bootstrap options. */
export const BOOTSTRAP_OPTIONS = {
  seed: { type: 'string' },
  resamples: { type: 'string' },
  level: { type: 'string' },
  'min-group-size': { type: 'string' },
  'min-clusters': { type: 'string' },
} as const;

export const BOOTSTRAP_HELP = `  --seed N                 bootstrap seed (default 0)
  --resamples N            clustered bootstrap resamples (default ${DEFAULT_RESAMPLES}; 0 = no intervals)
  --level L                interval level (default ${DEFAULT_LEVEL})
  --min-group-size N       groups with fewer items are flagged "too small to conclude" (default ${DEFAULT_MINIMUM_GROUP_SIZE.items})
  --min-clusters N         ... or fewer clusters (default ${DEFAULT_MINIMUM_GROUP_SIZE.clusters})`;

type BootstrapValues = { [K in keyof typeof BOOTSTRAP_OPTIONS]?: string };

export function bootstrapOptions(v: BootstrapValues): FrameOptions {
  const level = v.level === undefined ? DEFAULT_LEVEL : Number(v.level);
  if (!(level > 0 && level < 1)) throw new UsageError(`--level must be in (0, 1), got "${v.level}"`);
  return {
    seed: nonNegativeInt(v.seed, 'seed', 0),
    resamples: nonNegativeInt(v.resamples, 'resamples', DEFAULT_RESAMPLES),
    level,
    minimumGroupSize: {
      items: positiveInt(v['min-group-size'], 'min-group-size', DEFAULT_MINIMUM_GROUP_SIZE.items),
      clusters: positiveInt(v['min-clusters'], 'min-clusters', DEFAULT_MINIMUM_GROUP_SIZE.clusters),
    },
  };
}

/** `--comparisons vs-rest|pairwise|none` (default vs-rest, as in the audit spec). */
export function comparisonKind(value: string | undefined): ComparisonKind | 'none' {
  if (value === undefined || value === 'vs-rest') return 'vsRest';
  if (value === 'pairwise') return 'pairwise';
  if (value === 'none') return 'none';
  throw new UsageError(`--comparisons must be vs-rest, pairwise or none, got "${value}"`);
}

/** `--missing-values a,b` (default DEFAULT_MISSING_VALUES). */
export function missingValues(value: string | undefined): string[] {
  return value === undefined ? [...DEFAULT_MISSING_VALUES] : value.split(',').map((s) => s.trim());
}

/** `--thresholds` in [0, 1]. */
export function thresholdList(value: string | undefined, fallback: readonly number[]): number[] {
  const xs = numberList(value, 'thresholds', [...fallback]);
  if (xs.some((x) => x < 0 || x > 1)) throw new UsageError(`--thresholds must be in [0, 1], got "${value}"`);
  return xs;
}

export const ALLOW_EMPTY_HELP = `  --allow-empty            write a result that scores nothing (every value n/a: no item could
                           be scored) with a warning in the last line, instead of failing (exit 1)`;

/**
 * No empty success (src/core/scored.ts), as the audit applies it: a result with no scored value
 * for a model is an error unless `--allow-empty`.
 * @param entry names the command in messages ("indicator retrieval")
 * @returns a warning line per model that scored nothing (allowed), said last by the command
 */
export function requireScoredResult(
  entry: string,
  models: readonly string[],
  result: StageResult,
  allowEmpty: boolean | undefined,
): string[] {
  return requireScored(
    emptyEntries({ entry, models, result }),
    () => allowEmpty === true,
    'pass --allow-empty',
  );
}
