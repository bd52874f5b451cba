/**
 * The robustness spec (YAML) of `fairscope robustness`: which manifests, which prediction folders
 * (embedding-store layout with a logits column and classes, as `fairscope probe predict` writes),
 * which corruptions and metrics. Paths are relative to the spec's folder. A spec error names the key
 * path and what was expected.
 *
 *   inDistribution: val                  # the clean set (default: the first dataset)
 *   datasets:
 *     val: { manifest: val.jsonl }
 *     imagenet-r: { manifest: r.jsonl, mask: present, labelMap: r-map.json }
 *   corruptions:                         # sets written by `fairscope corrupt`
 *     names: imagenet-c                  # or all, or a list
 *     severities: [1, 2, 3, 4, 5]
 *     manifest: c/{corruption}/{severity}/manifest.jsonl   # default: the in-distribution manifest
 *   models:
 *     resnet50:
 *       val: preds/r50/val
 *       imagenet-r: preds/r50/r
 *       corruptions: preds/r50/c/{corruption}/{severity}
 *   groups: [skintone, gender]
 *   metrics: [top1, top5, accuracy_drop, corruption_error, mce, relative_mce, effective_robustness]
 *   baseline: alexnet                    # a model above, or { name, clean, errors: {corruption: [5 errors]} }
 *   effectiveRobustness: { baselines: [alexnet, resnet18, resnet50] }   # or { accuracies: [...] }
 *   bootstrap: { seed: 0, resamples: 1000, level: 0.95, minGroupSize: 30, minClusters: 10 }
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { InputError, UsageError } from '../../core/errors.js';
import { CORRUPTION_NAMES, IMAGENET_C_CORRUPTIONS } from '../../image/corrupt/index.js';
import { DEFAULT_MINIMUM_GROUP_SIZE } from '../../stats/sample-size.js';
import { ROBUSTNESS_METRICS } from '../evaluate.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a name of letters, digits, "_", "." or "-"');
const unit = z.number().min(0).max(1);

/** Published top-1 errors of a baseline (AlexNet in Hendrycks & Dietterich): clean and 5 severities. */
export const baselineErrorsSpec = z
  .object({
    name: z.string().min(1),
    clean: unit,
    errors: z.record(z.enum(CORRUPTION_NAMES as [string, ...string[]]), z.array(unit).length(5)),
  })
  .strict();

/** A baseline model's name, published errors inline, or a JSON file of them ({ file }). */
export const baselineSpec = z.union([
  name,
  baselineErrorsSpec,
  z.object({ file: z.string().min(1) }).strict(),
]);

/** Effective robustness against baseline models, or against their published accuracies. */
export const effectiveRobustnessSpec = z.union([
  z.object({ baselines: z.array(name).min(2) }).strict(),
  z
    .object({
      accuracies: z
        .array(
          z
            .object({
              name: z.string().min(1),
              inDistribution: z.number().gt(0).lt(1),
              shifts: z.record(z.number().gt(0).lt(1)),
            })
            .strict(),
        )
        .min(2),
    })
    .strict(),
]);

/** A label map: a JSON file, or inline {dataset label: class | [classes]}. */
export const labelMapSpec = z.union([z.string(), z.record(z.union([z.string(), z.array(z.string())]))]);

export const maskSpec = z.union([
  z.enum(['none', 'present']),
  z.object({ classes: z.array(z.string()).min(1) }).strict(),
  z.object({ classesFile: z.string() }).strict(),
]);

const datasetSpec = z
  .object({
    manifest: z.string().min(1),
    /** Classes the set is scored on (IN-A, IN-R, ObjectNet: present). */
    mask: maskSpec.default('none'),
    /** Dataset label -> model class(es): a JSON file or an inline map. */
    labelMap: labelMapSpec.optional(),
    /** Resample jointly with the in-distribution set (items shared by cluster name). */
    paired: z.boolean().default(false),
  })
  .strict();

const corruptionsSpec = z
  .object({
    names: z
      .union([
        z.enum(['imagenet-c', 'all']),
        z.array(z.enum(CORRUPTION_NAMES as [string, ...string[]])).min(1),
      ])
      .default('imagenet-c'),
    severities: z.array(z.number().int().min(1).max(5)).min(1).default([1, 2, 3, 4, 5]),
    /** Manifest of the corrupted sets: a path template with {corruption} and {severity}, or one file. */
    manifest: z.string().optional(),
  })
  .strict();

