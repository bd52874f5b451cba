/**
 * The audit's curation entries: each goes to the curation stage (src/curate/stage.ts, the functions
 * `fairscope curate` calls) with the same options and defaults; `evaluate` compares a probe trained
 * on the selection with probes trained on random selections of the same size.
 */
import { mergeStageResults, type StageResult } from '../core/stage.js';
import type { CurationStageOptions } from '../curate/stage.js';
import { curateDataset, evaluateSelection } from '../curate/stage.js';
import type { EmbeddedItems } from '../embed/join.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import type { AuditSpec } from './spec.js';

type CurationSpec = AuditSpec['curation'][number];

/** A curation entry's options as the stage takes them. */
export function curationOptions(spec: CurationSpec, seed: number): CurationStageOptions {
  return {
    budget: spec.budget,
    strategy: spec.strategy as CurationStageOptions['strategy'],
    seed,
    first: spec.first as NonNullable<CurationStageOptions['first']>,
    metric: spec.metric as NonNullable<CurationStageOptions['metric']>,
    search: spec.search as NonNullable<CurationStageOptions['search']>,
    ...(spec.balance === undefined
      ? {}
      : {
          balance: {
            attributes: spec.balance,
            shares:
              spec.minShares !== undefined
                ? { kind: 'minimum', shares: new Map(Object.entries(spec.minShares)) }
                : spec.shares !== undefined
                  ? { kind: 'exact', shares: new Map(Object.entries(spec.shares)) }
                  : { kind: 'equal' },
            allowShortfall: spec.allowShortfall,
          },
        }),
    ...(spec.groups === undefined ? {} : { groups: spec.groups }),
    ...(spec.dedupThreshold === undefined ? {} : { dedup: { threshold: spec.dedupThreshold } }),
    ...(spec.neighbours === undefined ? {} : { neighbours: spec.neighbours }),
    ...(spec.minDistance === undefined ? {} : { minDistance: spec.minDistance }),
  };
}

export async function runCurationEntry(
  spec: CurationSpec,
  model: string,
  embedded: (dataset: string) => EmbeddedItems,
  seed: number,
  bootstrap: FrameOptions,
): Promise<StageResult> {
  const pool = embedded(spec.dataset);
  const curation = await curateDataset(model, pool, curationOptions(spec, seed));
  if (spec.evaluate === undefined) return curation;
  const evaluation = await evaluateSelection(model, pool, curation, embedded(spec.evaluate.test), {
    evaluate: spec.evaluate,
    seed,
    bootstrap,
  });
  return mergeStageResults([curation, evaluation]);
}
