/**
 * The audit's robustness step: natural (style) shifts and ImageNet-C corruption sweeps, each scored
 * with the spec's classifier and broken down by group (does a shift widen a disparity?).
 * Corrupted copies of a dataset are written once under OUT/cache/corrupted/ and embedded like any
 * other dataset.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startProgress } from '../cli/progress.js';
import type { FailedItem } from '../core/results.js';
import type { ManifestItem, ResultRow } from '../core/types.js';
import { readManifest } from '../data/manifest.js';
import { corruptDataset } from '../image/corrupt/dataset.js';
import { labelOf, parseLabelSource } from '../probe/dataset.js';
import {
  type EvalDataset,
  type EvalModel,
  type EvalOutcome,
  evaluateRobustness,
} from '../robustness/evaluate.js';
import { topKCorrect } from '../robustness/scoring.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { type ClassScores, classify, type TrainedProbe } from './classifiers.js';
import type { ResolvedDataset } from './datasets.js';
import { embedJobs } from './embeddings.js';
import type { AuditSpec } from './spec.js';

type GroupSpec = string | string[];

export interface RobustnessContext {
  spec: AuditSpec;
  model: string;
  modelSpec: string;
  batch: number;
  outDir: string;
  datasets: ReadonlyMap<string, ResolvedDataset>;
  bootstrap: FrameOptions;
  scores(classifier: string, dataset: string): Promise<ClassScores>;
  probes: ReadonlyMap<string, TrainedProbe>;
  log(line: string): void;
}

export interface RobustnessRun {
  rows: ResultRow[];
  notes: string[];
  deviations: string[];
  failures: FailedItem[];
}

/** The attributes a robustness breakdown uses (intersections are not broken down here). */
function attributesOf(groups: readonly GroupSpec[]): string[] {
  return [...new Set(groups.flatMap((g) => (Array.isArray(g) ? g : [g])))];
}

/** The class each item should get under a classifier: the probe's label source, or the item labels. */
function targetsOf(
  classifier: string,
  probes: ReadonlyMap<string, TrainedProbe>,
  items: readonly ManifestItem[],
): string[][] {
  const probe = probes.get(classifier.replace(/^probe:/, ''));
  const source = probe?.head.source?.labelFrom;
  if (classifier === 'logits' || source === undefined) return items.map((it) => it.labels);
  const parsed = parseLabelSource(source);
  return items.map((it) => {
    const l = labelOf(it, parsed);
    return l === undefined ? [] : [l];
  });
}

/** Top-1/top-5 outcomes of class scores against the items' targets; targets outside the classes are not scored. */
function outcomeOf(
  scores: ClassScores,
  items: readonly ManifestItem[],
  targets: string[][],
  dataset: string,
): EvalOutcome {
  const classIndex = new Map(scores.classes.map((c, i) => [c, i]));
  const rowOf = new Map(scores.items.map((it, i) => [it.id, i]));
  const n = items.length;
  const c = scores.classes.length;
  const scored = new Uint8Array(n);
  const positives: Int32Array[] = [];
  const rows: number[] = [];
  let unknownTargets = 0;
  let missing = 0;
  items.forEach((it, i) => {
    const r = rowOf.get(it.id);
    const pos = Int32Array.from((targets[i] ?? []).map((t) => classIndex.get(t) ?? -1).filter((x) => x >= 0));
    if (r === undefined) missing++;
    else if (pos.length === 0) unknownTargets++;
    else scored[i] = 1;
    positives.push(pos);
    rows.push(r ?? 0);
  });
  const logits = new Float32Array(n * c);
  rows.forEach((r, i) => {
    logits.set(scores.logits.subarray(r * c, (r + 1) * c), i * c);
  });
  const k5 = Math.min(5, c);
  const top1 = topKCorrect(logits, n, c, positives, 1);
  const top5 = topKCorrect(logits, n, c, positives, k5);
  for (let i = 0; i < n; i++) {
    if (scored[i] === 0) {
      top1[i] = 0;
      top5[i] = 0;
    }
  }
  const warnings: string[] = [];
  if (unknownTargets > 0)
    warnings.push(
      `${dataset}: ${unknownTargets} item(s) have a class the classifier cannot predict: not scored`,
    );
  if (missing > 0)
    warnings.push(`${dataset}: ${missing} item(s) have no embedding (failed images): not scored`);
  return { scored, top1, top5, warnings };
}

