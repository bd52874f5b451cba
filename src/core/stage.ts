/**
 * The stage contract: every evaluator (probe training and prediction, the three indicators,
 * robustness, curation and its evaluation) is one function that takes loaded inputs and options and
 * returns a StageResult. `fairscope <command>` and `fairscope audit` only parse, load, call this
 * function and write what it returns, so both front doors give the same rows, notes and deviations.
 */
import type { FailedItem, ResultRow } from './types.js';

export interface StageResult<R extends ResultRow = ResultRow> {
  /** Tidy result rows (see ResultRow). */
  rows: R[];
  /** Where this run departs from the reference protocol: facts that hold for this run only. */
  deviations: string[];
  /** Items that could not be used, and why (excluded, never replaced). */
  failures: FailedItem[];
  /** Plain-words remarks about the inputs (labels never predicted, items left out...). */
  notes: string[];
}

/** A StageResult with the given parts, the others empty. */
export function stageResult<R extends ResultRow = ResultRow>(
  parts: Partial<StageResult<R>> = {},
): StageResult<R> {
  return {
    rows: parts.rows ?? [],
    deviations: parts.deviations ?? [],
    failures: parts.failures ?? [],
    notes: parts.notes ?? [],
  };
}

/**
 * Several stage results as one: rows, notes in order; deviations once each; failures once per
 * (dataset, id), the first reason kept.
 */
export function mergeStageResults<R extends ResultRow>(results: readonly StageResult<R>[]): StageResult<R> {
  const out = stageResult<R>();
  const deviations = new Set<string>();
  const failed = new Set<string>();
  for (const r of results) {
    out.rows.push(...r.rows);
    out.notes.push(...r.notes);
    for (const d of r.deviations) deviations.add(d);
    for (const f of r.failures) {
      const key = `${f.dataset}\u0000${f.id}`;
      if (failed.has(key)) continue;
      failed.add(key);
      out.failures.push(f);
    }
  }
  out.deviations = [...deviations];
  return out;
}

/** Progress of a long step, reported by a stage and drawn by the front door (a bar, log lines). */
export interface ProgressReporter {
  /** Adds `n` finished items (default 1). */
  tick(n?: number): void;
  stop(): void;
}

/** Starts a progress reporter for `total` items of a step named `label`. */
export type StartProgress = (label: string, total: number) => ProgressReporter;

/** A StartProgress that reports nothing (library use, tests). */
export const noProgress: StartProgress = () => ({ tick() {}, stop() {} });
