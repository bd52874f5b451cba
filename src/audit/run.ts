/**
 * `fairscope audit`: one spec → datasets → the whole spec checked against them and the models'
 * declarations (preflight.ts) → embeddings (cached, resumable) → probes → indicators and robustness
 * → no entry left empty unless allowed (core/scored.ts) → results.json → report. A finished output
 * folder whose results were computed from the same spec is not recomputed: only missing report
 * files are written again.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { canonicalJson, stableHash } from '../core/hash.js';
import { emptyResults, type ResultsFile } from '../core/results.js';
import {
  EMPTY_ENTRIES,
  type EmptyEntry,
  type EntryResult,
  emptyEntries,
  recordedEmptyEntries,
  requireScored,
} from '../core/scored.js';
import {
  mergeStageResults,
  noProgress,
  type StageResult,
  type StartProgress,
  stageResult,
} from '../core/stage.js';
import type { EmbeddedItems } from '../embed/join.js';
import { joinLoadedStore, type LoadedStore } from '../embed/load.js';
import type { ClassScores } from '../indicators/class-scores.js';
import { BUILTIN_MODELS } from '../models/registry.js';
import { loadResults, writeResultsFile } from '../report/node/results-file.js';
import { writeReportFiles } from '../report/node/write.js';
import { classScores, type TrainedProbe, trainProbe } from './classifiers.js';
import { runCurationEntry } from './curation.js';
import { type ResolvedDataset, resolveDatasets } from './datasets.js';
import { embedJobs, resetStaleModelCache } from './embeddings.js';
import { appliesTo, runIndicators } from './indicators.js';
import { checkAudit } from './preflight.js';
import { RobustnessScores } from './robustness.js';
import { type AuditSpec, allowsEmpty, usedProbes } from './spec.js';
import type { TrainedModel, TrainingInfo } from './train-models.js';

export const AUDIT_VERSION = 1;

export interface AuditOptions {
  /** Output folder: results.json, report.html, summary.md, results.parquet, cache/. */
  outDir: string;
  /** Folder that relative paths of the spec were written against. */
  specDir: string;
  /** Recompute the results even when results.json matches the spec (embeddings stay cached). */
  force?: boolean;
  modelCard?: boolean;
  /** Every entry may score nothing: a warning instead of an error (`--allow-empty`). */
  allowEmpty?: boolean;
  /** Extra fields for results.datasets (credits, notes), by dataset name. */
  datasetInfo?: Record<string, Record<string, unknown>>;
  log?: (line: string) => void;
  /** Progress of long steps (embedding, corrupting, training); the CLI draws bars. */
  progress?: StartProgress;
}

export interface AuditRun {
  results: ResultsFile;
  /** True when results.json was reused. */
  reused: boolean;
  /** A warning line per entry that scored nothing, allowed by --allow-empty or the spec. */
  emptyWarnings: string[];
  files: { results: string; html: string; summary: string; parquet?: string; modelCard?: string };
}

function modelInfo(
  name: string,
  model: string,
  training: TrainingInfo | undefined,
  provider: string,
  dim: number,
  probes: TrainedProbe[],
) {
  const builtin = (BUILTIN_MODELS as Record<string, (typeof BUILTIN_MODELS)[keyof typeof BUILTIN_MODELS]>)[
    model
  ];
  return {
    name,
    model,
    ...(training === undefined ? {} : { training }),
    provider,
    embeddingDim: dim,
    adaptation: probes.length > 0 ? 'linear-probe' : 'zero-shot-logits',
    adaptationDetail: probes.map((p) => `${p.name}: ${p.detail}`).join('; ') || "the model's own logits",
    ...(builtin === undefined
      ? {}
      : {
          source: `${builtin.source.package}@${builtin.source.version} (${builtin.source.upstream})`,
          license: builtin.source.licence,
          summary: builtin.summary,
          preprocessNotes: builtin.notes,
        }),
  };
}

