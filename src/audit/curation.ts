/**
 * The audit's curation step: select a budget of a dataset with one model's embeddings (diverse, and
 * group-balanced when asked), and report group shares before/after, coverage and duplicates removed.
 */
import type { ManifestItem, ResultRow } from '../core/types.js';
import { pointsFromRows } from '../curate/points.js';
import { runCuration } from '../curate/run.js';
import { curationSummary } from '../curate/summary.js';
import { type StoredEmbeddings, selectRows } from './embeddings.js';
import type { AuditSpec } from './spec.js';

type CurationSpec = AuditSpec['curation'][number];

export async function runCurationStep(
  spec: CurationSpec,
  datasetItems: readonly ManifestItem[],
  stored: StoredEmbeddings,
  seed: number,
  model: string,
): Promise<{ rows: ResultRow[]; notes: string[] }> {
  const { items, embeddings } = selectRows(stored, datasetItems);
  const points = pointsFromRows(embeddings, items.length, stored.set.dim, 'cosine', true);
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
  return { rows: curationSummary(run.report, { model, dataset: spec.dataset }), notes };
}
