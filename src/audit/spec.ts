/**
 * The audit spec (YAML): which datasets, models, adaptations and evaluations one `fairscope audit`
 * run composes. Each evaluator owns its options; the spec only names and wires them. A spec error
 * names the key path and what was expected.
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { UsageError } from '../core/errors.js';
import { FIRST_PICKS } from '../curate/kcenter.js';
import { DISTANCE_METRICS } from '../curate/points.js';
import { SEARCH_METHODS } from '../curate/search.js';
import { STRATEGIES } from '../curate/select.js';
import { DEFAULT_GEOGRAPHIC_PROTOCOL, GEOGRAPHIC_PROTOCOLS } from '../indicators/geographic-units.js';
import { BUILTIN_TAXONOMIES } from '../indicators/taxonomy.js';
import { ROBUSTNESS_METRICS } from '../robustness/evaluate.js';
import { baselineSpec, effectiveRobustnessSpec, labelMapSpec, maskSpec } from '../robustness/node/spec.js';
import { DEFAULT_CONFIG, METHODS, OPTIMIZERS } from '../train/config.js';

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'a name of letters, digits, "_", "." or "-"');
const attrValues = z.union([z.string(), z.number(), z.array(z.union([z.string(), z.number()]))]);
/** A group spec: one attribute, or several for an intersection (gender x skin tone). */
const groupSpec = z.union([z.string(), z.array(z.string()).min(1)]);

const datasetSpec = z
  .object({
    /** A manifest file written by `fairscope import`. */
    manifest: z.string().optional(),
    /** Or an importer run by the audit. */
    import: z
      .object({
        format: z.string(),
        inputs: z.array(z.string()).default([]),
        options: z.record(z.union([z.string(), z.number(), z.boolean()])).default({}),
      })
      .strict()
      .optional(),
    /** Or a subset of another dataset: items whose attrs match every key (a value or a list of values). */
    from: z.string().optional(),
    where: z.record(attrValues).default({}),
    /** Keep only items carrying one of these labels. */
    labels: z.array(z.string()).optional(),
    /** Credits and licence of the images, shown in the report. */
    credit: z.string().optional(),
  })
  .strict()
  .refine((d) => [d.manifest, d.import, d.from].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of "manifest", "import" or "from"',
  });

/**
 * A model the audit trains before auditing it (src/train), into OUT/cache/train/<model name>/.
 * `method: none` is the backbone at its seeded random initialisation, untrained: the floor of a
 * paradigm comparison. Defaults are the training commands' (src/train/config.ts); the seed defaults
 * to the spec's. The backbone name is checked against the presets when the audit runs.
 */
const trainSpec = z
  .object({
    method: z.enum([...METHODS, 'none']),
    /** The dataset of the spec whose images the model is trained on. */
    dataset: name,
    backbone: z.string(),
    epochs: z.number().int().positive().default(DEFAULT_CONFIG.epochs),
    batch: z.number().int().min(2).default(DEFAULT_CONFIG.batch),
    imageSize: z.number().int().min(8).default(DEFAULT_CONFIG.imageSize),
    lr: z.number().positive().default(DEFAULT_CONFIG.lr),
    optimizer: z.enum(OPTIMIZERS).default(DEFAULT_CONFIG.optimizer),
    weightDecay: z.number().nonnegative().default(DEFAULT_CONFIG.weightDecay),
    warmupEpochs: z.number().nonnegative().default(DEFAULT_CONFIG.warmupEpochs),
    prototypes: z.number().int().min(2).default(DEFAULT_CONFIG.prototypes),
    localCrops: z.number().int().nonnegative().default(DEFAULT_CONFIG.localCrops),
    queueLength: z.number().int().nonnegative().default(DEFAULT_CONFIG.queueLength),
    queueStartEpoch: z.number().int().nonnegative().default(DEFAULT_CONFIG.queueStartEpoch),
    seed: z.number().int().nonnegative().optional(),
    /** Augmentation of the training views (src/train/augment.ts); absent fields: SwAV's recipe. */
    augment: z
      .object({
        colorStrength: z.number().nonnegative().optional(),
        blur: z.number().min(0).max(1).optional(),
        grayscale: z.number().min(0).max(1).optional(),
        minScale: z.number().positive().max(1).optional(),
      })
      .strict()
      .optional(),
    /** The class: for supervised training, and for the kNN monitor of the others. */
    labelFrom: z
      .string()
      .regex(/^(labels|attr:.+)$/, 'labels or attr:<name>')
      .default('labels'),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.queueLength > 0 && t.method !== 'swav')
      ctx.addIssue({ code: 'custom', path: ['queueLength'], message: 'a queue applies to method swav only' });
    else if (t.queueLength > 0 && t.queueLength < t.batch)
      ctx.addIssue({
        code: 'custom',
        path: ['queueLength'],
        message: `shorter than one batch (batch ${t.batch})`,
      });
  });