const specSchema = z
  .object({
    inDistribution: name.optional(),
    datasets: z.record(name, datasetSpec).refine((d) => Object.keys(d).length > 0, 'at least one dataset'),
    corruptions: corruptionsSpec.optional(),
    /** model id -> dataset name (or "corruptions": a folder template) -> predictions folder. */
    models: z
      .record(name, z.record(z.string(), z.string().min(1)))
      .refine((m) => Object.keys(m).length > 0, 'at least one model'),
    groups: z.array(z.string().min(1)).optional(),
    metrics: z.array(z.enum(ROBUSTNESS_METRICS)).min(1).optional(),
    baseline: baselineSpec.optional(),
    effectiveRobustness: effectiveRobustnessSpec.optional(),
    /**
     * Where an item's class comes from: its labels or an attribute (attr:NAME). Default: the label
     * source the probe behind the prediction folders was trained with (recorded by `probe
     * predict`), else the labels.
     */
    labelFrom: z
      .string()
      .regex(/^(labels|attr:.+)$/, 'labels or attr:<name>')
      .optional(),
    /** Exclude manifest items a prediction folder has no row for (recorded as failures) instead of failing. */
    allowMissing: z.boolean().default(false),
    bootstrap: z
      .object({
        seed: z.number().int().min(0).default(0),
        resamples: z.number().int().min(0).default(1000),
        level: z.number().gt(0).lt(1).default(0.95),
        /** Groups with fewer items or clusters are flagged "too small to conclude". */
        minGroupSize: z.number().int().positive().default(DEFAULT_MINIMUM_GROUP_SIZE.items),
        minClusters: z.number().int().positive().default(DEFAULT_MINIMUM_GROUP_SIZE.clusters),
      })
      .strict()
      .default({}),
  })
  .strict();

export type RobustnessSpecInput = z.input<typeof specSchema>;
type Parsed = z.output<typeof specSchema>;

export interface ResolvedDataset {
  name: string;
  manifest: string;
  mask: 'none' | 'present' | { classes: string[] } | { classesFile: string };
  labelMap?: string | Record<string, string | string[]>;
  paired: boolean;
}

export interface ResolvedCorruptionSet {
  name: string;
  corruption: string;
  severity: number;
  manifest: string;
}

/** A spec with defaults filled, paths absolute and cross-references checked. */
export interface RobustnessSpec {
  file: string;
  inDistribution: string;
  datasets: ResolvedDataset[];
  corruptionSets: ResolvedCorruptionSet[];
  /** model id -> dataset or corruption-set name -> predictions folder. */
  models: { id: string; predictions: Map<string, string> }[];
  groups?: string[];
  metrics?: Parsed['metrics'];
  baseline?: Parsed['baseline'];
  effectiveRobustness?: Parsed['effectiveRobustness'];
  labelFrom?: string;
  allowMissing: boolean;
  bootstrap: { seed: number; resamples: number; level: number; minGroupSize: number; minClusters: number };
}

/** Name of the dataset of one corruption at one severity ("gaussian_noise/3"). */
export function corruptionSetName(corruption: string, severity: number): string {
  return `${corruption}/${severity}`;
}

function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map(
    (issue) => `  ${issue.path.length === 0 ? '(top level)' : issue.path.join('.')}: ${issue.message}`,
  );
  return `${file}: invalid robustness spec:\n${lines.join('\n')}`;
}

function fillTemplate(template: string, corruption: string, severity: number): string {
  return template.replaceAll('{corruption}', corruption).replaceAll('{severity}', String(severity));
}

