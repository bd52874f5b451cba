/**
 * `fairscope indicator label-association|geographic|retrieval`: the three Fairness Indicators
 * (protocols.md 3-5) on a manifest and a prediction/embedding store. The command only parses, loads,
 * calls the stage (src/indicators/*-stage.ts, the same functions the audit calls) and writes what it
 * returns to results.json.
 */
import { basename, extname } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { StageResult } from '../../core/stage.js';
import type { ResultRow } from '../../core/types.js';
import { readClassList, readJsonFile } from '../../data/files.js';
import type { EmbeddedItems } from '../../embed/join.js';
import { loadEmbeddedItems } from '../../embed/load.js';
import { type ClassScores, scoresOfStore } from '../../indicators/class-scores.js';
import { DEFAULT_GEOGRAPHIC_GROUPS, GEOGRAPHIC_THRESHOLDS } from '../../indicators/geographic.js';
import { evaluateGeographic } from '../../indicators/geographic-stage.js';
import {
  DEFAULT_GEOGRAPHIC_PROTOCOL,
  GEOGRAPHIC_PROTOCOLS,
  type GeographicProtocol,
} from '../../indicators/geographic-units.js';
import { groupSpecsOf } from '../../indicators/group-specs.js';
import { LABEL_ASSOCIATION_THRESHOLDS } from '../../indicators/label-association.js';
import { evaluateLabelAssociation, type PerClass } from '../../indicators/label-association-stage.js';
import { readImagesList } from '../../indicators/node/images-list.js';
import { loadTaxonomy } from '../../indicators/node/taxonomy-file.js';
import { DEFAULT_RECALL_SAMPLE, RETRIEVAL_KS } from '../../indicators/retrieval.js';
import { evaluateRetrieval } from '../../indicators/retrieval-stage.js';
import { BUILTIN_TAXONOMIES } from '../../indicators/taxonomy.js';
import { saveResults } from '../../report/node/results-file.js';
import { DEFAULT_MISSING_VALUES } from '../../stats/groups.js';
import { groupLabel } from '../../stats/metric-frame.js';
import { numberList, parseCommandArgs, positiveInt, required } from '../args.js';
import { GUARD_OPTIONS, GUARD_USAGE, withOutputGuard } from '../out-guard.js';
import { startProgress } from '../progress.js';
import {
  ALLOW_EMPTY_HELP,
  BOOTSTRAP_HELP,
  BOOTSTRAP_OPTIONS,
  bootstrapOptions,
  comparisonKind,
  missingValues,
  requireScoredResult,
  thresholdList,
} from '../stage-options.js';

export const summary =
  'Fairness Indicators: label association, geographic diversity, same-attribute retrieval';

const COMMON_HELP = `
common options:
  --out FILE               results.json to write (required)
  --append                 add to an existing results file: rows this run recomputes (same model,
                           indicator, metric, dataset, parameters and group) are replaced, all
                           others kept
  --groups A,B,A*B         attributes to disaggregate by; A*B (or A_B when that is not an
                           attribute itself) is an intersection
  --comparisons KIND       vs-rest (default), pairwise or none: bootstrap tests between groups,
                           Holm-adjusted within each metric and grouping
  --missing-values LIST    values reported but left out of gaps and tests
                           (default ${DEFAULT_MISSING_VALUES.join(',')})
${BOOTSTRAP_HELP}
  --model ID               model name in the rows (default: the store's model id)
  --dataset NAME           dataset name in the rows (default: the manifest's file name)
  --allow-missing          exclude manifest items without a row instead of failing
${ALLOW_EMPTY_HELP}
${GUARD_USAGE.split('\n')[1]}
  --json                   print a JSON summary on stdout

A store may hold more items than the manifest: the manifest selects its rows.`;

