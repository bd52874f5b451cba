/**
 * The curation stage: select a budget of a dataset's items with one model's embeddings (k-center,
 * group-balanced, typical, unique or random, optionally after removing near-duplicates), report the
 * group shares before and after, and, when asked, evaluate the selection: a probe trained on it
 * against probes trained on random selections of the same size, scored on a test set per group.
 * `fairscope curate` and the audit's `curation` entries both call curateDataset and
 * evaluateSelection.
 */
import { type StageResult, stageResult } from '../core/stage.js';
import type { ManifestItem, ResultRow, RowParams } from '../core/types.js';
import { type EmbeddedItems, joinNotes } from '../embed/join.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { DEDUP_THRESHOLD } from './dedup.js';
import { evaluateCuratedSelection, type SelectionEvalSpec } from './evaluate-selection.js';
import type { FirstPick } from './kcenter.js';
import { type DistanceMetric, pointsOf } from './points.js';
import type { ShareSpec } from './quotas.js';
import { type CurationReport, type CurationRun, runCuration } from './run.js';
import type { SearchMethod } from './search.js';
import type { Strategy } from './select.js';
import { curationSummary } from './summary.js';

export interface CurationStageOptions {
  budget: number;
  /** Default 'kcenter'. */
  strategy?: Strategy;
  /** Random first pick and random strategy (default 0). */
  seed?: number;
  first?: FirstPick;
  /** Default 'cosine'. */
  metric?: DistanceMetric;
  /** Attributes whose groups get quotas (crossed when several), with their shares (default equal). */
  balance?: { attributes: readonly string[]; shares?: ShareSpec; allowShortfall?: boolean };
  /** Attributes whose shares are reported when not balancing. */
  groups?: readonly string[];
  /** Remove near-duplicates (cosine ≥ threshold, default DEDUP_THRESHOLD) before selecting. */
  dedup?: { threshold?: number };
  neighbours?: number;
  minDistance?: number;
  search?: SearchMethod;
  threads?: number;
  onProgress?: () => void;
}

/** Parameters every curation row has. */
export type CurationParams = RowParams & { strategy: string; budget: number; seed: number };
export type CurationRow = ResultRow<CurationParams>;

export interface CurationStageResult extends StageResult<CurationRow> {
  run: CurationRun;
  report: CurationReport;
  /** The selected items, in selection order. */
  selected: ManifestItem[];
}

/** Rows of the shares, coverage and duplicates of one selection (indicator 'curation'). */
export async function curateDataset(
  model: string,
  pool: EmbeddedItems,
  options: CurationStageOptions,
): Promise<CurationStageResult> {
  const strategy = options.strategy ?? 'kcenter';
  const search = options.search ?? 'auto';
  // The raw rows stay untouched: a selection's evaluation trains its probes on them.
  const points = pointsOf(pool, options.metric ?? 'cosine');
  const threads = options.threads === undefined ? {} : { threads: options.threads };
  const run = await runCuration(points, pool.items, {
    strategy,
    budget: options.budget,
    seed: options.seed ?? 0,
    first: options.first ?? 'random',
    search,
    ...threads,
    ...(options.balance === undefined
      ? {}
      : {
          balance: {
            attributes: [...options.balance.attributes],
            shares: options.balance.shares ?? { kind: 'equal' },
            allowShortfall: options.balance.allowShortfall ?? false,
          },
        }),
    ...(options.dedup === undefined
      ? {}
      : { dedup: { threshold: options.dedup.threshold ?? DEDUP_THRESHOLD, search, ...threads } }),
    ...(options.neighbours === undefined ? {} : { neighbours: options.neighbours }),
    ...(options.minDistance === undefined ? {} : { minDistance: options.minDistance }),
    ...(options.groups === undefined ? {} : { reportAttributes: [...options.groups] }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
  return {
    ...stageResult({
      rows: curationSummary(run.report, { model, dataset: pool.dataset }) as CurationRow[],
      notes: joinNotes(pool).map((n) => `curation (${model}): ${n}`),
      failures: pool.excluded,
    }),
    run,
    report: run.report,
    selected: run.selection.order.map((i) => pool.items[i] as ManifestItem),
  };
}

/**
 * Compares a probe trained on the selection with probes trained on random selections of the same
 * size from the same candidate pool, scored on `test` overall and per group.
 */
export async function evaluateSelection(
  model: string,
  pool: EmbeddedItems,
  curation: CurationStageResult,
  test: EmbeddedItems,
  options: { evaluate: SelectionEvalSpec; seed: number; bootstrap: FrameOptions },
): Promise<StageResult<CurationRow>> {
  const { report, run } = curation;
  const out = await evaluateCuratedSelection({
    spec: options.evaluate,
    model,
    dataset: pool.dataset,
    pool: { items: pool.items, embeddings: pool.embeddings },
    dim: pool.dim,
    selected: run.selection.order,
    ...(run.dedup === undefined ? {} : { excluded: run.dedup.removed }),
    test: { items: test.items, embeddings: test.embeddings },
    testUnembedded: test.excluded.length,
    params: {
      strategy: report.strategy,
      budget: report.budget,
      seed: report.seed,
      ...(report.dedupThreshold === undefined ? {} : { dedupThreshold: report.dedupThreshold }),
    },
    seed: options.seed,
    bootstrap: options.bootstrap,
  });
  return stageResult({ rows: out.rows as CurationRow[], notes: out.notes, failures: test.excluded });
}