const modelSpec = z
  .object({
    /** A built-in model name (`fairscope models`) or a model descriptor file. */
    model: z.string().optional(),
    /** Or a model the audit trains. */
    train: trainSpec.optional(),
    /** Images per embedding batch. */
    batch: z.number().int().positive().default(16),
  })
  .strict()
  .refine((m) => (m.model === undefined) !== (m.train === undefined), {
    message: 'give exactly one of "model" (a model to load) or "train" (a model the audit trains)',
  });

/** Where an item's class comes from: its first label, or an attribute. */
const labelFrom = z.string().regex(/^(labels|attr:.+)$/, 'labels or attr:<name>');

/**
 * A probe's options, as `fairscope probe train` takes them; absent options get the same defaults
 * (src/probe/train.ts, src/probe/knn-head.ts).
 */
const probeOptions = z.object({
  labelFrom: labelFrom.default('labels'),
  head: z.enum(['linear', 'bn-linear', 'knn']).default('linear'),
  optimizer: z.enum(['lbfgs', 'sgd']).optional(),
  l2: z.number().nonnegative().optional(),
  maxIter: z.number().int().positive().optional(),
  tolerance: z.number().positive().optional(),
  valFraction: z.number().min(0).lt(1).optional(),
  learningRate: z.number().positive().optional(),
  batchSize: z.number().int().positive().optional(),
  patience: z.number().int().positive().optional(),
  /** kNN: neighbours and vote temperature. */
  k: z.number().int().positive().optional(),
  temperature: z.number().positive().optional(),
  /** Leave out (and count) training items without a class instead of failing. */
  skipUnlabeled: z.boolean().default(false),
});

/** Only these models (default: every model of the spec). */
const modelsFilter = z.array(name).min(1).optional();
/**
 * An entry that scores nothing (every value n/a) is an error unless allowed: then a warning in the
 * last line and the report. Absent, not false, by default: the spec's hash does not change.
 */
const allowEmpty = z.boolean().optional();

const probeSpec = probeOptions
  .extend({
    /** Dataset the head is trained on (frozen features of each model). */
    train: name,
    /** Top-k accuracy on these datasets, as `fairscope probe eval`, overall and per attribute. */
    evaluate: z
      .object({
        datasets: z.array(name).min(1),
        groupBy: z.array(z.string()).default([]),
        k: z.array(z.number().int().positive()).default([1, 5]),
        allowEmpty,
      })
      .strict()
      .optional(),
    models: modelsFilter,
  })
  .strict();

/** Which group comparisons get a test (Holm-adjusted): each group vs the rest, every pair, or none. */
const comparisons = z.enum(['vsRest', 'pairwise', 'none']).default('vsRest');
/** Values reported but left out of gaps and tests (default: n/a, unknown, ...). */
const missingValues = z.array(z.string()).optional();

/** How a model gets class scores: its own logits (zero-shot) or a probe trained on frozen features. */
const classifier = z.union([
  z.literal('logits'),
  z.string().regex(/^probe:[A-Za-z0-9_.-]+$/, 'logits or probe:<name>'),
]);