const USAGE = `
usage: fairscope indicator <label-association|geographic|retrieval> [options]

  indicator label-association --manifest M.jsonl --predictions DIR --taxonomy T --out results.json
      Indicator 1 (protocols.md 3): share of each group's images whose thresholded top-5 labels
      include a label of each association type, plus the aggregated harmful rate and the secondary
      statistics (disparate-label rate, per-class prediction rate and disparity, confidences).
      --predictions DIR        store with logits (fairscope probe predict, embed of a classifier)
      --classes FILE           class names, one per line (default: the store's class list)
      --label-names FILE       JSON {class: label name or [names]} (the first name is used)
      --taxonomy T             ${BUILTIN_TAXONOMIES.join(' | ')} | path of a taxonomy JSON file
      --allow-partial-taxonomy go on when taxonomy labels are not among the classes (warned)
      --thresholds LIST        τ values (default ${LABEL_ASSOCIATION_THRESHOLDS.join(',')})
      --per-class WHICH        taxonomy (default) | all | none: per-class prediction rates

  indicator geographic --manifest M.jsonl --predictions DIR [--concept-map MAP.json] --out results.json
      Indicator 2 (protocols.md 4): hit rate = mean over a group's households of the household's
      mean hit (GT concept among the concepts of the thresholded top-5 with confidence > t), cover,
      and the per-image accuracy; intervals resample households (the manifest's cluster).
      --classes FILE           class names, one per line (default: the store's class list)
      --concept-map FILE       JSON {class name or index: [concepts]} (default: each class is its
                               own concept)
      --thresholds LIST        t values (default ${GEOGRAPHIC_THRESHOLDS.join(',')})
      --protocol P             vissl (default): each (label, image) entry scored on its own, scores
                               rounded to 5 decimals before the test, as vissl's script does;
                               paper: each image once, a hit when any of its labels is, unrounded
      --images-list FILE       score only the listed entries: vissl's overlapped-images .npy (paths
                               ending in <label>/<_id>.<ext>) or a text file of paths or item ids
      --groups                 default ${DEFAULT_GEOGRAPHIC_GROUPS} (income_bucket is derived
                               from income when absent)

  indicator retrieval --queries Q.jsonl --query-embeddings DIR --database D.jsonl
                      --database-embeddings DIR --attribute gender --out results.json
      Indicator 3 (protocols.md 5): precision@K of neighbours sharing the query's attribute value,
      cosine on L2-normalised embeddings, ties by database index; intervals resample query clusters.
      --attribute A            attribute shared by queries and database (required)
      --k LIST                 K values (default ${RETRIEVAL_KS.join(',')})
      --search exact|hnsw      exact blocked GEMM (default) or an HNSW index (usearch) whose
                               recall against exact search is reported
      --recall-sample N        queries used to measure HNSW recall (default ${DEFAULT_RECALL_SAMPLE})
      --threads N              onnxruntime / usearch threads (default: all cores)
      --database-name NAME     database name in the rows (default: its manifest's file name)
${COMMON_HELP}
`;

const COMMON_OPTIONS = {
  out: { type: 'string' },
  append: { type: 'boolean' },
  groups: { type: 'string' },
  comparisons: { type: 'string' },
  'missing-values': { type: 'string' },
  ...BOOTSTRAP_OPTIONS,
  model: { type: 'string' },
  dataset: { type: 'string' },
  'allow-missing': { type: 'boolean' },
  'allow-empty': { type: 'boolean' },
  wait: GUARD_OPTIONS.wait,
  json: { type: 'boolean' },
} as const;

type CommonValues = {
  [K in keyof typeof COMMON_OPTIONS]?: (typeof COMMON_OPTIONS)[K] extends { type: 'boolean' }
    ? boolean
    : string;
};

function nameOf(manifest: string): string {
  return basename(manifest, extname(manifest));
}

/** The options every indicator stage takes from the common flags. */
function commonStageOptions(v: CommonValues) {
  return {
    missingValues: missingValues(v['missing-values']),
    comparisons: comparisonKind(v.comparisons),
    bootstrap: bootstrapOptions(v),
  };
}

