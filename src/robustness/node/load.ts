/**
 * From files to the robustness stage's inputs: the manifests, masks, label maps and corrupted sets
 * a robustness spec names, and each model's prediction folders joined with them (the shared join:
 * a folder may hold more items than a manifest; a manifest item without a prediction is an error
 * unless the folder lists it as failed, or the spec allows missing rows).
 */
import { dirname, join } from 'node:path';
import type { z } from 'zod';
import { InputError } from '../../core/errors.js';
import type { ManifestItem } from '../../core/types.js';
import { readClassList, readJsonFile } from '../../data/files.js';
import { readManifest } from '../../data/manifest.js';
import { joinLoadedStore, readStore } from '../../embed/load.js';
import { EMBEDDINGS_FILE } from '../../embed/store.js';
import { CORRUPT_INFO } from '../../image/node/corrupt-dataset.js';
import { type ClassScores, scoresOfStore } from '../../indicators/class-scores.js';
import type { ClassMap, MaskSpec } from '../labels.js';
import type { RobustnessModel, RobustnessSet, RobustnessStageOptions } from '../stage.js';
import {
  baselineErrorsSpec,
  type baselineSpec,
  type effectiveRobustnessSpec,
  type ResolvedDataset,
  type RobustnessSpec,
} from './spec.js';

/** What the stage needs, plus what the results file records about the inputs. */
export interface LoadedRobustness {
  sets: RobustnessSet[];
  models: RobustnessModel[];
  /** dataset name -> description for results.json. */
  datasetInfo: Record<string, Record<string, unknown>>;
  /** model id -> description for results.json. */
  modelInfo: Record<string, Record<string, unknown>>;
  /** The label sources the prediction folders record (`probe predict` writes its head's). */
  labelSources: Set<string>;
}

/** A label map given inline or as a JSON file: dataset label -> model class name(s). */
export async function loadClassMap(labelMap: ResolvedDataset['labelMap']): Promise<ClassMap | undefined> {
  if (labelMap === undefined) return undefined;
  const raw = typeof labelMap === 'string' ? await readJsonFile(labelMap, 'label map') : labelMap;
  const file = typeof labelMap === 'string' ? labelMap : 'labelMap';
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

/** A mask given as a keyword, an inline class list, or a class-list file. */
export async function loadMask(spec: ResolvedDataset['mask']): Promise<MaskSpec> {
  if (typeof spec === 'string') return spec;
  if ('classes' in spec) return { classes: spec.classes };
  return { classes: await readClassList(spec.classesFile) };
}

/** Deviations `fairscope corrupt` recorded in corrupt.json next to a corrupted manifest. */
export async function corruptionDeviations(manifest: string, corruption: string): Promise<string[]> {
  const info = (await readJsonFile(join(dirname(manifest), CORRUPT_INFO), CORRUPT_INFO).catch(
    () => undefined,
  )) as { corruption?: string; deviation?: string; scaledItems?: number; items?: number } | undefined;
  if (info === undefined) return [];
  const name = info.corruption ?? corruption;
  return [
    ...(info.deviation ? [`robustness: ${name}: ${info.deviation}`] : []),
    ...((info.scaledItems ?? 0) > 0
      ? [
          "robustness: corruption parameters in pixels are scaled to each image's resolution (min(width, height) / 224); ImageNet-C defines them at 224 px.",
        ]
      : []),
  ];
}

/**
 * A prediction folder's class scores for a set's items.
 * @throws InputError when the folder has no logits
 */
export async function loadPredictionScores(
  dir: string,
  set: { name: string; manifest: string; items: readonly ManifestItem[] },
  model: string,
  allowMissing: boolean,
  labelSources?: Set<string>,
): Promise<ClassScores> {
  const store = await readStore(dir);
  if (store.meta.labelFrom !== undefined) labelSources?.add(store.meta.labelFrom);
  if (store.set.logits === undefined) {
    throw new InputError(
      join(dir, EMBEDDINGS_FILE),
      'has no logits column: robustness needs class scores (`fairscope probe predict` writes them)',
      { field: 'logits' },
    );
  }
  const joined = joinLoadedStore(
    set.items,
    store,
    { manifest: set.manifest, dataset: set.name },
    { allowMissing },
  );
  // A folder without a class list: classes are their indices.
  return scoresOfStore(model, joined, { nameByIndex: true });
}

/**
 * A spec's baseline as the stage takes it: a model of the run, or published errors (inline or from
 * a JSON file, checked like the inline form).
 */
export async function loadBaseline(
  baseline: z.infer<typeof baselineSpec> | undefined,
): Promise<RobustnessStageOptions['baseline']> {
  if (baseline === undefined) return undefined;
  if (typeof baseline === 'string') return { model: baseline };
  if (!('file' in baseline)) return baseline;
  const raw = await readJsonFile(baseline.file, 'baseline errors');
  const parsed = baselineErrorsSpec.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new InputError(baseline.file, `baseline errors: ${issue?.message ?? 'invalid'}`, {
      field: issue?.path.join('.') ?? '',
    });
  }
  return parsed.data;
}

