/**
 * Robustness evaluation from per-item correctness: top-1/top-5 accuracy on in-distribution,
 * naturally shifted and corrupted sets, the accuracy drop from in-distribution, corruption error,
 * mCE and relative mCE (normalised by a baseline when given), and effective robustness, each for
 * the whole population and for every group of every attribute, with the gap between groups.
 * Every value has a percentile interval from one stratified clustered bootstrap of the cell rates
 * (resample.ts RateCells through src/stats runClusteredBootstrap), and each family's rows are a
 * StatisticFrame over those rates (src/stats frame.ts), so intervals of drops, sums, fits and gaps
 * account for their joint variation.
 *
 * The rows are tidy ResultRows with indicator 'robustness'; metric names are in ROBUSTNESS_METRICS,
 * gaps are '<metric>.difference' rows (largest − smallest group, params.method 'betweenGroups') with
 * group {<attribute>: '*'}, the convention of every evaluator.
 */
import { clusterOf } from '../core/items.js';
import type { AttrValue, Group, ManifestItem, ResultRow } from '../core/types.js';
import { IMAGENET_C_CORRUPTIONS } from '../image/corrupt/index.js';
import {
  attributeValue,
  type BootstrapReplicates,
  ClusterSumsBuilder,
  clusterCount,
  differenceRow,
  MISSING_GROUP_NOTE,
  type MinimumGroupSize,
  runClusteredBootstrap,
  type StatisticGroup,
  statisticFrame,
  valueRow,
} from '../stats/index.js';
import { type GroupDef, groupDefinitions } from './groups.js';
import {
  type CorruptionErrors,
  clipAccuracy,
  corruptionError,
  effectiveRobustness,
  fitLogitLine,
  type LogitFit,
  meanCorruptionError,
  normalizedCorruptionError,
  relativeMeanCorruptionError,
} from './metrics.js';
import { RateCells, type ResampleOptions } from './resample.js';

export const ROBUSTNESS_METRICS = [
  'top1',
  'top5',
  'accuracy_drop',
  'corruption_error',
  'mce',
  'relative_mce',
  'effective_robustness',
] as const;
export type RobustnessMetric = (typeof ROBUSTNESS_METRICS)[number];

/** Says in every effective-robustness row that the metric is ours, not SEER's. */
export const EFFECTIVE_ROBUSTNESS_NOTE =
  'effective robustness (Taori et al. 2020) is a fairscope addition: SEER reports raw accuracies only';

export type DatasetKind = 'in-distribution' | 'shift' | 'corruption';

/** A dataset as the evaluation sees it: items in a fixed order, with what they are. */
export interface EvalDataset {
  name: string;
  kind: DatasetKind;
  /** For kind 'corruption'. */
  corruption?: string;
  severity?: number;
  /**
   * Datasets with the same pairing key are resampled jointly: their clusters are matched by name
   * (a clean set and its corrupted copies). Different keys are independent strata.
   */
  pairing: string;
  items: readonly ManifestItem[];
}

/** One model's result on one dataset, aligned with the dataset's items. */
export interface EvalOutcome {
  /** (items) 1 where the item was scored (it has a prediction and a label the model can predict). */
  scored: Uint8Array;
  /** (items) 1 where the top-1 / top-5 prediction is one of the item's labels. */
  top1: Uint8Array;
  top5: Uint8Array;
  /** Carried into every row that uses this outcome (absent labels, missing predictions...). */
  warnings: readonly string[];
}

export interface EvalModel {
  id: string;
  /** dataset name -> outcome; datasets the model was not run on are absent. */
  outcomes: ReadonlyMap<string, EvalOutcome>;
}

/** Published top-1 errors of a baseline (AlexNet in Hendrycks & Dietterich), with no interval. */
export interface ConstantBaselineErrors {
  name: string;
  /** Clean top-1 error, in [0, 1]. */
  clean: number;
  /** corruption -> (5) errors at severities 1..5, in [0, 1]. */
  errors: Readonly<Record<string, readonly number[]>>;
}

