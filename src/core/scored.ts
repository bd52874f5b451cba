/**
 * No empty success: an evaluator entry whose StageResult holds no scored value for a model (every
 * row's value n/a, or no item behind any row: every item unscorable) is an error naming the entry
 * and the model, or, when allowed (`--allow-empty`, `allowEmpty: true` in an audit spec), a warning
 * that the front door prints last and records in the results. `fairscope audit` and the commands
 * that evaluate one entry (`indicator`, `probe eval`, `robustness`) apply this one rule.
 */
import { FairscopeError } from './errors.js';
import type { StageResult } from './stage.js';
import type { ResultRow } from './types.js';

/** One entry's result for one model that holds no scored value. */
export interface EmptyEntry {
  /** The entry, as the user named it: `indicators.label-association.0`, `indicator retrieval`. */
  entry: string;
  model: string;
  /** What the result says: row count and the stage's first notes (why nothing was scored). */
  detail: string;
}

/** The key of results.json's `extra` that lists the empty entries a run allowed. */
export const EMPTY_ENTRIES = 'emptyEntries';

/** Whether a row holds a scored value: a finite number computed from at least one item. */
export function isScoredRow(row: ResultRow): boolean {
  return Number.isFinite(row.value) && row.n > 0;
}

/** How many notes and row warnings an empty entry's detail quotes. */
const QUOTED = 3;

/** One evaluator entry's result and the models it was run for. */
export interface EntryResult {
  /** Names the entry in messages. */
  entry: string;
  models: readonly string[];
  result: StageResult;
}

/** The models of an entry whose rows hold no scored value. */
export function emptyEntries({ entry, models, result }: EntryResult): EmptyEntry[] {
  return models.flatMap((model) => {
    const rows = result.rows.filter((r) => r.model === model);
    if (rows.some(isScoredRow)) return [];
    const reasons = [...new Set([...result.notes, ...rows.flatMap((r) => r.warnings)])].slice(0, QUOTED);
    const count = rows.length === 0 ? 'no result rows' : `${rows.length} row(s), every value n/a`;
    return [{ entry, model, detail: [count, ...reasons].join('; ') }];
  });
}

/** One line for an empty entry: `<entry> (model <m>) scored nothing: <detail>`. */
export function describeEmpty(e: EmptyEntry): string {
  return `${e.entry} (model ${e.model}) scored nothing: ${e.detail}`;
}

/**
 * Applies the rule to some empty entries.
 * @param allowed whether an entry may be empty (`--allow-empty`, or the spec's `allowEmpty`)
 * @param hint how the user allows it, quoted in the error
 * @returns a warning line per allowed empty entry
 * @throws FairscopeError (exit 1) listing every empty entry that is not allowed
 */
export function requireScored(
  empty: readonly EmptyEntry[],
  allowed: (e: EmptyEntry) => boolean,
  hint: string,
): string[] {
  const refused = empty.filter((e) => !allowed(e));
  if (refused.length > 0) {
    throw new FairscopeError(
      `${refused.length} evaluation(s) produced no scored value:\n  ${refused.map(describeEmpty).join('\n  ')}\nFix the input, or ${hint} to write the results with a warning.`,
    );
  }
  return empty.map((e) => `warning: ${describeEmpty(e)}`);
}

/** The empty entries a results file records under extra.emptyEntries (malformed entries ignored). */
export function recordedEmptyEntries(extra: Readonly<Record<string, unknown>>): EmptyEntry[] {
  const recorded = extra[EMPTY_ENTRIES];
  if (!Array.isArray(recorded)) return [];
  return recorded.filter(
    (e): e is EmptyEntry =>
      typeof e === 'object' &&
      e !== null &&
      typeof e.entry === 'string' &&
      typeof e.model === 'string' &&
      typeof e.detail === 'string',
  );
}