/** Runs the whole audit of a spec. */
export async function runAudit(spec: AuditSpec, opts: AuditOptions): Promise<AuditRun> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const progress = opts.progress ?? noProgress;
  const outDir = resolve(opts.outDir);
  const resultsPath = join(outDir, 'results.json');
  const specHash = stableHash({ spec, auditVersion: AUDIT_VERSION });

  if (!opts.force && existsSync(resultsPath)) {
    const previous = await loadResults(resultsPath).catch(() => undefined);
    if (previous !== undefined && previous.extra.specHash === specHash) {
      // An earlier run's --allow-empty does not carry over: its empty entries need this run's too.
      const emptyWarnings = checkEmpty(spec, recordedEmptyEntries(previous.extra), opts.allowEmpty ?? false);
      const files = await writeMissingReport(previous, outDir, opts.modelCard ?? false);
      log(`audit: ${resultsPath} is up to date with the spec; nothing recomputed`);
      return { results: previous, reused: true, emptyWarnings, files: { results: resultsPath, ...files } };
    }
  }

  log(`audit "${spec.name}": resolving ${Object.keys(spec.datasets).length} datasets`);
  const datasets = await resolveDatasets(spec, outDir);
  // Models the audit trains: their modules are loaded only when the spec has some.
  const training = Object.values(spec.models).some((m) => m.train !== undefined)
    ? await import('./train-models.js')
    : undefined;
  // The whole spec against the datasets and the models' declarations, before any work.
  await checkAudit(spec, datasets, training?.trainedModelProblems(spec, datasets));
  const roots = new Map<string, ResolvedDataset>();
  for (const ds of datasets.values()) {
    if (ds.root === ds.name) roots.set(ds.name, ds);
  }
  const results = emptyResults();
  const stages: StageResult[] = [];
  /** Each evaluator entry's result, in `stages` too (in order). */
  const entries: EntryResult[] = [];
  const addEntries = (done: readonly EntryResult[]) => {
    entries.push(...done);
    stages.push(...done.map((e) => e.result));
  };
  const bootstrap = {
    seed: spec.seed,
    resamples: spec.bootstrap.resamples,
    level: spec.bootstrap.level,
    minimumGroupSize: { items: spec.bootstrap.minGroupSize, clusters: spec.bootstrap.minClusters },
  };
  const probeNames = usedProbes(spec);
  const robustness = new RobustnessScores(spec, datasets, outDir, progress);

  for (const [modelName, modelSpec] of Object.entries(spec.models)) {
    let trained: TrainedModel | undefined;
    if (modelSpec.train !== undefined && training !== undefined) {
      const trainSet = datasets.get(modelSpec.train.dataset);
      if (trainSet === undefined) throw new Error(`no dataset ${modelSpec.train.dataset}`);
      trained = await training.prepareTrainedModel({
        name: modelName,
        train: modelSpec.train,
        specSeed: spec.seed,
        dataset: trainSet,
        outDir,
        log,
        progress,
      });
    }
    const model = trained?.modelPath ?? (modelSpec.model as string);
    log(`audit: model ${modelName} (${model})`);
    if (await resetStaleModelCache(outDir, modelName, trained?.modelId ?? `model:${model}`, !trained))
      log(`audit: model ${modelName} changed: its cached embeddings and probes were dropped`);
    const jobs = [...roots.values()].map((r) => ({
      dataset: r.name,
      manifestPath: r.manifestPath,
      items: r.items,
    }));
    const stored = await embedJobs(modelName, model, jobs, outDir, modelSpec.batch, progress);
    const storeOf = (dataset: string): LoadedStore => {
      const root = datasets.get(dataset)?.root ?? dataset;
      const s = stored.get(root);
      if (s === undefined) throw new Error(`no embeddings for dataset ${dataset}`);
      return s;
    };
    const embeddedCache = new Map<string, EmbeddedItems>();
    const embedded = (dataset: string): EmbeddedItems => {
      let e = embeddedCache.get(dataset);
      if (e === undefined) {
        const ds = datasets.get(dataset) as ResolvedDataset;
        e = joinLoadedStore(ds.items, storeOf(dataset), { manifest: ds.manifestPath, dataset });
        embeddedCache.set(dataset, e);
      }
      return e;
    };
    // Failed images of every root, once.
    for (const r of roots.values())
      stages.push({ rows: [], deviations: [], notes: [], failures: embedded(r.name).excluded });

    const probes = new Map<string, TrainedProbe>();
    for (const name of [...probeNames].sort()) {
      const p = spec.probes[name];
      if (p === undefined || !appliesTo(p, modelName) || datasets.get(p.train) === undefined) continue;
      log(
        `audit: training probe ${name} on ${embedded(p.train).items.length} ${p.train} images (${modelName})`,
      );
      probes.set(name, await trainProbe(name, p, modelName, embedded(p.train), outDir, spec.seed));
    }
    const scoreCache = new Map<string, Promise<ClassScores>>();
    const scores = (classifier: string, dataset: string): Promise<ClassScores> => {
      const key = `${classifier}\u0000${dataset}`;
      let s = scoreCache.get(key);
      if (s === undefined) {
        s = classScores(classifier, probes, modelName, embedded(dataset));
        scoreCache.set(key, s);
      }
      return s;
    };

    log(`audit: indicators (${modelName})`);
    addEntries(await runIndicators({ spec, model: modelName, bootstrap, scores, embedded, probes }));
    await robustness.collect({
      model: modelName,
      probes,
      scores,
      classScores: (classifier, data) => classScores(classifier, probes, modelName, data),
      embedCorrupted: (corruptedJobs) =>
        embedJobs(modelName, model, corruptedJobs, outDir, modelSpec.batch, progress),
    });

    for (const [i, cur] of spec.curation.entries()) {
      if (cur.model !== modelName) continue;
      log(
        `audit: curating ${cur.budget} of ${embedded(cur.dataset).items.length} ${cur.dataset} images (${cur.strategy}, ${modelName})`,
      );
      addEntries([
        {
          entry: `curation.${i}`,
          models: [modelName],
          result: await runCurationEntry(cur, modelName, embedded, spec.seed, bootstrap),
        },
      ]);
    }

    const first = stored.values().next().value as LoadedStore | undefined;
    results.models[modelName] = modelInfo(
      modelName,
      model,
      trained?.info,
      first?.meta.provider ?? 'unknown',
      first?.set.dim ?? 0,
      [...probes.values()],
    );
  }
  log('audit: robustness');
  const shifts = await robustness.evaluate(bootstrap);
  addEntries(shifts.entries);
  stages.push(stageResult({ failures: shifts.failures }));
  const empty = entries.flatMap(emptyEntries);
  const emptyWarnings = checkEmpty(spec, empty, opts.allowEmpty ?? false);
  const merged = mergeStageResults(stages);

  for (const [name, ds] of datasets) {
    results.datasets[name] = {
      name,
      images: ds.items.length,
      ...(ds.root === name ? { manifest: ds.manifestPath } : { subsetOf: ds.root }),
      ...(ds.credit === undefined ? {} : { source: ds.credit }),
      ...(opts.datasetInfo?.[name] ?? {}),
    };
  }
  results.rows = merged.rows;
  results.failures = merged.failures;
  results.deviations = merged.deviations;
  results.extra = {
    specHash,
    specName: spec.name,
    spec: JSON.parse(canonicalJson(spec)),
    notes: [...spec.notes, ...merged.notes],
    ...(empty.length === 0 ? {} : { [EMPTY_ENTRIES]: empty }),
    protocol: {
      bootstrap: `${spec.bootstrap.resamples} clustered bootstrap resamples, ${Math.round(spec.bootstrap.level * 100)}% percentile intervals, seed ${spec.seed}`,
      smallGroups: `warning below ${spec.bootstrap.minGroupSize} images or ${spec.bootstrap.minClusters} clusters`,
    },
  };
  await writeResultsFile(resultsPath, results);
  const files = await writeReportFiles(results, outDir, {
    parquet: true,
    modelCard: opts.modelCard ?? false,
  });
  log(`audit: wrote ${resultsPath}, ${files.html}`);
  return { results, reused: false, emptyWarnings, files: { results: resultsPath, ...files } };
}

/**
 * The rule of no empty success over the audit's entries: an error listing those the spec and the
 * command line do not allow to be empty, else a warning line per empty entry.
 */
function checkEmpty(spec: AuditSpec, empty: readonly EmptyEntry[], allowAll: boolean): string[] {
  return requireScored(
    empty,
    (e) => allowAll || allowsEmpty(spec, e.entry),
    'pass --allow-empty (or set allowEmpty: true on the entry)',
  );
}

async function writeMissingReport(results: ResultsFile, outDir: string, modelCard: boolean) {
  const html = join(outDir, 'report.html');
  const summary = join(outDir, 'summary.md');
  const parquet = join(outDir, 'results.parquet');
  const card = join(outDir, 'model-card.md');
  if (![html, summary, parquet].every(existsSync) || (modelCard && !existsSync(card))) {
    return writeReportFiles(results, outDir, { parquet: true, modelCard });
  }
  return { html, summary, parquet, ...(modelCard ? { modelCard: card } : {}) };
}

/** The folder of a spec file (relative paths in it resolve there). */
export function specFolder(specPath: string): string {
  return dirname(resolve(specPath));
}