const labelAssociationSpec = z
  .object({
    dataset: name,
    classifier,
    /** A built-in taxonomy name (casual-conversations, miap, emoji-demo) or a taxonomy file. */
    taxonomy: z.string(),
    /** A JSON map {class: label name | [names]} (the first name is used), relative to the spec. */
    labelNames: z.string().optional(),
    thresholds: z.array(z.number().min(0).max(1)).default([0, 0.1, 0.3, 0.8]),
    /** Default: every attribute with string values. */
    groups: z.array(groupSpec).min(1).optional(),
    missingValues,
    /** Allow taxonomy labels absent from the class list (with a warning), for small label spaces. */
    partialTaxonomy: z.boolean().default(false),
    /** Per-class prediction rates (protocols.md 3.2) for the taxonomy's classes, every class, or none. */
    perClass: z.enum(['taxonomy', 'all', 'none']).default('taxonomy'),
    comparisons,
    models: modelsFilter,
    allowEmpty,
  })
  .strict();

const geographicSpec = z
  .object({
    dataset: name,
    classifier,
    /** Class → concept(s) map file; identity when omitted (classes are the concepts). */
    conceptMap: z.string().optional(),
    /** Dollar Street's THRESHOLDS. */
    thresholds: z.array(z.number().min(0).max(1)).min(1).default([0]),
    /** vissl: each (label, image) entry on its own, confidences rounded to 5 decimals; paper: one item per image. */
    protocol: z.enum(GEOGRAPHIC_PROTOCOLS).default(DEFAULT_GEOGRAPHIC_PROTOCOL),
    /** vissl's overlapped-images list (.npy or text, one per line): only those images are scored. */
    imagesList: z.string().optional(),
    /** Default: region, income bucket and their intersection. */
    groups: z.array(groupSpec).min(1).optional(),
    missingValues,
    comparisons,
    models: modelsFilter,
    allowEmpty,
  })
  .strict();

const retrievalSpec = z
  .object({
    queries: name,
    database: name,
    attribute: z.string(),
    k: z.array(z.number().int().positive()).default([1, 5, 10, 50]),
    groups: z.array(groupSpec).default([]),
    missingValues,
    comparisons,
    /** Exact blocked GEMM, or an HNSW index whose recall against exact search is reported. */
    search: z.enum(['exact', 'hnsw']).default('exact'),
    recallSample: z.number().int().positive().default(1000),
    threads: z.number().int().positive().optional(),
    models: modelsFilter,
    allowEmpty,
  })
  .strict();

/** How one set of a robustness entry is scored, as in the robustness command's spec. */
const robustnessSetOptions = z
  .object({
    /** Classes the set is scored on (IN-A, IN-R, ObjectNet: present). */
    mask: maskSpec.default('none'),
    /** Dataset label -> model class(es): a JSON file (relative to the spec) or an inline map. */
    labelMap: labelMapSpec.optional(),
    /** Resample jointly with the in-distribution set (items shared by cluster name). */
    paired: z.boolean().default(false),
  })
  .strict();

/** Options every robustness entry shares with the robustness command. */
const robustnessOptions = {
  classifier,
  groups: z.array(groupSpec).default([]),
  /** Where an item's class comes from (default: the probe's label source, or the labels). */
  labelFrom: labelFrom.optional(),
  metrics: z.array(z.enum(ROBUSTNESS_METRICS)).min(1).optional(),
  missingValues,
  models: modelsFilter,
  allowEmpty,
};

const styleShiftSpec = z
  .object({
    /** The in-distribution test set and the shifted sets, scored with one classifier. */
    inDistribution: name,
    shifted: z.array(name).min(1),
    /** Masks, label maps and pairing of the sets, by dataset name. */
    sets: z.record(name, robustnessSetOptions).default({}),
    /** Effective robustness against baseline models of the spec, or published accuracies. */
    effectiveRobustness: effectiveRobustnessSpec.optional(),
    ...robustnessOptions,
  })
  .strict();

const corruptionSpec = z
  .object({
    dataset: name,
    corruptions: z.array(z.string()).min(1),
    severities: z.array(z.number().int().min(1).max(5)).default([1, 2, 3, 4, 5]),
    /** Normalises corruption errors: a model of the spec, published errors, or a JSON file of them. */
    baseline: baselineSpec.optional(),
    ...robustnessOptions,
  })
  .strict();

/**
 * Train a probe on the curated selection and on random selections of the same size (same candidate
 * pool), and score both on a test set, overall and per group (src/curate/evaluate-selection.ts).
 */
