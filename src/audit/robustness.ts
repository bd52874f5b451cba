/**
 * The audit's robustness entries: natural (style) shifts and ImageNet-C corruption sweeps. Each
 * model's class scores on the entry's sets are collected while the model is loaded (corrupted copies
 * are written once under OUT/cache/corrupted/ and embedded like any other dataset); once every model
 * is scored, each entry goes to the robustness stage (src/robustness/stage.ts, the function
 * `fairscope robustness` calls) with all models together, so that effective robustness can be fitted
 * over baseline models and corruption errors normalised by a baseline model.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EntryResult } from '../core/scored.js';
import { noProgress, type StartProgress } from '../core/stage.js';
import type { FailedItem, ManifestItem } from '../core/types.js';
import { readManifest } from '../data/manifest.js';
import type { EmbeddedItems } from '../embed/join.js';
import type { LoadedStore } from '../embed/load.js';
import { joinLoadedStore } from '../embed/load.js';
import { corruptDataset } from '../image/node/corrupt-dataset.js';
import type { ClassScores } from '../indicators/class-scores.js';
import {
  corruptionDeviations,
  effectiveRobustnessOf,
  loadBaseline,
  loadClassMap,
  loadMask,
} from '../robustness/node/load.js';
import { evaluateRobustnessStage, type RobustnessModel, type RobustnessSet } from '../robustness/stage.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import type { TrainedProbe } from './classifiers.js';
import type { ResolvedDataset } from './datasets.js';
import { appliesTo } from './indicators.js';
import type { AuditSpec } from './spec.js';

type GroupSpec = string | readonly string[];
type ShiftEntry = AuditSpec['robustness']['styleShift'][number];
type CorruptionEntry = AuditSpec['robustness']['corruptions'][number];

/** The attributes a robustness breakdown uses (intersections are not broken down here). */
export function attributesOf(groups: readonly GroupSpec[]): string[] {
  return [...new Set(groups.flatMap((g) => (typeof g === 'string' ? [g] : [...g])))];
}

/** The label source of an entry: its own, else its probe's, else the labels. */
function labelFromOf(
  entry: { labelFrom?: string | undefined; classifier: string },
  probes: ReadonlyMap<string, TrainedProbe>,
): string {
  if (entry.labelFrom !== undefined) return entry.labelFrom;
  const probe = probes.get(entry.classifier.replace(/^probe:/, ''));
  return probe?.head.source?.labelFrom ?? 'labels';
}

/** One corrupted copy of a dataset, written under OUT/cache/corrupted/. */
interface CorruptedSet {
  name: string;
  corruption: string;
  severity: number;
  manifestPath: string;
  items: ManifestItem[];
}

/** Scores of every model on every entry's sets, gathered model by model. */
export class RobustnessScores {
  /** entry key ('shift:0', 'corruption:0') -> model -> set name -> scores. */
  private readonly scores = new Map<string, Map<string, Map<string, ClassScores>>>();
  private readonly labelFrom = new Map<string, string>();
  private readonly corrupted = new Map<number, CorruptedSet[]>();
  private readonly failures: FailedItem[] = [];

  constructor(
    private readonly spec: AuditSpec,
    private readonly datasets: ReadonlyMap<string, ResolvedDataset>,
    private readonly outDir: string,
    private readonly startProgress: StartProgress = noProgress,
  ) {}

  private put(key: string, model: string, set: string, s: ClassScores): void {
    let byModel = this.scores.get(key);
    if (byModel === undefined) {
      byModel = new Map();
      this.scores.set(key, byModel);
    }
    let bySet = byModel.get(model);
    if (bySet === undefined) {
      bySet = new Map();
      byModel.set(model, bySet);
    }
    bySet.set(set, s);
  }

  /** The corrupted copies of a corruption entry's dataset, written once for every model. */
  private async corruptedSets(index: number, entry: CorruptionEntry): Promise<CorruptedSet[]> {
    const done = this.corrupted.get(index);
    if (done !== undefined) return done;
    const clean = this.datasets.get(entry.dataset) as ResolvedDataset;
    const total = entry.corruptions.length * entry.severities.length * clean.items.length;
    let progress: ReturnType<StartProgress> | undefined;
    const sets: CorruptedSet[] = [];
    for (const corruption of entry.corruptions) {
      for (const severity of entry.severities) {
        const name = `${entry.dataset}~${corruption}-${severity}`;
        const dir = join(this.outDir, 'cache', 'corrupted', entry.dataset, `${corruption}-${severity}`);
        const manifestPath = join(dir, 'manifest.jsonl');
        if (!existsSync(manifestPath)) {
          progress ??= this.startProgress(`corrupt ${entry.dataset}`, total);
          const res = await corruptDataset(clean.items, {
            manifest: clean.manifestPath,
            corruption,
            severity,
            seed: this.spec.seed,
            out: dir,
            onItem: () => progress?.tick(),
          });
          this.failures.push(...res.failures.map((f) => ({ dataset: name, id: f.id, reason: f.reason })));
        }
        sets.push({ name, corruption, severity, manifestPath, items: await readManifest(manifestPath) });
      }
    }
    progress?.stop();
    this.corrupted.set(index, sets);
    return sets;
  }

