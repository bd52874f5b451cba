/**
 * From files to outcomes: reads the manifests and the prediction folders of a robustness spec,
 * scores every item (top-1/top-5 with the set's mask and label sets), and records the items that
 * have no prediction (failures.jsonl of the folder) instead of guessing.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { InputError } from '../core/errors.js';
import type { FailedItem } from '../core/results.js';
import type { ManifestItem } from '../core/types.js';
import { readManifest } from '../data/manifest.js';
import { EMBEDDINGS_FILE, readEmbeddings, readFailures } from '../embed/store.js';
import type { EvalDataset, EvalModel, EvalOutcome } from './evaluate.js';
import { buildTargets, type ClassMap, classMask, type MaskSpec, targetWarnings } from './labels.js';
import { topKCorrect } from './scoring.js';
import type { ResolvedDataset, RobustnessSpec } from './spec.js';

/** What the evaluation needs, plus what the results file records about the inputs. */
export interface LoadedInputs {
  datasets: EvalDataset[];
  models: EvalModel[];
  failures: FailedItem[];
  /** dataset name -> description for results.json. */
  datasetInfo: Record<string, Record<string, unknown>>;
  /** model id -> description for results.json. */
  modelInfo: Record<string, Record<string, unknown>>;
  /** Deviations recorded by `fairscope corrupt` next to the corrupted manifests. */
  deviations: string[];
}