/** Checks a parsed spec object and resolves its paths against `baseDir`. */
export function resolveSpec(raw: unknown, file: string): RobustnessSpec {
  const parsed = specSchema.safeParse(raw);
  if (!parsed.success) throw new UsageError(describeIssues(file, parsed.error));
  const spec = parsed.data;
  const baseDir = dirname(resolve(file));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const problems: string[] = [];
  const datasetNames = Object.keys(spec.datasets);
  if (datasetNames.includes('corruptions'))
    problems.push('datasets.corruptions: "corruptions" is reserved for the corrupted sets');
  const inDistribution = spec.inDistribution ?? (datasetNames[0] as string);
  if (!datasetNames.includes(inDistribution)) {
    problems.push(`inDistribution: no dataset "${inDistribution}" (datasets: ${datasetNames.join(', ')})`);
  }
  const datasets: ResolvedDataset[] = Object.entries(spec.datasets).map(([n, d]) => ({
    name: n,
    manifest: abs(d.manifest),
    mask:
      typeof d.mask === 'object' && 'classesFile' in d.mask
        ? { classesFile: abs(d.mask.classesFile) }
        : d.mask,
    ...(d.labelMap === undefined
      ? {}
      : { labelMap: typeof d.labelMap === 'string' ? abs(d.labelMap) : d.labelMap }),
    paired: d.paired,
  }));
  const corruptionSets: ResolvedCorruptionSet[] = [];
  if (spec.corruptions !== undefined) {
    const c = spec.corruptions;
    const names =
      c.names === 'imagenet-c' ? IMAGENET_C_CORRUPTIONS : c.names === 'all' ? CORRUPTION_NAMES : c.names;
    const idManifest = datasets.find((d) => d.name === inDistribution)?.manifest ?? '';
    for (const corruption of names) {
      for (const severity of [...new Set(c.severities)].sort()) {
        corruptionSets.push({
          name: corruptionSetName(corruption, severity),
          corruption,
          severity,
          manifest:
            c.manifest === undefined ? idManifest : abs(fillTemplate(c.manifest, corruption, severity)),
        });
      }
    }
  }
  const models = Object.entries(spec.models).map(([id, entries]) => {
    const predictions = new Map<string, string>();
    for (const [key, dir] of Object.entries(entries)) {
      if (key === 'corruptions') {
        if (spec.corruptions === undefined)
          problems.push(`models.${id}.corruptions: the spec has no "corruptions" section`);
        if (!dir.includes('{corruption}') || !dir.includes('{severity}')) {
          problems.push(
            `models.${id}.corruptions: must be a folder template with {corruption} and {severity}, got "${dir}"`,
          );
        }
        for (const s of corruptionSets)
          predictions.set(s.name, abs(fillTemplate(dir, s.corruption, s.severity)));
      } else if (!datasetNames.includes(key)) {
        problems.push(
          `models.${id}.${key}: no dataset "${key}" (datasets: ${datasetNames.join(', ')}; or "corruptions")`,
        );
      } else predictions.set(key, abs(dir));
    }
    return { id, predictions };
  });
  const modelIds = models.map((m) => m.id);
  if (typeof spec.baseline === 'string' && !modelIds.includes(spec.baseline)) {
    problems.push(`baseline: no model "${spec.baseline}" (models: ${modelIds.join(', ')})`);
  }
  if (spec.effectiveRobustness !== undefined && 'baselines' in spec.effectiveRobustness) {
    for (const b of spec.effectiveRobustness.baselines) {
      if (!modelIds.includes(b))
        problems.push(`effectiveRobustness.baselines: no model "${b}" (models: ${modelIds.join(', ')})`);
    }
  }
  if (problems.length > 0)
    throw new UsageError(`${file}: invalid robustness spec:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return {
    file,
    inDistribution,
    datasets,
    corruptionSets,
    models,
    ...(spec.groups === undefined ? {} : { groups: spec.groups }),
    ...(spec.metrics === undefined ? {} : { metrics: spec.metrics }),
    ...(spec.baseline === undefined
      ? {}
      : {
          baseline:
            typeof spec.baseline === 'object' && 'file' in spec.baseline
              ? { file: abs(spec.baseline.file) }
              : spec.baseline,
        }),
    ...(spec.effectiveRobustness === undefined ? {} : { effectiveRobustness: spec.effectiveRobustness }),
    ...(spec.labelFrom === undefined ? {} : { labelFrom: spec.labelFrom }),
    allowMissing: spec.allowMissing,
    bootstrap: spec.bootstrap,
  };
}

/** Reads and checks a robustness spec file. */
export async function readRobustnessSpec(file: string): Promise<RobustnessSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, `cannot read spec: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new InputError(file, `invalid YAML: ${(err as Error).message}`);
  }
  return resolveSpec(raw, file);
}