/** A spec's effective-robustness choice as the stage takes it. */
export function effectiveRobustnessOf(
  er: z.infer<typeof effectiveRobustnessSpec> | undefined,
): RobustnessStageOptions['effectiveRobustness'] {
  if (er === undefined) return undefined;
  return 'baselines' in er ? { models: er.baselines } : { constants: er.accuracies };
}

/** Reads everything a spec names. */
export async function loadRobustnessInputs(spec: RobustnessSpec): Promise<LoadedRobustness> {
  const manifests = new Map<string, ManifestItem[]>();
  const manifest = async (path: string) => {
    let items = manifests.get(path);
    if (items === undefined) {
      items = await readManifest(path);
      manifests.set(path, items);
    }
    return items;
  };
  const sets: (RobustnessSet & { manifest: string })[] = [];
  const datasetInfo: Record<string, Record<string, unknown>> = {};
  const idPairing = spec.inDistribution;
  for (const d of spec.datasets) {
    const kind = d.name === spec.inDistribution ? 'in-distribution' : 'shift';
    const items = await manifest(d.manifest);
    const classMap = await loadClassMap(d.labelMap);
    sets.push({
      name: d.name,
      manifest: d.manifest,
      kind,
      pairing: kind === 'in-distribution' || d.paired ? idPairing : `shift:${d.name}`,
      items,
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
  for (const s of spec.corruptionSets) {
    const items = await manifest(s.manifest);
    sets.push({
      name: s.name,
      manifest: s.manifest,
      kind: 'corruption',
      corruption: s.corruption,
      severity: s.severity,
      pairing: idPairing,
      items,
      deviations: await corruptionDeviations(s.manifest, s.corruption),
    });
    datasetInfo[s.name] = {
      kind: 'corruption',
      corruption: s.corruption,
      severity: s.severity,
      manifest: s.manifest,
      items: items.length,
    };
  }
  const byName = new Map(sets.map((s) => [s.name, s]));
  const labelSources = new Set<string>();
  const models: RobustnessModel[] = [];
  const modelInfo: Record<string, Record<string, unknown>> = {};
  for (const m of spec.models) {
    const scores = new Map<string, ClassScores>();
    let classes = 0;
    for (const [setName, dir] of m.predictions) {
      const set = byName.get(setName);
      if (set === undefined) continue;
      const s = await loadPredictionScores(dir, set, m.id, spec.allowMissing, labelSources);
      scores.set(setName, s);
      classes = s.classes.length;
    }
    models.push({ id: m.id, scores });
    modelInfo[m.id] = {
      predictions: Object.fromEntries(m.predictions),
      classes,
      adaptation: 'logits from the prediction folders',
    };
  }
  return { sets, models, datasetInfo, modelInfo, labelSources };
}