/** A baseline model known only by its accuracies (for the effective-robustness fit). */
export interface ConstantAccuracies {
  name: string;
  inDistribution: number;
  /** shift dataset name -> accuracy. */
  shifts: Readonly<Record<string, number>>;
}

export interface RobustnessOptions {
  /** Name of the in-distribution (clean) dataset. */
  inDistribution: string;
  /** Attributes whose groups get their own rows and gaps. */
  attributes: readonly string[];
  /** Default: all. */
  metrics?: readonly RobustnessMetric[];
  /** Normalises corruption errors: a model evaluated here, or published errors. */
  baseline?: { model: string } | ConstantBaselineErrors;
  /** Models whose accuracies define the effective-robustness fit (at least 2). */
  effectiveRobustness?: { models: readonly string[] } | { constants: readonly ConstantAccuracies[] };
  bootstrap: ResampleOptions;
  missingValues?: readonly string[];
  minimumGroupSize?: MinimumGroupSize;
}

/** The effective-robustness line of one shift (overall population, on the sample). */
export interface ShiftFit extends LogitFit {
  shift: string;
  baselines: string[];
}

export interface RobustnessResult {
  rows: ResultRow[];
  fits: ShiftFit[];
  /** Why some metric could not be computed at all. */
  warnings: string[];
}

/** A metric for one model over all groups. `at(g)` is undefined for a group the metric skips. */
interface Family {
  model: string;
  metric: RobustnessMetric;
  dataset: string;
  params: Record<string, AttrValue>;
  warnings: string[];
  at(g: number): { fn: (r: Float64Array) => number; cells: number[] } | undefined;
}

interface CellInfo {
  n: number;
  clusters: number;
  pairing: number;
}

const KS = [1, 5] as const;
const IMAGENET_C: ReadonlySet<string> = new Set(IMAGENET_C_CORRUPTIONS);

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(`evaluateRobustness: ${message}`);
}

/**
 * Computes the robustness rows.
 * @param datasets the in-distribution set, shifted sets and corrupted sets
 * @param models each model's outcomes on (some of) the datasets
 */
