/**
 * The audit's curation step: select a budget of a dataset with one model's embeddings (diverse, and
 * group-balanced when asked), and report group shares before/after, coverage and duplicates removed;
 * with `evaluate`, also compare a probe trained on the selection with probes trained on random
 * selections of the same size (curation-eval.ts).
 */
import type { ManifestItem, ResultRow } from '../core/types.js';
import { pointsFromRows } from '../curate/points.js';
import { runCuration } from '../curate/run.js';
import { curationSummary } from '../curate/summary.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { evaluateCuratedSelection } from './curation-eval.js';
import { type StoredEmbeddings, selectRows } from './embeddings.js';
import type { AuditSpec } from './spec.js';

type CurationSpec = AuditSpec['curation'][number];

/** What the evaluation of a selection needs from the audit: the test set and the bootstrap settings. */
export interface CurationEvalContext {
  /** A dataset's items and the curation model's embeddings of them. */
  dataset(name: string): { items: readonly ManifestItem[]; stored: StoredEmbeddings };
  bootstrap: FrameOptions;
}

export async function runCurationStep(
  spec: CurationSpec,
  datasetItems: readonly ManifestItem[],
  stored: StoredEmbeddings,
  seed: number,
  model: string,
  evaluation?: CurationEvalContext,
): Promise<{ rows: ResultRow[]; notes: string[] }> {
  const { items, embeddings } = selectRows(stored, datasetItems);
  // Normalised in place unless the probes of `evaluate` need the raw rows.
  const points = pointsFromRows(
    embeddings,
    items.length,
    stored.set.dim,
    'cosine',
    spec.evaluate === undefined,
  );
  const run = await runCuration(points, items, {
    strategy: spec.strategy,
    budget: Math.min(spec.budget, items.length),
    seed,
    ...(spec.strategy === 'balanced'
      ? {
          balance: {
            attributes: spec.balance,
            shares: { kind: 'equal' as const },
            allowShortfall: spec.allowShortfall,
          },
        }
      : { reportAttributes: spec.balance }),
    ...(spec.dedupThreshold === undefined ? {} : { dedup: { threshold: spec.dedupThreshold } }),
  });
  const notes =
    spec.budget > items.length
      ? [
          `curation (${model}, ${spec.dataset}): budget ${spec.budget} exceeds the ${items.length} items; all selected`,
        ]
      : [];
  const rows = curationSummary(run.report, { model, dataset: spec.dataset });
  if (spec.evaluate !== undefined) {
    if (evaluation === undefined) throw new Error('runCurationStep: evaluate needs the test dataset');
    const testSet = evaluation.dataset(spec.evaluate.test);
    const test = selectRows(testSet.stored, testSet.items);
    const ev = await evaluateCuratedSelection({
      spec: spec.evaluate,
      model,
      dataset: spec.dataset,
      pool: { items, embeddings },
      dim: stored.set.dim,
      selected: run.selection.order,
      ...(run.dedup === undefined ? {} : { excluded: run.dedup.removed }),
      test,
      testUnembedded: testSet.items.length - test.items.length,
      params: {
        strategy: run.report.strategy,
        budget: run.report.budget,
        seed,
        ...(run.report.dedupThreshold === undefined ? {} : { dedupThreshold: run.report.dedupThreshold }),
      },
      seed,
      bootstrap: evaluation.bootstrap,
    });
    rows.push(...ev.rows);
    notes.push(...ev.notes);
  }
  return { rows, notes };
}
