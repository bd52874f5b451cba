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

const probeSpec = z
  .object({
    /** Dataset the head is trained on (frozen features of each model). */
    train: name,
    /** Where the class comes from: the first label, or an attribute. */
    labelFrom: z.string().default('labels'),
    head: z.enum(['linear', 'bn-linear', 'knn']).default('linear'),
    l2: z.number().nonnegative().default(1e-4),
    maxIter: z.number().int().positive().default(300),
  })
  .strict();

/** Which group comparisons get a test (Holm-adjusted): each group vs the rest, every pair, or none. */
const comparisons = z.enum(['vsRest', 'pairwise', 'none']).default('vsRest');

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
    thresholds: z.array(z.number().min(0).max(1)).default([0, 0.1, 0.3, 0.8]),
    groups: z.array(groupSpec).min(1),
    /** Allow taxonomy labels absent from the class list (with a warning), for small label spaces. */
    partialTaxonomy: z.boolean().default(false),
    /** Per-class prediction rates (protocols.md 3.2) for the taxonomy's classes, every class, or none. */
    perClass: z.enum(['taxonomy', 'all', 'none']).default('taxonomy'),
    comparisons,
  })
  .strict();

const geographicSpec = z
  .object({
    dataset: name,
    classifier,
    /** Class → concept(s) map file; identity when omitted (classes are the concepts). */
    conceptMap: z.string().optional(),
    threshold: z.number().min(0).max(1).default(0),
    groups: z.array(groupSpec).min(1),
    comparisons,
  })
  .strict();

const retrievalSpec = z
  .object({
    queries: name,
    database: name,
    attribute: z.string(),
    k: z.array(z.number().int().positive()).default([1, 5, 10, 50]),
    groups: z.array(groupSpec).default([]),
    comparisons,
  })
  .strict();

const styleShiftSpec = z
  .object({
    /** The in-distribution test set and the shifted sets, scored with one classifier. */
    inDistribution: name,
    shifted: z.array(name).min(1),
    classifier,
    groups: z.array(groupSpec).default([]),
  })
  .strict();

const corruptionSpec = z
  .object({
    dataset: name,
    classifier,
    corruptions: z.array(z.string()).min(1),
    severities: z.array(z.number().int().min(1).max(5)).default([1, 2, 3, 4, 5]),
    groups: z.array(groupSpec).default([]),
  })
  .strict();

/**
 * Train a probe on the curated selection and on random selections of the same size (same candidate
 * pool), and score both on a test set, overall and per group (src/audit/curation-eval.ts).
 */
const curationEvaluateSpec = probeSpec
  .omit({ train: true })
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
    strategy: z.enum(['kcenter', 'balanced', 'typical', 'unique', 'random']).default('balanced'),
    /** Attributes to balance (balanced strategy) or to report shares of. */
    balance: z.array(z.string()).default([]),
    /** Remove near-duplicates above this cosine similarity before selecting. */
    dedupThreshold: z.number().gt(0).max(1).optional(),
    /** Redistribute a small group's missing items instead of failing. */
    allowShortfall: z.boolean().default(false),
    evaluate: curationEvaluateSpec.optional(),
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
        resamples: z.number().int().min(100).default(1000),
        level: z.number().gt(0).lt(1).default(0.95),
        minGroupSize: z.number().int().positive().default(30),
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
    if (s.strategy === 'balanced' && s.balance.length === 0)
      problems.push(`curation.${i}.balance: the balanced strategy needs attributes to balance`);
    if (s.evaluate !== undefined) needDataset(`curation.${i}.evaluate.test`, s.evaluate.test);
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
