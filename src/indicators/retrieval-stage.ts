/**
 * The retrieval stage (Indicator 3, protocols.md 5): checks both embedding sets, retrieves, computes
 * the rows (retrieval.ts) and states the deviations that hold. `fairscope indicator retrieval` and
 * the audit's `indicators.retrieval` entries both call evaluateRetrieval.
 */
import { deviation, deviationsThatHold } from '../core/deviations.js';
import { InputError, UsageError } from '../core/errors.js';
import { type StageResult, stageResult } from '../core/stage.js';
import type { ComparisonKind, ResultRow, RowParams } from '../core/types.js';
import { preprocessDeviations } from '../embed/deviations.js';
import type { EmbeddedItems } from '../embed/join.js';
import { firstNonFinite } from '../linalg/normalize.js';
import { DEFAULT_MISSING_VALUES } from '../stats/groups.js';
import type { FrameOptions } from '../stats/metric-frame.js';
import { comparisonsOf, type GroupSpec, groupingsOf } from './group-specs.js';
import { DEFAULT_RECALL_SAMPLE, RETRIEVAL_KS, retrieval } from './retrieval.js';

export interface RetrievalStageOptions {
  /** The attribute a neighbour must share with its query (gender in the protocol). */
  attribute: string;
  /** Default RETRIEVAL_KS (1, 5, 10, 50). */
  k?: readonly number[];
  /** Query groups (default none: the compared attribute only). */
  groups?: readonly GroupSpec[];
  missingValues?: readonly string[];
  /** Group tests (default 'vsRest'). */
  comparisons?: ComparisonKind | 'none';
  /** 'exact' (default) or 'hnsw', whose recall against exact search is reported. */
  search?: 'exact' | 'hnsw';
  /** Queries used to measure the HNSW recall (default DEFAULT_RECALL_SAMPLE). */
  recallSample?: number;
  threads?: number;
  /** Compare embeddings whose model ids differ (default false: an error). */
  allowDifferentModels?: boolean;
  bootstrap: FrameOptions;
  onProgress?: (done: number, total: number) => void;
}

/** Parameters every retrieval row has (precision rows also name the attribute; recall rows the sample). */
export type RetrievalParams = RowParams & { k: number; search: 'exact' | 'hnsw'; unit: string };
export type RetrievalRow = ResultRow<RetrievalParams>;

interface Context {
  tiedQueries: number;
  queries: number;
  search: 'exact' | 'hnsw';
}

/** How retrieval departs from vissl's script, and when. */
export const RETRIEVAL_DEVIATIONS = {
  ties: deviation<Context>(
    'retrieval.ties-by-index',
    (c) => c.tiedQueries > 0,
    (c) =>
      `retrieval: for ${c.tiedQueries} of ${c.queries} queries the similarity ranking ties across a K boundary; ties are broken by database index (np.argsort in the reference code is unstable).`,
  ),
  approximate: deviation<Context>(
    'retrieval.approximate',
    (c) => c.search === 'hnsw',
    'retrieval: approximate (HNSW) search; its recall against exact search is reported.',
  ),
};

/** The rows' dataset name of a retrieval: queries → database. */
export function retrievalDatasetName(queries: string, database: string): string {
  return `${queries} → ${database}`;
}

function checkFinite(e: EmbeddedItems): void {
  const bad = firstNonFinite(e.embeddings);
  if (bad >= 0) {
    throw new InputError(
      e.store,
      `embedding of item "${e.items[Math.floor(bad / e.dim)]?.id}" has a non-finite value (${e.embeddings[bad]})`,
      { field: 'embedding' },
    );
  }
}

/**
 * Indicator 3: queries retrieve their nearest database items.
 * @throws InputError for embeddings of different dimensions or with non-finite values, a database
 *   without the attribute; UsageError for embeddings of different models (unless allowed), a K
 *   larger than the database, a group attribute no query has
 */
export async function evaluateRetrieval(
  model: string,
  queries: EmbeddedItems,
  database: EmbeddedItems,
  options: RetrievalStageOptions,
): Promise<StageResult<RetrievalRow>> {
  if (queries.dim !== database.dim) {
    throw new InputError(
      database.store,
      `database embeddings have ${database.dim} dimensions, queries (${queries.store}) ${queries.dim}`,
      { field: 'embedding' },
    );
  }
  if (queries.modelId !== database.modelId && !options.allowDifferentModels) {
    throw new UsageError(
      `queries were embedded by "${queries.modelId}" and the database by "${database.modelId}": compare embeddings of one model (or pass --model to override)`,
    );
  }
  checkFinite(queries);
  checkFinite(database);
  const attribute = options.attribute;
  if (!database.items.some((it) => it.attrs[attribute] !== undefined)) {
    throw new InputError(
      database.store,
      `no database item of ${database.dataset} has the attribute "${attribute}"`,
      {
        field: `attrs.${attribute}`,
      },
    );
  }
  if (!queries.items.some((it) => it.attrs[attribute] !== undefined)) {
    throw new InputError(queries.store, `no query of ${queries.dataset} has the attribute "${attribute}"`, {
      field: `attrs.${attribute}`,
    });
  }
  const search = options.search ?? 'exact';
  const dataset = retrievalDatasetName(queries.dataset, database.dataset);
  const out = await retrieval(
    queries.items,
    queries.embeddings,
    database.items,
    database.embeddings,
    queries.dim,
    {
      model,
      dataset,
      attribute,
      ks: options.k ?? RETRIEVAL_KS,
      groupings: groupingsOf(options.groups ?? [], queries.items),
      missingValues: options.missingValues ?? DEFAULT_MISSING_VALUES,
      comparisons: comparisonsOf(options),
      bootstrap: options.bootstrap,
      search,
      recallSample: options.recallSample ?? DEFAULT_RECALL_SAMPLE,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    },
  );
  const where = `retrieval (${model}, ${dataset}, ${attribute})`;
  const notes = out.notes.map((n) => `${where}: ${n}`);
  const excluded = [...queries.excluded, ...database.excluded];
  if (excluded.length > 0)
    notes.push(`${where}: ${excluded.length} item(s) excluded (no embedding): see failures`);
  return stageResult({
    rows: out.rows as RetrievalRow[],
    notes,
    failures: excluded,
    deviations: [
      ...new Set([
        ...preprocessDeviations(model, queries.preprocess),
        ...preprocessDeviations(model, database.preprocess),
      ]),
      ...deviationsThatHold(RETRIEVAL_DEVIATIONS, {
        tiedQueries: out.tiedQueries,
        queries: queries.items.length,
        search,
      }),
    ],
  });
}