  /**
   * Gathers one model's scores on every robustness set it is audited on.
   * @param embedCorrupted embeds corrupted copies with this model: set name -> store
   */
  async collect(ctx: {
    model: string;
    probes: ReadonlyMap<string, TrainedProbe>;
    scores(classifier: string, dataset: string): Promise<ClassScores>;
    embedCorrupted(
      jobs: { dataset: string; manifestPath: string; items: ManifestItem[] }[],
    ): Promise<Map<string, LoadedStore>>;
    classScores(classifier: string, data: EmbeddedItems): Promise<ClassScores>;
  }): Promise<void> {
    const { model } = ctx;
    for (const [i, shift] of this.spec.robustness.styleShift.entries()) {
      if (!appliesTo(shift, model)) continue;
      const key = `shift:${i}`;
      this.labelFrom.set(key, labelFromOf(shift, ctx.probes));
      for (const name of [shift.inDistribution, ...shift.shifted]) {
        this.put(key, model, name, await ctx.scores(shift.classifier, name));
      }
    }
    for (const [i, sweep] of this.spec.robustness.corruptions.entries()) {
      if (!appliesTo(sweep, model)) continue;
      const key = `corruption:${i}`;
      this.labelFrom.set(key, labelFromOf(sweep, ctx.probes));
      this.put(key, model, sweep.dataset, await ctx.scores(sweep.classifier, sweep.dataset));
      const sets = await this.corruptedSets(i, sweep);
      const stores = await ctx.embedCorrupted(
        sets.map((s) => ({ dataset: s.name, manifestPath: s.manifestPath, items: s.items })),
      );
      for (const s of sets) {
        const store = stores.get(s.name);
        if (store === undefined) continue;
        const data = joinLoadedStore(s.items, store, { manifest: s.manifestPath, dataset: s.name });
        this.put(key, model, s.name, await ctx.classScores(sweep.classifier, data));
      }
    }
  }

  private modelsOf(key: string): RobustnessModel[] {
    return [...(this.scores.get(key) ?? new Map<string, Map<string, ClassScores>>())].map(([id, scores]) => ({
      id,
      scores,
    }));
  }

  /**
   * Every entry through the robustness stage, with all models together, each with its entry path;
   * and the images that could not be corrupted.
   */
  async evaluate(bootstrap: FrameOptions): Promise<{ entries: EntryResult[]; failures: FailedItem[] }> {
    const results: EntryResult[] = [];
    const resample = {
      seed: bootstrap.seed,
      resamples: bootstrap.resamples ?? 1000,
      level: bootstrap.level ?? 0.95,
    };
    const common = (entry: ShiftEntry | CorruptionEntry, key: string) => ({
      attributes: attributesOf(entry.groups),
      labelFrom: this.labelFrom.get(key) ?? 'labels',
      ...(entry.metrics === undefined ? {} : { metrics: entry.metrics }),
      ...(entry.missingValues === undefined ? {} : { missingValues: entry.missingValues }),
      bootstrap: resample,
      ...(bootstrap.minimumGroupSize === undefined ? {} : { minimumGroupSize: bootstrap.minimumGroupSize }),
    });
    for (const [i, shift] of this.spec.robustness.styleShift.entries()) {
      const key = `shift:${i}`;
      const models = this.modelsOf(key);
      if (models.length === 0) continue;
      const sets: RobustnessSet[] = [];
      for (const name of [shift.inDistribution, ...shift.shifted]) {
        const options = shift.sets[name];
        const classMap = await loadClassMap(options?.labelMap);
        const kind = name === shift.inDistribution ? 'in-distribution' : 'shift';
        sets.push({
          name,
          kind,
          pairing: kind === 'in-distribution' || options?.paired ? shift.inDistribution : `shift:${name}`,
          items: (this.datasets.get(name) as ResolvedDataset).items,
          mask: await loadMask(options?.mask ?? 'none'),
          ...(classMap === undefined ? {} : { classMap }),
        });
      }
      const effectiveRobustness = effectiveRobustnessOf(shift.effectiveRobustness);
      results.push({
        entry: `robustness.styleShift.${i}`,
        models: models.map((m) => m.id),
        result: evaluateRobustnessStage(sets, models, {
          inDistribution: shift.inDistribution,
          ...common(shift, key),
          ...(effectiveRobustness === undefined ? {} : { effectiveRobustness }),
        }),
      });
    }
    for (const [i, sweep] of this.spec.robustness.corruptions.entries()) {
      const key = `corruption:${i}`;
      const models = this.modelsOf(key);
      if (models.length === 0) continue;
      const corrupted = this.corrupted.get(i) ?? [];
      const sets: RobustnessSet[] = [
        {
          name: sweep.dataset,
          kind: 'in-distribution',
          pairing: sweep.dataset,
          items: (this.datasets.get(sweep.dataset) as ResolvedDataset).items,
        },
      ];
      for (const c of corrupted) {
        sets.push({
          name: c.name,
          kind: 'corruption',
          corruption: c.corruption,
          severity: c.severity,
          pairing: sweep.dataset,
          items: c.items,
          deviations: await corruptionDeviations(c.manifestPath, c.corruption),
        });
      }
      const baseline = await loadBaseline(sweep.baseline);
      results.push({
        entry: `robustness.corruptions.${i}`,
        models: models.map((m) => m.id),
        result: evaluateRobustnessStage(sets, models, {
          inDistribution: sweep.dataset,
          ...common(sweep, key),
          ...(baseline === undefined ? {} : { baseline }),
        }),
      });
    }
    return { entries: results, failures: [...this.failures] };
  }
}