export async function runRobustness(ctx: RobustnessContext): Promise<RobustnessRun> {
  const out: RobustnessRun = { rows: [], notes: [], deviations: [], failures: [] };
  const { spec, model, bootstrap } = ctx;
  const resample = {
    seed: bootstrap.seed,
    resamples: bootstrap.resamples ?? 1000,
    level: bootstrap.level ?? 0.95,
  };

  for (const shift of spec.robustness.styleShift) {
    const names = [shift.inDistribution, ...shift.shifted];
    const evalSets: EvalDataset[] = [];
    const outcomes = new Map<string, EvalOutcome>();
    for (const name of names) {
      const ds = ctx.datasets.get(name);
      if (ds === undefined) continue;
      const scores = await ctx.scores(shift.classifier, name);
      evalSets.push({
        name,
        kind: name === shift.inDistribution ? 'in-distribution' : 'shift',
        pairing: name,
        items: ds.items,
      });
      outcomes.set(
        name,
        outcomeOf(scores, ds.items, targetsOf(shift.classifier, ctx.probes, ds.items), name),
      );
    }
    const models: EvalModel[] = [{ id: model, outcomes }];
    const result = evaluateRobustness(evalSets, models, {
      inDistribution: shift.inDistribution,
      attributes: attributesOf(shift.groups),
      metrics: ['top1', 'top5', 'accuracy_drop'],
      bootstrap: resample,
      ...(bootstrap.minimumGroupSize === undefined ? {} : { minimumGroupSize: bootstrap.minimumGroupSize }),
    });
    out.rows.push(...result.rows);
    out.notes.push(...result.warnings.map((w) => `robustness (${model}): ${w}`));
  }

  for (const sweep of spec.robustness.corruptions) {
    const clean = ctx.datasets.get(sweep.dataset);
    if (clean === undefined) continue;
    const cleanScores = await ctx.scores(sweep.classifier, sweep.dataset);
    const evalSets: EvalDataset[] = [
      { name: sweep.dataset, kind: 'in-distribution', pairing: 'corruption', items: clean.items },
    ];
    const outcomes = new Map<string, EvalOutcome>([
      [
        sweep.dataset,
        outcomeOf(
          cleanScores,
          clean.items,
          targetsOf(sweep.classifier, ctx.probes, clean.items),
          sweep.dataset,
        ),
      ],
    ]);
    const jobs: {
      name: string;
      corruption: string;
      severity: number;
      manifestPath: string;
      items: ManifestItem[];
    }[] = [];
    const total = sweep.corruptions.length * sweep.severities.length * clean.items.length;
    let progress: ReturnType<typeof startProgress> | undefined;
    for (const corruption of sweep.corruptions) {
      for (const severity of sweep.severities) {
        const name = `${sweep.dataset}~${corruption}-${severity}`;
        const dir = join(ctx.outDir, 'cache', 'corrupted', sweep.dataset, `${corruption}-${severity}`);
        const manifestPath = join(dir, 'manifest.jsonl');
        if (!existsSync(manifestPath)) {
          progress ??= startProgress(`corrupt ${sweep.dataset}`, total);
          const res = await corruptDataset(clean.items, {
            manifest: clean.manifestPath,
            corruption,
            severity,
            seed: spec.seed,
            out: dir,
            onItem: () => progress?.tick(),
          });
          out.failures.push(...res.failures.map((f) => ({ dataset: name, id: f.id, reason: f.reason })));
        }
        jobs.push({ name, corruption, severity, manifestPath, items: await readManifest(manifestPath) });
      }
    }
    progress?.stop();
    const stored = await embedJobs(
      ctx.model,
      ctx.modelSpec,
      jobs.map((j) => ({ dataset: j.name, manifestPath: j.manifestPath, items: j.items })),
      ctx.outDir,
      ctx.batch,
    );
    for (const job of jobs) {
      const s = stored.get(job.name);
      if (s === undefined) continue;
      out.failures.push(...s.failures);
      const scores = await classify(sweep.classifier, ctx.probes, s, job.items);
      evalSets.push({
        name: job.name,
        kind: 'corruption',
        corruption: job.corruption,
        severity: job.severity,
        pairing: 'corruption',
        items: job.items,
      });
      outcomes.set(
        job.name,
        outcomeOf(scores, job.items, targetsOf(sweep.classifier, ctx.probes, job.items), job.name),
      );
    }
    const result = evaluateRobustness(evalSets, [{ id: model, outcomes }], {
      inDistribution: sweep.dataset,
      attributes: attributesOf(sweep.groups),
      metrics: ['top1', 'corruption_error', 'mce', 'relative_mce'],
      bootstrap: resample,
      ...(bootstrap.minimumGroupSize === undefined ? {} : { minimumGroupSize: bootstrap.minimumGroupSize }),
    });
    out.rows.push(...result.rows);
    out.notes.push(...result.warnings.map((w) => `robustness (${model}): ${w}`));
    out.deviations.push(
      'robustness: corruption errors are unnormalised (no AlexNet baseline errors on this data); severity parameters in pixels are scaled to the image resolution.',
    );
  }
  return out;
}
