/**
 * The audit's Fairness Indicators and probe evaluations: each spec entry is loaded and handed to its
 * stage (src/indicators/*-stage.ts, src/probe/stage.ts), the same function its command calls, with
 * the same options and defaults.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EntryResult } from '../core/scored.js';
import type { StageResult } from '../core/stage.js';
import { readJsonFile } from '../data/files.js';
import type { EmbeddedItems } from '../embed/join.js';
import type { ClassScores } from '../indicators/class-scores.js';
import { evaluateGeographic } from '../indicators/geographic-stage.js';
import { evaluateLabelAssociation } from '../indicators/label-association-stage.js';
import { readImagesList } from '../indicators/node/images-list.js';
import { loadTaxonomy } from '../indicators/node/taxonomy-file.js';
import { evaluateRetrieval } from '../indicators/retrieval-stage.js';
import { evaluateProbe } from '../probe/stage.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import type { TrainedProbe } from './classifiers.js';
import type { AuditSpec } from './spec.js';

const demoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'demo');

/** A taxonomy name: built-in, the demo's, or a file (made absolute when the spec was parsed). */
export function taxonomyPath(name: string): string {
  return name === 'emoji-demo' ? join(demoDir, 'emoji-taxonomy.json') : name;
}

/** Whether an entry limited to some models applies to this one. */
export function appliesTo(entry: { models?: readonly string[] | undefined }, model: string): boolean {
  return entry.models === undefined || entry.models.includes(model);
}

export interface IndicatorContext {
  spec: AuditSpec;
  model: string;
  bootstrap: FrameOptions;
  /** Class scores of a classifier on a dataset (computed once, cached by the caller). */
  scores(classifier: string, dataset: string): Promise<ClassScores>;
  /** A dataset's items with this model's embeddings. */
  embedded(dataset: string): EmbeddedItems;
  probes: ReadonlyMap<string, TrainedProbe>;
}

/** Every indicator entry and probe evaluation that applies to the model, each with its entry path. */
export async function runIndicators(ctx: IndicatorContext): Promise<EntryResult[]> {
  const { spec, model, bootstrap } = ctx;
  const results: EntryResult[] = [];
  const push = (entry: string, result: StageResult) => results.push({ entry, models: [model], result });

  for (const [i, la] of spec.indicators['label-association'].entries()) {
    if (!appliesTo(la, model)) continue;
    const taxonomy = await loadTaxonomy(taxonomyPath(la.taxonomy));
    push(
      `indicators.label-association.${i}`,
      evaluateLabelAssociation(await ctx.scores(la.classifier, la.dataset), {
        taxonomy,
        ...(la.labelNames === undefined
          ? {}
          : {
              labelNameMap: {
                map: (await readJsonFile(la.labelNames, 'label-name map')) as Record<string, unknown>,
                file: la.labelNames,
              },
              classesFile: la.labelNames,
            }),
        thresholds: la.thresholds,
        ...(la.groups === undefined ? {} : { groups: la.groups }),
        ...(la.missingValues === undefined ? {} : { missingValues: la.missingValues }),
        perClass: la.perClass,
        partialTaxonomy: la.partialTaxonomy,
        comparisons: la.comparisons,
        bootstrap,
      }),
    );
  }

  for (const [i, geo] of spec.indicators.geographic.entries()) {
    if (!appliesTo(geo, model)) continue;
    push(
      `indicators.geographic.${i}`,
      evaluateGeographic(await ctx.scores(geo.classifier, geo.dataset), {
        ...(geo.conceptMap === undefined
          ? {}
          : { conceptMap: { raw: await readJsonFile(geo.conceptMap, 'concept map'), file: geo.conceptMap } }),
        thresholds: geo.thresholds,
        protocol: geo.protocol,
        ...(geo.imagesList === undefined ? {} : { imagesList: await readImagesList(geo.imagesList) }),
        ...(geo.groups === undefined ? {} : { groups: geo.groups }),
        ...(geo.missingValues === undefined ? {} : { missingValues: geo.missingValues }),
        comparisons: geo.comparisons,
        bootstrap,
      }),
    );
  }

  for (const [i, r] of spec.indicators.retrieval.entries()) {
    if (!appliesTo(r, model)) continue;
    push(
      `indicators.retrieval.${i}`,
      await evaluateRetrieval(model, ctx.embedded(r.queries), ctx.embedded(r.database), {
        attribute: r.attribute,
        k: r.k,
        groups: r.groups,
        ...(r.missingValues === undefined ? {} : { missingValues: r.missingValues }),
        comparisons: r.comparisons,
        search: r.search,
        recallSample: r.recallSample,
        ...(r.threads === undefined ? {} : { threads: r.threads }),
        bootstrap,
      }),
    );
  }

  for (const [name, p] of Object.entries(spec.probes)) {
    const probe = ctx.probes.get(name);
    if (p.evaluate === undefined || probe === undefined) continue;
    for (const [j, dataset] of p.evaluate.datasets.entries()) {
      push(
        `probes.${name}.evaluate.datasets.${j}`,
        await evaluateProbe(probe.head, ctx.embedded(dataset), {
          model,
          labelFrom: p.labelFrom,
          skipUnlabeled: p.skipUnlabeled,
          ks: p.evaluate.k,
          groupBy: p.evaluate.groupBy,
          bootstrap,
        }),
      );
    }
  }
  return results;
}