export function evaluateRobustness(
  datasets: readonly EvalDataset[],
  models: readonly EvalModel[],
  options: RobustnessOptions,
): RobustnessResult {
  const metrics = new Set<RobustnessMetric>(options.metrics ?? ROBUSTNESS_METRICS);
  const byName = new Map(datasets.map((d) => [d.name, d]));
  check(byName.size === datasets.length, 'dataset names must be unique');
  const id = byName.get(options.inDistribution);
  check(id !== undefined, `no dataset named "${options.inDistribution}" (the in-distribution set)`);
  const idName = options.inDistribution;
  for (const m of models) {
    for (const [name, o] of m.outcomes) {
      const d = byName.get(name);
      check(d !== undefined, `model "${m.id}" has an outcome for unknown dataset "${name}"`);
      const n = (d as EvalDataset).items.length;
      check(
        o.scored.length === n && o.top1.length === n && o.top5.length === n,
        `model "${m.id}", dataset "${name}": outcome arrays must have ${n} entries`,
      );
    }
  }
  const warnings: string[] = [];

  // Clusters: named within a pairing key; a pairing key is a stratum.
  const pairings = new Map<string, number>();
  const clusterIds = new Map<string, number>();
  const stratumOf: number[] = [];
  const itemCluster = new Map<string, Int32Array>();
  for (const d of datasets) {
    let p = pairings.get(d.pairing);
    if (p === undefined) {
      p = pairings.size;
      pairings.set(d.pairing, p);
    }
    const pairing = p;
    itemCluster.set(
      d.name,
      Int32Array.from(d.items, (item) => {
        const key = `${pairing}\u0000${clusterOf(item)}`;
        let c = clusterIds.get(key);
        if (c === undefined) {
          c = stratumOf.length;
          clusterIds.set(key, c);
          stratumOf.push(pairing);
        }
        return c;
      }),
    );
  }

  // Groups: 0 is everyone, then each value of each attribute.
  const groups = groupDefinitions(
    datasets.map((d) => d.items),
    options.attributes,
    options.missingValues,
  );
  const groupIndex = new Map<string, number>();
  groups.forEach((g, i) => {
    if (g.attribute !== undefined) groupIndex.set(`${g.attribute}\u0000${g.key}`, i);
  });
  const itemGroups = new Map<string, Int32Array[]>(
    datasets.map((d) => [
      d.name,
      options.attributes.map((a) =>
        Int32Array.from(d.items, (item) => groupIndex.get(`${a}\u0000${attributeValue(item, a)}`) as number),
      ),
    ]),
  );

  // Cells: accuracy of (model, dataset, k, group).
  const cells = new RateCells(stratumOf.length);
  const cellInfo: CellInfo[] = [];
  const cellIndex = new Map<string, number>();
  const cellKey = (model: string, dataset: string, k: number, g: number) =>
    `${model}\u0000${dataset}\u0000${k}\u0000${g}`;
  for (const m of models) {
    for (const [name, o] of m.outcomes) {
      const d = byName.get(name) as EvalDataset;
      const clusters = itemCluster.get(name) as Int32Array;
      const attrGroups = itemGroups.get(name) as Int32Array[];
      for (const k of KS) {
        const correct = k === 1 ? o.top1 : o.top5;
        const builders = groups.map(() => new ClusterSumsBuilder());
        for (let i = 0; i < d.items.length; i++) {
          if (o.scored[i] !== 1) continue;
          const c = clusters[i] as number;
          const hit = correct[i] as number;
          (builders[0] as ClusterSumsBuilder).add(c, hit);
          for (const ag of attrGroups) (builders[ag[i] as number] as ClusterSumsBuilder).add(c, hit);
        }
        builders.forEach((b, g) => {
          const sums = b.build();
          const index = cells.add(sums);
          cellIndex.set(cellKey(m.id, name, k, g), index);
          cellInfo[index] = {
            n: sums.items,
            clusters: clusterCount(sums),
            pairing: pairings.get(d.pairing) as number,
          };
        });
      }
    }
  }
  const cellOf = (model: string, dataset: string, k: number, g: number): number | undefined =>
    cellIndex.get(cellKey(model, dataset, k, g));
  const outcomeWarnings = (model: string, ...names: string[]) =>
    names.flatMap((n) => [...(models.find((m) => m.id === model)?.outcomes.get(n)?.warnings ?? [])]);

  const [rates] = runClusteredBootstrap(stratumOf.length, [cells], {
    seed: options.bootstrap.seed,
    resamples: options.bootstrap.resamples,
    stratumOf: Int32Array.from(stratumOf),
  });
  if (rates === undefined) throw new Error('evaluateRobustness: no bootstrap result');
  const families: Family[] = [];
  const datasetParams = (d: EvalDataset): Record<string, AttrValue> =>
    d.kind === 'corruption'
      ? { corruption: d.corruption as string, severity: d.severity as number }
      : { shift: d.kind === 'in-distribution' ? 'none' : d.name };
  const corruptionSets = datasets.filter((d) => d.kind === 'corruption');
  const corruptionsPresent = [...new Set(corruptionSets.map((d) => d.corruption as string))];
  const corruptionDataset = new Map(
    corruptionSets.map((d) => [`${d.corruption}\u0000${d.severity}`, d.name]),
  );
  const constantBaseline =
    options.baseline !== undefined && 'errors' in options.baseline ? options.baseline : undefined;
  const baselineModel =
    options.baseline !== undefined && 'model' in options.baseline ? options.baseline.model : undefined;
  if (baselineModel !== undefined)
    check(
      models.some((m) => m.id === baselineModel),
      `baseline model "${baselineModel}" is not among the models`,
    );
  const baselineName = constantBaseline?.name ?? baselineModel;

  /**
   * Reads a model's errors in a group from a rate vector without allocating: the cells are looked
   * up once, the returned CorruptionErrors is reused by every call. Undefined without a clean cell.
   */
  const errorReader = (
    model: string,
    g: number,
  ): { read: (r: Float64Array) => CorruptionErrors; cells: number[] } | undefined => {
    const clean = cellOf(model, idName, 1, g);
    if (clean === undefined) return undefined;
    const cells: number[] = [clean];
    const sources: { cells: Int32Array; errors: number[] }[] = [];
    const bySeverity = new Map<string, number[]>();
    for (const c of corruptionsPresent) {
      const severityCells = Int32Array.from([1, 2, 3, 4, 5], (s) => {
        const name = corruptionDataset.get(`${c}\u0000${s}`);
        return (name === undefined ? undefined : cellOf(model, name, 1, g)) ?? -1;
      });
      if (severityCells.every((cell) => cell < 0)) continue;
      const errors = [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN];
      bySeverity.set(c, errors);
      sources.push({ cells: severityCells, errors });
      for (const cell of severityCells) if (cell >= 0) cells.push(cell);
    }
    const out = { clean: 0, bySeverity };
    const read = (r: Float64Array): CorruptionErrors => {
      out.clean = 1 - (r[clean] as number);
      for (const { cells: sc, errors } of sources) {
        for (let s = 0; s < 5; s++) {
          const cell = sc[s] as number;
          errors[s] = cell < 0 ? Number.NaN : 1 - (r[cell] as number);
        }
      }
      return out;
    };
    return { read, cells };
  };
  const constantErrors: CorruptionErrors | undefined =
    constantBaseline === undefined
      ? undefined
      : {
          clean: constantBaseline.clean,
          bySeverity: new Map(
            Object.entries(constantBaseline.errors).map(([c, e]) => [
              c,
              [0, 1, 2, 3, 4].map((s) => e[s] ?? Number.NaN),
            ]),
          ),
        };
  /** The baseline's errors in a group (published constants, or the baseline model's cells). */
  const baselineReader = (g: number): ((r: Float64Array) => CorruptionErrors | undefined) => {
    if (constantErrors !== undefined) return () => constantErrors;
    const reader = baselineModel === undefined ? undefined : errorReader(baselineModel, g);
    return reader === undefined ? () => undefined : reader.read;
  };

  for (const m of models) {
    const has = (name: string) => m.outcomes.has(name);
    // top-1 / top-5 on every dataset
    for (const d of datasets) {
      if (!has(d.name)) continue;
      for (const k of KS) {
        const metric: RobustnessMetric = k === 1 ? 'top1' : 'top5';
        if (!metrics.has(metric)) continue;
        families.push({
          model: m.id,
          metric,
          dataset: d.name,
          params: datasetParams(d),
          warnings: outcomeWarnings(m.id, d.name),
          at: (g) => {
            const cell = cellOf(m.id, d.name, k, g);
            return cell === undefined ? undefined : { fn: (r) => r[cell] as number, cells: [cell] };
          },
        });
      }
    }
    // accuracy drop from in-distribution
    if (metrics.has('accuracy_drop') && has(idName)) {
      for (const d of datasets) {
        if (d.name === idName || !has(d.name)) continue;
        for (const k of KS) {
          families.push({
            model: m.id,
            metric: 'accuracy_drop',
            dataset: d.name,
            params: { ...datasetParams(d), k, reference: idName },
            warnings: outcomeWarnings(m.id, idName, d.name),
            at: (g) => {
              const a = cellOf(m.id, idName, k, g);
              const b = cellOf(m.id, d.name, k, g);
              if (a === undefined || b === undefined) return undefined;
              return { fn: (r) => (r[a] as number) - (r[b] as number), cells: [a, b] };
            },
          });
        }
      }
    }
    // corruption errors
    const modelCorruptions = corruptionsPresent.filter((c) =>
      [1, 2, 3, 4, 5].some((s) => has(corruptionDataset.get(`${c}\u0000${s}`) ?? '')),
    );
    if (metrics.has('corruption_error')) {
      for (const d of corruptionSets) {
        if (!has(d.name)) continue;
        families.push({
          model: m.id,
          metric: 'corruption_error',
          dataset: d.name,
          params: {
            corruption: d.corruption as string,
            severity: d.severity as number,
            normalization: 'none',
          },
          warnings: outcomeWarnings(m.id, d.name),
          at: (g) => {
            const cell = cellOf(m.id, d.name, 1, g);
            return cell === undefined ? undefined : { fn: (r) => 1 - (r[cell] as number), cells: [cell] };
          },
        });
      }
      for (const c of modelCorruptions) {
        const names = [1, 2, 3, 4, 5]
          .map((s) => corruptionDataset.get(`${c}\u0000${s}`))
          .filter((x): x is string => x !== undefined && has(x));
        const severities = names.map((n) => (byName.get(n) as EvalDataset).severity as number);
        const base = {
          corruption: c,
          severity: 'all',
          severities: severities.join(','),
          aggregation: 'sum over severities',
        };
        const at = (normalised: boolean) => (g: number) => {
          const used = names.map((n) => cellOf(m.id, n, 1, g));
          const reader = errorReader(m.id, g);
          if (used.some((cell) => cell === undefined) || reader === undefined) return undefined;
          const base = baselineReader(g);
          return {
            fn: (r: Float64Array) => {
              const e = reader.read(r).bySeverity.get(c) as number[];
              if (!normalised) return corruptionError(e);
              const b = base(r)?.bySeverity.get(c);
              return b === undefined ? Number.NaN : normalizedCorruptionError(e, b);
            },
            cells: used as number[],
          };
        };
        families.push({
          model: m.id,
          metric: 'corruption_error',
          dataset: c,
          params: { ...base, normalization: 'none' },
          warnings: outcomeWarnings(m.id, ...names),
          at: at(false),
        });
        if (baselineName !== undefined) {
          families.push({
            model: m.id,
            metric: 'corruption_error',
            dataset: c,
            params: { ...base, normalization: 'baseline', baseline: baselineName },
            warnings: outcomeWarnings(m.id, ...names),
            at: at(true),
          });
        }
      }
    }
    // mCE and relative mCE over the ImageNet-C corruptions, and over the held-out ones
    const sets = [
      {
        set: 'imagenet-c',
        corruptions: modelCorruptions.filter((c) => IMAGENET_C.has(c)),
      },
      {
        set: 'held-out',
        corruptions: modelCorruptions.filter((c) => !IMAGENET_C.has(c)),
      },
    ].filter((s) => s.corruptions.length > 0);
    for (const metric of ['mce', 'relative_mce'] as const) {
      if (!metrics.has(metric) || !has(idName)) continue;
      for (const { set, corruptions } of sets) {
        const setWarnings: string[] = [];
        if (set === 'imagenet-c' && corruptions.length < IMAGENET_C_CORRUPTIONS.length) {
          setWarnings.push(
            `over ${corruptions.length} of the 15 ImageNet-C corruptions (${corruptions.join(', ')}): not comparable to published mCE`,
          );
        }
        const incomplete = corruptions.filter((c) =>
          [1, 2, 3, 4, 5].some((s) => !has(corruptionDataset.get(`${c}\u0000${s}`) ?? '')),
        );
        if (incomplete.length > 0)
          setWarnings.push(
            `severities missing for ${incomplete.join(', ')}: sums over the severities evaluated`,
          );
        for (const normalised of baselineName === undefined ? [false] : [false, true]) {
          families.push({
            model: m.id,
            metric,
            dataset: set,
            params: {
              set,
              corruptions: corruptions.length,
              normalization: normalised ? 'baseline' : 'none',
              ...(normalised ? { baseline: baselineName as string } : {}),
            },
            warnings: [...setWarnings, ...outcomeWarnings(m.id, idName)],
            at: (g) => {
              const reader = errorReader(m.id, g);
              if (reader === undefined) return undefined;
              const base = normalised ? baselineReader(g) : () => undefined;
              return {
                fn: (r) => {
                  const errors = reader.read(r);
                  const b = base(r);
                  if (normalised && b === undefined) return Number.NaN;
                  return metric === 'mce'
                    ? meanCorruptionError(errors, corruptions, b)
                    : relativeMeanCorruptionError(errors, corruptions, b);
                },
                cells: reader.cells,
              };
            },
          });
        }
      }
    }
  }

  // effective robustness
  const fits: ShiftFit[] = [];
  const er = options.effectiveRobustness;
  if (metrics.has('effective_robustness') && er !== undefined) {
    for (const d of datasets.filter((x) => x.kind === 'shift')) {
      const params = (baselines: string[], scope: string): Record<string, AttrValue> => ({
        shift: d.name,
        fit: 'least squares of logit(shift accuracy) on logit(in-distribution accuracy), top-1',
        baselines: baselines.join(','),
        scope,
        source: 'fairscope addition (Taori et al. 2020), not in SEER',
      });
      if ('models' in er) {
        const baselines = er.models.filter((b) => {
          const bm = models.find((x) => x.id === b);
          return bm?.outcomes.has(idName) && bm.outcomes.has(d.name);
        });
        if (baselines.length < 2) {
          warnings.push(
            `effective robustness on ${d.name}: needs at least 2 baseline models evaluated on it and on ${idName}, got ${baselines.length}`,
          );
          continue;
        }
        /** The fit in group g, with the baselines' cells and clipping looked up once. */
        const fitter = (g: number) => {
          const a = baselines.map((b) => cellOf(b, idName, 1, g) as number);
          const s = baselines.map((b) => cellOf(b, d.name, 1, g) as number);
          const epsA = a.map((cell) => 0.5 / Math.max(1, (cellInfo[cell] as CellInfo).n));
          const epsS = s.map((cell) => 0.5 / Math.max(1, (cellInfo[cell] as CellInfo).n));
          const xs = new Array<number>(baselines.length);
          const ys = new Array<number>(baselines.length);
          return {
            cells: [...a, ...s],
            fit: (r: Float64Array) => {
              for (let i = 0; i < baselines.length; i++) {
                xs[i] = clipAccuracy(r[a[i] as number] as number, epsA[i] as number);
                ys[i] = clipAccuracy(r[s[i] as number] as number, epsS[i] as number);
              }
              return fitLogitLine(xs, ys);
            },
          };
        };
        const point = (g: number, r: Float64Array) => fitter(g).fit(r);
        const overall = point(0, rates.point);
        fits.push({ shift: d.name, baselines, ...overall });
        for (const m of models) {
          if (!m.outcomes.has(idName) || !m.outcomes.has(d.name)) continue;
          families.push({
            model: m.id,
            metric: 'effective_robustness',
            dataset: d.name,
            params: params(baselines, "fit per group over the baselines' accuracies in that group"),
            warnings: [
              EFFECTIVE_ROBUSTNESS_NOTE,
              ...(baselines.length < 3
                ? [`line fitted through only ${baselines.length} baseline models`]
                : []),
              ...outcomeWarnings(m.id, idName, d.name),
            ],
            at: (g) => {
              const a = cellOf(m.id, idName, 1, g);
              const s = cellOf(m.id, d.name, 1, g);
              if (a === undefined || s === undefined) return undefined;
              const groupFit = fitter(g);
              const used = [a, s, ...groupFit.cells];
              const epsA = 0.5 / Math.max(1, (cellInfo[a] as CellInfo).n);
              return {
                fn: (r) => {
                  const fit = groupFit.fit(r);
                  const x = clipAccuracy(r[a] as number, epsA);
                  return effectiveRobustness(fit, x, r[s] as number);
                },
                cells: used,
              };
            },
          });
        }
      } else {
        const constants = er.constants.filter((c) => c.shifts[d.name] !== undefined);
        if (constants.length < 2) {
          warnings.push(
            `effective robustness on ${d.name}: needs at least 2 baseline accuracies for it, got ${constants.length}`,
          );
          continue;
        }
        const fit = fitLogitLine(
          constants.map((c) => c.inDistribution),
          constants.map((c) => c.shifts[d.name] as number),
        );
        const names = constants.map((c) => c.name);
        fits.push({ shift: d.name, baselines: names, ...fit });
        for (const m of models) {
          if (!m.outcomes.has(idName) || !m.outcomes.has(d.name)) continue;
          families.push({
            model: m.id,
            metric: 'effective_robustness',
            dataset: d.name,
            params: params(names, "one fit over the baselines' published accuracies, applied to every group"),
            warnings: [EFFECTIVE_ROBUSTNESS_NOTE, ...outcomeWarnings(m.id, idName, d.name)],
            at: (g) => {
              const a = cellOf(m.id, idName, 1, g);
              const s = cellOf(m.id, d.name, 1, g);
              if (a === undefined || s === undefined) return undefined;
              return {
                fn: (r) =>
                  effectiveRobustness(
                    fit,
                    clipAccuracy(r[a] as number, 0.5 / Math.max(1, (cellInfo[a] as CellInfo).n)),
                    r[s] as number,
                  ),
                cells: [a, s],
              };
            },
          });
        }
      }
    }
  }

  return { rows: familyRows(families, groups, cellInfo, rates, options), fits, warnings };
}