const curationEvaluateSpec = probeOptions
  .extend({
    /** Dataset the probes are scored on. */
    test: name,
    groups: z.array(groupSpec).default([]),
    /** Random selections the curated one is compared with. */
    randomDraws: z.number().int().positive().default(5),
  })
  .strict();

const curationSpec = z
  .object({
    dataset: name,
    /** The model whose embeddings define diversity. */
    model: name,
    budget: z.number().int().positive(),
    strategy: z.enum(STRATEGIES as [string, ...string[]]).default('kcenter'),
    /** Attributes whose groups get quotas (any strategy; crossed when several), as --balance. */
    balance: z.array(z.string()).min(1).optional(),
    /** Quota shares: equal (default), exact {value: fraction}, or lower bounds via minShares. */
    shares: z.record(z.number().min(0).max(1)).optional(),
    minShares: z.record(z.number().min(0).max(1)).optional(),
    /** Redistribute a small group's missing items instead of failing. */
    allowShortfall: z.boolean().default(false),
    /** Attributes whose shares are reported when not balancing, as --group. */
    groups: z.array(z.string()).min(1).optional(),
    /** Remove near-duplicates at or above this cosine similarity before selecting. */
    dedupThreshold: z.number().gt(0).max(1).optional(),
    first: z.enum(FIRST_PICKS as [string, ...string[]]).default('random'),
    metric: z.enum(DISTANCE_METRICS as [string, ...string[]]).default('cosine'),
    neighbours: z.number().int().positive().optional(),
    minDistance: z.number().nonnegative().optional(),
    search: z.enum(SEARCH_METHODS as [string, ...string[]]).default('auto'),
    evaluate: curationEvaluateSpec.optional(),
    allowEmpty,
  })
  .strict();

export const auditSpecSchema = z
  .object({
    version: z.literal(1).default(1),
    name: z.string().default('audit'),
    /** One seed for everything random in the run (bootstrap, splits, probe training). */
    seed: z.number().int().nonnegative().default(0),
    bootstrap: z
      .object({
        /** 0 turns intervals (and group tests) off, as --resamples 0. */
        resamples: z.number().int().min(0).default(1000),
        level: z.number().gt(0).lt(1).default(0.95),
        /** Groups with fewer items or clusters are flagged "too small to conclude". */
        minGroupSize: z.number().int().positive().default(30),
        minClusters: z.number().int().positive().default(10),
      })
      .strict()
      .default({}),
    datasets: z.record(name, datasetSpec),
    models: z.record(name, modelSpec),
    probes: z.record(name, probeSpec).default({}),
    indicators: z
      .object({
        'label-association': z.array(labelAssociationSpec).default([]),
        geographic: z.array(geographicSpec).default([]),
        retrieval: z.array(retrievalSpec).default([]),
      })
      .strict()
      .default({}),
    robustness: z
      .object({
        styleShift: z.array(styleShiftSpec).default([]),
        corruptions: z.array(corruptionSpec).default([]),
      })
      .strict()
      .default({}),
    curation: z.array(curationSpec).default([]),
    /** Every entry may score nothing (with a warning), as `fairscope audit --allow-empty`. */
    allowEmpty,
    /** Notes shown in the report header (e.g. "demo data: drawings, not photographs"). */
    notes: z.array(z.string()).default([]),
  })
  .strict();

export type AuditSpec = z.infer<typeof auditSpecSchema>;
export type DatasetSpec = z.infer<typeof datasetSpec>;
export type ProbeSpec = z.infer<typeof probeSpec>;
export type ModelSpec = z.infer<typeof modelSpec>;
export type TrainSpec = z.infer<typeof trainSpec>;
export type CurationEvaluateSpec = z.infer<typeof curationEvaluateSpec>;

/** Probes some evaluation uses, by name. */
export function usedProbes(spec: AuditSpec): Set<string> {
  const evaluated = Object.entries(spec.probes)
    .filter(([, p]) => p.evaluate !== undefined)
    .map(([name]) => `probe:${name}`);
  const classifiers = [
    ...evaluated,
    ...spec.indicators['label-association'].map((s) => s.classifier),
    ...spec.indicators.geographic.map((s) => s.classifier),
    ...spec.robustness.styleShift.map((s) => s.classifier),
    ...spec.robustness.corruptions.map((s) => s.classifier),
  ];
  return new Set(classifiers.filter((c) => c.startsWith('probe:')).map((c) => c.slice(6)));
}