/** A manifest joined with a prediction store, as the classifier-based stages take it. */
async function loadScores(
  v: CommonValues & { classes?: string },
  manifest: string,
  dir: string,
): Promise<{ scores: ClassScores; loaded: EmbeddedItems }> {
  const dataset = v.dataset ?? nameOf(manifest);
  const loaded = await loadEmbeddedItems({
    manifest,
    store: dir,
    dataset,
    allowMissing: v['allow-missing'] ?? false,
  });
  const classes = v.classes === undefined ? undefined : await readClassList(v.classes);
  return {
    loaded,
    scores: scoresOfStore(v.model ?? loaded.modelId, loaded, {
      ...(classes === undefined ? {} : { classes }),
      ...(v.classes === undefined ? {} : { classesFile: v.classes }),
    }),
  };
}

/** Writes a stage's result (and what it came from) to the results file. */
async function save(
  v: CommonValues,
  inputs: readonly (string | undefined)[],
  indicator: string,
  model: string,
  result: StageResult,
  info: {
    model: Record<string, unknown>;
    datasets: Record<string, Record<string, unknown>>;
    extra: Record<string, unknown>;
  },
): Promise<string> {
  const out = required(v.out, 'out');
  await withOutputGuard({ command: `indicator ${indicator}`, out, kind: 'file', inputs, wait: v.wait }, () =>
    saveResults(
      out,
      {
        rows: result.rows,
        models: { [model]: info.model },
        datasets: info.datasets,
        deviations: result.deviations,
        failures: result.failures,
        extra: { [indicator]: { ...info.extra, notes: result.notes } },
      },
      { merge: v.append ?? false },
    ),
  );
  return out;
}

function fmt(x: number): string {
  return Number.isNaN(x) ? 'n/a' : Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(3);
}

const HIDDEN_PARAMS = new Set([
  'unit',
  'method',
  'topK',
  'taxonomy',
  'definition',
  'aggregation',
  'attribute',
  'search',
]);

/** A few lines for the terminal: overall values and gaps of the main metric. */
function printSummary(
  v: CommonValues,
  header: string,
  rows: readonly ResultRow[],
  mainMetric: string,
  notes: readonly string[],
  out: string,
  emptyWarnings: readonly string[],
): void {
  if (v.json) {
    process.stdout.write(
      `${JSON.stringify({ out, rows: rows.length, notes, emptyEntries: emptyWarnings }, null, 2)}\n`,
    );
    return;
  }
  const lines = [header];
  const shown = rows.filter(
    (r) =>
      (r.kind === 'value' && r.metric === mainMetric && Object.keys(r.group).length === 0) ||
      (r.kind === 'difference' &&
        r.metric === `${mainMetric}.difference` &&
        r.params.method === 'betweenGroups'),
  );
  for (const r of shown.slice(0, 60)) {
    const params = Object.entries(r.params)
      .filter(([k]) => !HIDDEN_PARAMS.has(k))
      .map(([k, x]) => `${k}=${x}`)
      .join(' ');
    const what = r.kind === 'difference' ? `gap ${groupLabel(r.group)}` : 'overall';
    lines.push(
      `  ${params.padEnd(34)} ${what.padEnd(28)} ${fmt(r.value)} [${fmt(r.ci[0])}, ${fmt(r.ci[1])}]`,
    );
  }
  if (shown.length > 60) lines.push(`  ... (${shown.length - 60} more in the results file)`);
  for (const n of notes) lines.push(`note: ${n}`);
  lines.push(`wrote ${rows.length} rows to ${out}`);
  lines.push(...emptyWarnings);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runLabelAssociation(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      ...COMMON_OPTIONS,
      manifest: { type: 'string' },
      predictions: { type: 'string' },
      classes: { type: 'string' },
      'label-names': { type: 'string' },
      taxonomy: { type: 'string' },
      'allow-partial-taxonomy': { type: 'boolean' },
      thresholds: { type: 'string' },
      'per-class': { type: 'string' },
    },
    USAGE,
  );
  if (parsed === null) return 0;
  const v = parsed.values;
  const manifest = required(v.manifest, 'manifest');
  const dir = required(v.predictions, 'predictions');
  const taxonomy = await loadTaxonomy(required(v.taxonomy, 'taxonomy'));
  required(v.out, 'out');
  const perClass = v['per-class'] ?? 'taxonomy';
  if (!['taxonomy', 'all', 'none'].includes(perClass)) {
    throw new UsageError(`--per-class must be taxonomy, all or none, got "${perClass}"`);
  }
  const thresholds = thresholdList(v.thresholds, LABEL_ASSOCIATION_THRESHOLDS);
  const common = commonStageOptions(v);
  const { scores, loaded } = await loadScores(v, manifest, dir);
  const labelNamesFile = v['label-names'];
  const result = evaluateLabelAssociation(scores, {
    taxonomy,
    ...(labelNamesFile === undefined
      ? {}
      : {
          labelNameMap: {
            map: (await readJsonFile(labelNamesFile, 'label-name map')) as Record<string, unknown>,
            file: labelNamesFile,
          },
        }),
    thresholds,
    groups: groupSpecsOf(v.groups),
    perClass: perClass as PerClass,
    partialTaxonomy: v['allow-partial-taxonomy'] ?? false,
    ...((v.classes ?? labelNamesFile) === undefined ? {} : { classesFile: v.classes ?? labelNamesFile }),
    ...common,
  });
  const emptyWarnings = requireScoredResult(
    'indicator label-association',
    [scores.model],
    result,
    v['allow-empty'],
  );
  const out = await save(
    v,
    [manifest, dir, labelNamesFile, v.classes, taxonomy.file],
    'label-association',
    scores.model,
    result,
    {
      model: {
        predictions: dir,
        classes: scores.classes.length,
        ...(loaded.preprocessHash ? { preprocessHash: loaded.preprocessHash } : {}),
      },
      datasets: {
        [scores.dataset]: { manifest, items: scores.items.length, excluded: loaded.excluded.length },
      },
      extra: { taxonomy: taxonomy.name, taxonomyFile: taxonomy.file, thresholds },
    },
  );
  printSummary(
    v,
    `label-association: ${scores.items.length} images, taxonomy ${taxonomy.name}`,
    result.rows,
    'hit_rate',
    result.notes,
    out,
    emptyWarnings,
  );
  return 0;
}