/** Class names of a prediction folder: meta.json's classes, or "0".."C-1" when it has none. */
function classNames(classes: string[] | undefined, count: number): string[] {
  return classes ?? Array.from({ length: count }, (_, i) => String(i));
}

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InputError(path, `cannot read ${what}: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError(path, `invalid JSON: ${(err as Error).message}`);
  }
}

async function loadClassMap(spec: ResolvedDataset): Promise<ClassMap | undefined> {
  if (spec.labelMap === undefined) return undefined;
  const raw = typeof spec.labelMap === 'string' ? await readJson(spec.labelMap, 'label map') : spec.labelMap;
  const file = typeof spec.labelMap === 'string' ? spec.labelMap : 'labelMap';
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InputError(file, 'must map dataset labels to a model class name or a list of them');
  }
  const out: Record<string, string[]> = {};
  for (const [label, v] of Object.entries(raw as Record<string, unknown>)) {
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
      throw new InputError(file, `must be a class name or a list of class names, got ${JSON.stringify(v)}`, {
        field: label,
      });
    }
    out[label] = list as string[];
  }
  return out;
}

async function loadMask(spec: ResolvedDataset['mask']): Promise<MaskSpec> {
  if (typeof spec === 'string') return spec;
  if ('classes' in spec) return { classes: spec.classes };
  const text = await readFile(spec.classesFile, 'utf8').catch((err: Error) => {
    throw new InputError(spec.classesFile, `cannot read class list: ${err.message}`);
  });
  const classes = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  if (classes.length === 0)
    throw new InputError(spec.classesFile, 'the class list is empty (one class name per line)');
  return { classes };
}

interface DatasetPlan {
  dataset: EvalDataset;
  mask: MaskSpec;
  classMap?: ClassMap;
}

/**
 * Scores one model's predictions on one dataset.
 * @returns the outcome aligned with the dataset's items, and the items without a prediction
 */
export async function scorePredictions(
  dir: string,
  plan: DatasetPlan,
  model: string,
): Promise<{ outcome: EvalOutcome; failures: FailedItem[]; classes: number }> {
  const set = await readEmbeddings(dir);
  const file = join(dir, EMBEDDINGS_FILE);
  if (set.logits === undefined) {
    throw new InputError(
      file,
      'has no logits column: robustness needs class scores (`fairscope probe predict` writes them)',
      {
        field: 'logits',
      },
    );
  }
  const c = set.logits.length / Math.max(1, set.ids.length);
  if (set.ids.length > 0 && !Number.isInteger(c))
    throw new InputError(file, 'logits do not divide evenly into rows', { field: 'logits' });
  const classes = classNames(set.classes, set.ids.length > 0 ? c : (set.classes?.length ?? 0));
  const rowOf = new Map(set.ids.map((id, i) => [id, i]));
  const failed = new Map((await readFailures(dir)).map((f) => [f.id, f.reason]));
  const { items } = plan.dataset;
  const targets = buildTargets(
    items.map((it) => it.labels),
    classes,
    plan.classMap,
  );
  const masked = classMask(plan.mask, classes, targets);
  const scored = new Uint8Array(items.length);
  const failures: FailedItem[] = [];
  let missing = 0;
  const rows: number[] = [];
  const positions: number[] = [];
  items.forEach((item, i) => {
    const row = rowOf.get(item.id);
    if (row === undefined) {
      const reason = failed.get(item.id);
      if (reason !== undefined)
        failures.push({ dataset: plan.dataset.name, id: item.id, reason: `${model}: ${reason}` });
      else missing++;
      return;
    }
    if (targets.scorable[i] !== 1) return;
    scored[i] = 1;
    rows.push(row);
    positions.push(i);
  });
  const n = rows.length;
  const logits = new Float32Array(n * classes.length);
  const all = set.logits;
  const c0 = classes.length;
  for (const [j, row] of rows.entries()) logits.set(all.subarray(row * c0, (row + 1) * c0), j * c0);
  const positives = positions.map((i) => targets.positives[i] as Int32Array);
  let hits1: Uint8Array;
  let hits5: Uint8Array;
  try {
    hits1 = topKCorrect(logits, n, classes.length, positives, 1, masked.mask);
    hits5 = topKCorrect(logits, n, classes.length, positives, 5, masked.mask);
  } catch (err) {
    throw new InputError(file, (err as Error).message, { field: 'logits' });
  }
  const top1 = new Uint8Array(items.length);
  const top5 = new Uint8Array(items.length);
  positions.forEach((i, j) => {
    top1[i] = hits1[j] as number;
    top5[i] = hits5[j] as number;
  });
  const warnings = targetWarnings(plan.dataset.name, targets, masked);
  if (failures.length > 0)
    warnings.push(
      `${plan.dataset.name}: ${failures.length} items failed to embed for ${model} and are left out (see failures)`,
    );
  if (missing > 0)
    warnings.push(
      `${plan.dataset.name}: ${missing} items have no prediction from ${model} in ${dir} and are left out`,
    );
  const known = new Set(items.map((it) => it.id));
  const extra = set.ids.filter((id) => !known.has(id)).length;
  if (extra > 0)
    warnings.push(
      `${plan.dataset.name}: ${extra} predictions of ${model} are for ids not in the manifest; ignored`,
    );
  return { outcome: { scored, top1, top5, warnings }, failures, classes: classes.length };
}

/** Reads everything a spec names. */
export async function loadInputs(spec: RobustnessSpec): Promise<LoadedInputs> {
  const manifests = new Map<string, ManifestItem[]>();
  const manifest = async (path: string) => {
    let items = manifests.get(path);
    if (items === undefined) {
      items = await readManifest(path);
      manifests.set(path, items);
    }
    return items;
  };
  const plans = new Map<string, DatasetPlan>();
  const datasetInfo: Record<string, Record<string, unknown>> = {};
  const idPairing = spec.inDistribution;
  for (const d of spec.datasets) {
    const kind = d.name === spec.inDistribution ? 'in-distribution' : 'shift';
    const items = await manifest(d.manifest);
    const classMap = await loadClassMap(d);
    plans.set(d.name, {
      dataset: {
        name: d.name,
        kind,
        pairing: kind === 'in-distribution' || d.paired ? idPairing : `shift:${d.name}`,
        items,
      },
      mask: await loadMask(d.mask),
      ...(classMap === undefined ? {} : { classMap }),
    });
    datasetInfo[d.name] = {
      kind,
      manifest: d.manifest,
      items: items.length,
      mask:
        typeof d.mask === 'string'
          ? d.mask
          : 'classes' in d.mask
            ? `${d.mask.classes.length} classes`
            : d.mask.classesFile,
      resampled: kind === 'in-distribution' || d.paired ? 'with the in-distribution set' : 'independently',
    };
  }
  const deviations = new Set<string>();
  for (const s of spec.corruptionSets) {
    const items = await manifest(s.manifest);
    plans.set(s.name, {
      dataset: {
        name: s.name,
        kind: 'corruption',
        corruption: s.corruption,
        severity: s.severity,
        pairing: idPairing,
        items,
      },
      mask: 'none',
    });
    datasetInfo[s.name] = {
      kind: 'corruption',
      corruption: s.corruption,
      severity: s.severity,
      manifest: s.manifest,
      items: items.length,
    };
    const info = (await readJson(join(dirname(s.manifest), 'corrupt.json'), 'corrupt.json').catch(
      () => undefined,
    )) as { corruption?: string; deviation?: string } | undefined;
    if (info?.deviation) deviations.add(`${info.corruption ?? s.corruption}: ${info.deviation}`);
  }
  const models: EvalModel[] = [];
  const modelInfo: Record<string, Record<string, unknown>> = {};
  const failures: FailedItem[] = [];
  for (const m of spec.models) {
    const outcomes = new Map<string, EvalOutcome>();
    let classes = 0;
    for (const [datasetName, dir] of m.predictions) {
      const plan = plans.get(datasetName);
      if (plan === undefined) continue;
      const scored = await scorePredictions(dir, plan, m.id);
      outcomes.set(datasetName, scored.outcome);
      failures.push(...scored.failures);
      classes = scored.classes;
    }
    models.push({ id: m.id, outcomes });
    modelInfo[m.id] = {
      predictions: Object.fromEntries(m.predictions),
      classes,
      adaptation: 'logits from the prediction folders',
    };
  }
  return {
    datasets: [...plans.values()].map((p) => p.dataset),
    models,
    failures,
    datasetInfo,
    modelInfo,
    deviations: [...deviations],
  };
}