/**
 * Whether the entry at a path (`indicators.retrieval.0`, `probes.p.evaluate.datasets.1`) may score
 * nothing: `allowEmpty: true` on it, on a section above it, or at the top of the spec.
 */
export function allowsEmpty(spec: AuditSpec, entryPath: string): boolean {
  let node: unknown = spec;
  for (const key of ['', ...entryPath.split('.')]) {
    if (key !== '') node = (node as Record<string, unknown> | undefined)?.[key];
    if (node === null || typeof node !== 'object') return false;
    if ((node as { allowEmpty?: unknown }).allowEmpty === true) return true;
  }
  return false;
}

/** Taxonomy names that are not files: the built-in ones and the demo's. */
const BUILTIN_TAXONOMY_NAMES: readonly string[] = [...BUILTIN_TAXONOMIES, 'emoji-demo'];

/** Turns zod issues into one message naming each key path and what was expected. */
function describeIssues(file: string, error: z.ZodError): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length === 0 ? '(top level)' : issue.path.join('.');
    return `  ${path}: ${issue.message}`;
  });
  return `${file}: invalid audit spec:\n${lines.join('\n')}`;
}

/** Checks the references between sections (datasets, probes named by evaluators exist). */
function checkReferences(file: string, spec: AuditSpec): void {
  const problems: string[] = [];
  const datasets = new Set(Object.keys(spec.datasets));
  const probes = new Set(Object.keys(spec.probes));
  const needDataset = (path: string, ds: string) => {
    if (!datasets.has(ds))
      problems.push(`${path}: no dataset "${ds}" (datasets: ${[...datasets].join(', ')})`);
  };
  const needClassifier = (path: string, c: string) => {
    if (c.startsWith('probe:') && !probes.has(c.slice(6))) {
      problems.push(`${path}: no probe "${c.slice(6)}" (probes: ${[...probes].join(', ') || 'none'})`);
    }
  };
  for (const [n, d] of Object.entries(spec.datasets))
    if (d.from !== undefined) needDataset(`datasets.${n}.from`, d.from);
  for (const [n, p] of Object.entries(spec.probes)) needDataset(`probes.${n}.train`, p.train);
  for (const [n, m] of Object.entries(spec.models))
    if (m.train !== undefined) needDataset(`models.${n}.train.dataset`, m.train.dataset);
  spec.indicators['label-association'].forEach((s, i) => {
    needDataset(`indicators.label-association.${i}.dataset`, s.dataset);
    needClassifier(`indicators.label-association.${i}.classifier`, s.classifier);
  });
  spec.indicators.geographic.forEach((s, i) => {
    needDataset(`indicators.geographic.${i}.dataset`, s.dataset);
    needClassifier(`indicators.geographic.${i}.classifier`, s.classifier);
  });
  spec.indicators.retrieval.forEach((s, i) => {
    needDataset(`indicators.retrieval.${i}.queries`, s.queries);
    needDataset(`indicators.retrieval.${i}.database`, s.database);
  });
  spec.robustness.styleShift.forEach((s, i) => {
    needDataset(`robustness.styleShift.${i}.inDistribution`, s.inDistribution);
    s.shifted.forEach((d, j) => {
      needDataset(`robustness.styleShift.${i}.shifted.${j}`, d);
    });
    needClassifier(`robustness.styleShift.${i}.classifier`, s.classifier);
  });
  spec.robustness.corruptions.forEach((s, i) => {
    needDataset(`robustness.corruptions.${i}.dataset`, s.dataset);
    needClassifier(`robustness.corruptions.${i}.classifier`, s.classifier);
  });
  const models = new Set(Object.keys(spec.models));
  spec.curation.forEach((s, i) => {
    needDataset(`curation.${i}.dataset`, s.dataset);
    if (!models.has(s.model))
      problems.push(`curation.${i}.model: no model "${s.model}" (models: ${[...models].join(', ')})`);
    if (s.strategy === 'balanced' && s.balance === undefined)
      problems.push(`curation.${i}.balance: the balanced strategy needs attributes to balance`);
    if ((s.shares !== undefined || s.minShares !== undefined) && s.balance === undefined)
      problems.push(`curation.${i}: shares and minShares need balance`);
    if (s.shares !== undefined && s.minShares !== undefined)
      problems.push(`curation.${i}: give shares or minShares, not both`);
    if (s.evaluate !== undefined) needDataset(`curation.${i}.evaluate.test`, s.evaluate.test);
  });
  const needModels = (path: string, names: readonly string[] | undefined) => {
    for (const m of names ?? [])
      if (!models.has(m)) problems.push(`${path}: no model "${m}" (models: ${[...models].join(', ')})`);
  };
  for (const [n, p] of Object.entries(spec.probes)) {
    needModels(`probes.${n}.models`, p.models);
    p.evaluate?.datasets.forEach((d, j) => {
      needDataset(`probes.${n}.evaluate.datasets.${j}`, d);
    });
  }
  for (const kind of ['label-association', 'geographic', 'retrieval'] as const) {
    spec.indicators[kind].forEach((s, i) => {
      needModels(`indicators.${kind}.${i}.models`, s.models);
    });
  }
  spec.robustness.styleShift.forEach((s, i) => {
    needModels(`robustness.styleShift.${i}.models`, s.models);
    const er = s.effectiveRobustness;
    if (er !== undefined && 'baselines' in er)
      needModels(`robustness.styleShift.${i}.effectiveRobustness.baselines`, er.baselines);
    for (const d of Object.keys(s.sets)) {
      if (d !== s.inDistribution && !s.shifted.includes(d))
        problems.push(`robustness.styleShift.${i}.sets.${d}: not one of this entry's datasets`);
    }
  });
  spec.robustness.corruptions.forEach((s, i) => {
    needModels(`robustness.corruptions.${i}.models`, s.models);
    if (typeof s.baseline === 'string') needModels(`robustness.corruptions.${i}.baseline`, [s.baseline]);
  });
  if (problems.length > 0) throw new UsageError(`${file}: invalid audit spec:\n  ${problems.join('\n  ')}`);
}