/** `--protocol`: vissl (default) or paper. */
function geographicProtocol(value: string | undefined): GeographicProtocol {
  if (value === undefined) return DEFAULT_GEOGRAPHIC_PROTOCOL;
  if (!(GEOGRAPHIC_PROTOCOLS as readonly string[]).includes(value)) {
    throw new UsageError(`--protocol: expected ${GEOGRAPHIC_PROTOCOLS.join(' or ')}, got "${value}"`);
  }
  return value as GeographicProtocol;
}

async function runGeographic(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      ...COMMON_OPTIONS,
      manifest: { type: 'string' },
      predictions: { type: 'string' },
      classes: { type: 'string' },
      'concept-map': { type: 'string' },
      thresholds: { type: 'string' },
      protocol: { type: 'string' },
      'images-list': { type: 'string' },
    },
    USAGE,
  );
  if (parsed === null) return 0;
  const v = parsed.values;
  const manifest = required(v.manifest, 'manifest');
  const dir = required(v.predictions, 'predictions');
  const mapFile = v['concept-map'];
  const listFile = v['images-list'];
  required(v.out, 'out');
  const thresholds = thresholdList(v.thresholds, GEOGRAPHIC_THRESHOLDS);
  const protocol = geographicProtocol(v.protocol);
  const common = commonStageOptions(v);
  const imagesList = listFile === undefined ? undefined : await readImagesList(listFile);
  const { scores, loaded } = await loadScores(v, manifest, dir);
  const result = evaluateGeographic(scores, {
    ...(mapFile === undefined
      ? {}
      : { conceptMap: { raw: await readJsonFile(mapFile, 'concept map'), file: mapFile } }),
    thresholds,
    protocol,
    ...(imagesList === undefined ? {} : { imagesList }),
    ...(v.groups === undefined ? {} : { groups: groupSpecsOf(v.groups) }),
    ...common,
  });
  const emptyWarnings = requireScoredResult('indicator geographic', [scores.model], result, v['allow-empty']);
  const inputs = [manifest, dir, mapFile, v.classes, listFile];
  const out = await save(v, inputs, 'geographic', scores.model, result, {
    model: { predictions: dir, classes: scores.classes.length },
    datasets: {
      [scores.dataset]: { manifest, items: scores.items.length, excluded: loaded.excluded.length },
    },
    extra: { conceptMapFile: mapFile ?? null, thresholds, protocol, imagesListFile: listFile ?? null },
  });
  printSummary(
    v,
    `geographic: ${scores.items.length} images`,
    result.rows,
    'hit_rate',
    result.notes,
    out,
    emptyWarnings,
  );
  return 0;
}