/** Items and clusters behind a value: per stratum the largest cell (paired sets hold the same items), summed over strata. */
function support(cellIds: readonly number[], info: readonly CellInfo[]): { n: number; clusters: number } {
  const byPairing = new Map<number, { n: number; clusters: number }>();
  for (const c of cellIds) {
    const i = info[c] as CellInfo;
    const cur = byPairing.get(i.pairing) ?? { n: 0, clusters: 0 };
    byPairing.set(i.pairing, { n: Math.max(cur.n, i.n), clusters: Math.max(cur.clusters, i.clusters) });
  }
  let n = 0;
  let clusters = 0;
  for (const v of byPairing.values()) {
    n += v.n;
    clusters += v.clusters;
  }
  return { n, clusters };
}

function groupOf(def: GroupDef): Group {
  return def.attribute === undefined ? {} : { [def.attribute]: def.value as AttrValue };
}

/**
 * Rows of every family: one per group with a value (the overall one first), then one gap per
 * attribute, each family's groups forming a StatisticFrame over the cell rates.
 */
function familyRows(
  families: readonly Family[],
  groups: readonly GroupDef[],
  info: readonly CellInfo[],
  rates: BootstrapReplicates,
  options: RobustnessOptions,
): ResultRow[] {
  const frameOptions = { level: options.bootstrap.level, minimumGroupSize: options.minimumGroupSize };
  const rows: ResultRow[] = [];
  for (const family of families) {
    const context = { model: family.model, indicator: 'robustness', dataset: family.dataset };
    /** Group g of the family; undefined where the metric skips it or (but overall) it has no item. */
    const member = (g: number): StatisticGroup | undefined => {
      const def = groups[g] as GroupDef;
      const v = family.at(g);
      if (v === undefined) return undefined;
      const size = support(v.cells, info);
      // a group with no item in these sets (it exists in others) gets no row
      if (size.n === 0 && g > 0) return undefined;
      return {
        group: groupOf(def),
        value: v.fn,
        ...size,
        comparable: !def.missing,
        warnings: [...family.warnings, ...(def.missing ? [MISSING_GROUP_NOTE] : [])],
        // the overall population is never "too small": it is all there is
        sizeChecked: g > 0,
      };
    };
    const overall = member(0);
    const frames = options.attributes.flatMap((attribute) => {
      const members = groups
        .map((def, g) => (def.attribute === attribute ? member(g) : undefined))
        .filter((m): m is StatisticGroup => m !== undefined);
      if (members.length === 0) return [];
      const input = {
        metric: family.metric,
        attributes: [attribute],
        groups: members,
        warnings: family.warnings,
      };
      return [statisticFrame(input, rates, frameOptions)];
    });
    if (overall !== undefined) {
      const frame = statisticFrame(
        { metric: family.metric, attributes: [], overall, groups: [] },
        rates,
        frameOptions,
      );
      rows.push(valueRow(frame.overall, context, family.params));
    }
    for (const frame of frames) for (const m of frame.byGroup) rows.push(valueRow(m, context, family.params));
    for (const frame of frames) {
      rows.push(differenceRow(frame.difference(), context, family.params, 'betweenGroups'));
    }
  }
  return rows;
}
