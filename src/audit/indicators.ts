/**
 * The audit's Fairness Indicators: label association (1), geographic disparity (2) and same-attribute
 * retrieval (3), each on the spec's datasets with the spec's classifier, as rows for results.json.
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ResultRow } from '../core/types.js';
import { loadConceptMap } from '../indicators/concept-map.js';
import { geographic } from '../indicators/geographic.js';
import { type Grouping, parseGroupings } from '../indicators/groups.js';
import { labelAssociation } from '../indicators/label-association.js';
import { checkLogits } from '../indicators/predictions.js';
import { retrieval } from '../indicators/retrieval.js';
import { BUILTIN_TAXONOMIES, checkTaxonomyCoverage, loadTaxonomy } from '../indicators/taxonomy.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import type { ClassScores } from './classifiers.js';
import type { ResolvedDataset } from './datasets.js';
import { type StoredEmbeddings, selectRows } from './embeddings.js';
import type { AuditSpec } from './spec.js';

type GroupSpec = string | string[];

const demoDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'data', 'demo');

/** Spec groups ('skintone', ['gender', 'skintone']) in the indicators' grouping syntax. */
export function groupings(
  groups: readonly GroupSpec[],
  items: Parameters<typeof parseGroupings>[1],
): Grouping[] {
  return parseGroupings(groups.map((g) => (Array.isArray(g) ? g.join('*') : g)).join(','), items);
}

/** A taxonomy name: built-in, the demo's, or a file relative to the spec. */
function taxonomyPath(name: string, specDir: string): string {
  if ((BUILTIN_TAXONOMIES as readonly string[]).includes(name)) return name;
  if (name === 'emoji-demo') return join(demoDir, 'emoji-taxonomy.json');
  return resolve(specDir, name);
}

export interface IndicatorContext {
  spec: AuditSpec;
  specDir: string;
  model: string;
  datasets: ReadonlyMap<string, ResolvedDataset>;
  bootstrap: FrameOptions;
  /** Class scores of a classifier on a dataset (computed once, cached by the caller). */
  scores(classifier: string, dataset: string): Promise<ClassScores>;
  /** Embeddings of a dataset's root under this model. */
  embeddings(dataset: string): StoredEmbeddings;
}

export interface IndicatorResults {
  rows: ResultRow[];
  notes: string[];
  deviations: string[];
}

export async function runIndicators(ctx: IndicatorContext): Promise<IndicatorResults> {
  const rows: ResultRow[] = [];
  const notes: string[] = [];
  const deviations = new Set<string>();
  const { spec, model, bootstrap } = ctx;

  for (const la of spec.indicators['label-association']) {
    const scores = await ctx.scores(la.classifier, la.dataset);
    checkLogits(
      scores.logits,
      scores.items.map((i) => i.id),
      scores.classes,
      `${model} × ${la.dataset}`,
    );
    const taxonomy = await loadTaxonomy(taxonomyPath(la.taxonomy, ctx.specDir));
    const { missing } = checkTaxonomyCoverage(taxonomy, scores.classes, { allowPartial: la.partialTaxonomy });
    if (missing.length > 0) {
      notes.push(
        `label-association (${model}, ${la.dataset}): taxonomy labels absent from the classes, never predicted: ${missing.join(', ')}`,
      );
    }
    rows.push(
      ...labelAssociation(scores.items, scores.logits, {
        model,
        dataset: la.dataset,
        taxonomy,
        classes: scores.classes,
        thresholds: la.thresholds,
        groupings: groupings(la.groups, scores.items),
        perClass: la.perClass,
        comparisons: la.comparisons,
        bootstrap,
      }),
    );
    deviations.add(
      'label-association: hit rates are not rounded (the reference code rounds them to 3 decimals).',
    );
    deviations.add(
      'label-association: groups with missing values (n/a, unknown) are reported separately and left out of gaps.',
    );
    if (taxonomy.harmfulTypes.length > 0) {
      deviations.add(
        `label-association: the aggregated "Harmful" rate (${taxonomy.harmfulTypes.join(' ∪ ')}) is our inference; the reference code reports each type separately.`,
      );
    }
  }

  for (const geo of spec.indicators.geographic) {
    const scores = await ctx.scores(geo.classifier, geo.dataset);
    checkLogits(
      scores.logits,
      scores.items.map((i) => i.id),
      scores.classes,
      `${model} × ${geo.dataset}`,
    );
    const conceptsOfClass =
      geo.conceptMap === undefined
        ? scores.classes.map((c) => [c])
        : (await loadConceptMap(resolve(ctx.specDir, geo.conceptMap), scores.classes)).conceptsOfClass;
    const out = geographic(scores.items, scores.logits, {
      model,
      dataset: geo.dataset,
      conceptsOfClass,
      thresholds: [geo.threshold],
      groupings: groupings(geo.groups, scores.items),
      comparisons: geo.comparisons,
      bootstrap,
    });
    rows.push(...out.rows);
    notes.push(...out.notes.map((n) => `geographic (${model}, ${geo.dataset}): ${n}`));
    deviations.add(
      'geographic: images listed under several labels are de-duplicated before averaging (a step the released code has commented out; the paper describes it).',
    );
  }

  for (const r of spec.indicators.retrieval) {
    const q = selectRows(ctx.embeddings(r.queries), ctx.datasets.get(r.queries)?.items ?? []);
    const d = selectRows(ctx.embeddings(r.database), ctx.datasets.get(r.database)?.items ?? []);
    const dim = ctx.embeddings(r.queries).set.dim;
    const out = await retrieval(q.items, q.embeddings, d.items, d.embeddings, dim, {
      model,
      dataset: `${r.queries} → ${r.database}`,
      attribute: r.attribute,
      ks: r.k,
      groupings: groupings(r.groups, q.items),
      comparisons: r.comparisons,
      bootstrap,
    });
    rows.push(...out.rows);
    notes.push(...out.notes.map((n) => `retrieval (${model}, ${r.attribute}): ${n}`));
    deviations.add(
      'retrieval: similarity ties are broken by database index (numpy argsort order is arbitrary).',
    );
  }
  return { rows, notes, deviations: [...deviations] };
}