async function runRetrieval(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      ...COMMON_OPTIONS,
      queries: { type: 'string' },
      'query-embeddings': { type: 'string' },
      database: { type: 'string' },
      'database-embeddings': { type: 'string' },
      'database-name': { type: 'string' },
      attribute: { type: 'string' },
      k: { type: 'string' },
      search: { type: 'string' },
      'recall-sample': { type: 'string' },
      threads: { type: 'string' },
    },
    USAGE,
  );
  if (parsed === null) return 0;
  const v = parsed.values;
  const qManifest = required(v.queries, 'queries');
  const qDir = required(v['query-embeddings'], 'query-embeddings');
  const dManifest = required(v.database, 'database');
  const dDir = required(v['database-embeddings'], 'database-embeddings');
  const attribute = required(v.attribute, 'attribute');
  required(v.out, 'out');
  const k = numberList(v.k, 'k', [...RETRIEVAL_KS]);
  const search = v.search ?? 'exact';
  if (search !== 'exact' && search !== 'hnsw') {
    throw new UsageError(`--search must be exact or hnsw, got "${search}"`);
  }
  const common = commonStageOptions(v);
  const allowMissing = v['allow-missing'] ?? false;
  const [queries, database] = await Promise.all([
    loadEmbeddedItems({
      manifest: qManifest,
      store: qDir,
      dataset: v.dataset ?? nameOf(qManifest),
      allowMissing,
    }),
    loadEmbeddedItems({
      manifest: dManifest,
      store: dDir,
      dataset: v['database-name'] ?? nameOf(dManifest),
      allowMissing,
    }),
  ]);
  const model = v.model ?? queries.modelId;
  const progress = startProgress('retrieval', queries.items.length, { quiet: v.json });
  let shown = 0;
  let result: StageResult;
  try {
    result = await evaluateRetrieval(model, queries, database, {
      attribute,
      k,
      groups: groupSpecsOf(v.groups) ?? [],
      search,
      recallSample: positiveInt(v['recall-sample'], 'recall-sample', DEFAULT_RECALL_SAMPLE),
      ...(v.threads === undefined ? {} : { threads: positiveInt(v.threads, 'threads', 1) }),
      allowDifferentModels: v.model !== undefined,
      onProgress: (done) => {
        progress.tick(done - shown);
        shown = done;
      },
      ...common,
    });
  } finally {
    progress.stop();
  }
  const emptyWarnings = requireScoredResult('indicator retrieval', [model], result, v['allow-empty']);
  const out = await save(v, [qManifest, qDir, dManifest, dDir], 'retrieval', model, result, {
    model: { queryEmbeddings: qDir, databaseEmbeddings: dDir, dim: queries.dim },
    datasets: {
      [queries.dataset]: {
        manifest: qManifest,
        role: 'queries',
        items: queries.items.length,
        excluded: queries.excluded.length,
      },
      [database.dataset]: {
        manifest: dManifest,
        role: 'database',
        items: database.items.length,
        excluded: database.excluded.length,
      },
    },
    extra: { attribute, ks: k, search, database: database.dataset },
  });
  printSummary(
    v,
    `retrieval: ${queries.items.length} queries, ${database.items.length} database items, ${attribute}`,
    result.rows,
    'precision_at_k',
    result.notes,
    out,
    emptyWarnings,
  );
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'label-association':
      return runLabelAssociation(rest);
    case 'geographic':
      return runGeographic(rest);
    case 'retrieval':
      return runRetrieval(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(`${USAGE.trim()}\n`);
      return sub === undefined ? 2 : 0;
    default:
      throw new UsageError(
        `unknown indicator "${sub}"; indicators are: label-association, geographic, retrieval\n\n${USAGE.trim()}`,
      );
  }
}