/** Parses and validates a spec object; `file` names it in errors and anchors relative paths. */
export function parseAuditSpec(raw: unknown, file: string): AuditSpec {
  const result = auditSpecSchema.safeParse(raw);
  if (!result.success) throw new UsageError(describeIssues(file, result.error));
  const spec = result.data;
  checkReferences(file, spec);
  // Relative file paths in the spec are relative to the spec's folder.
  const base = dirname(resolve(file));
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  for (const d of Object.values(spec.datasets)) {
    if (d.manifest !== undefined) d.manifest = abs(d.manifest);
    if (d.import !== undefined) d.import.inputs = d.import.inputs.map(abs);
  }
  for (const m of Object.values(spec.models)) {
    if (m.model !== undefined && /[/\\]|\.(ya?ml|json)$/.test(m.model)) m.model = abs(m.model);
  }
  for (const la of spec.indicators['label-association']) {
    if (la.labelNames !== undefined) la.labelNames = abs(la.labelNames);
    if (!BUILTIN_TAXONOMY_NAMES.includes(la.taxonomy)) la.taxonomy = abs(la.taxonomy);
  }
  for (const g of spec.indicators.geographic) {
    if (g.conceptMap !== undefined) g.conceptMap = abs(g.conceptMap);
    if (g.imagesList !== undefined) g.imagesList = abs(g.imagesList);
  }
  for (const shift of spec.robustness.styleShift) {
    for (const set of Object.values(shift.sets)) {
      if (typeof set.labelMap === 'string') set.labelMap = abs(set.labelMap);
      if (typeof set.mask === 'object' && 'classesFile' in set.mask)
        set.mask = { classesFile: abs(set.mask.classesFile) };
    }
  }
  for (const c of spec.robustness.corruptions) {
    if (typeof c.baseline === 'object' && 'file' in c.baseline) c.baseline = { file: abs(c.baseline.file) };
  }
  return spec;
}

/** Reads a YAML (or JSON) audit spec file. */
export async function readAuditSpec(file: string): Promise<AuditSpec> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read audit spec ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid YAML: ${(err as Error).message}`);
  }
  return parseAuditSpec(raw, file);
}
