/**
 * `fairscope indicator label-association|geographic|retrieval`: the three Fairness Indicators
 * (protocols.md 3-5) on a manifest and a prediction/embedding store, with clustered bootstrap
 * intervals on every group value, gap and ratio. Writes results.json (tidy rows).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { InputError, UsageError } from '../../core/errors.js';
import {
  emptyResults,
  type FailedItem,
  type ResultsFile,
  readResults,
  writeResults,
} from '../../core/results.js';
import type { EmbeddingSet, ManifestItem, ResultRow } from '../../core/types.js';
import { readManifest } from '../../data/manifest.js';
import { readEmbeddings, readFailures } from '../../embed/store.js';
import { alignToManifest, takeRows } from '../../indicators/align.js';
import { loadConceptMap } from '../../indicators/concept-map.js';
import {
  DEFAULT_GEOGRAPHIC_GROUPS,
  GEOGRAPHIC_THRESHOLDS,
  geographic,
  withIncomeBuckets,
} from '../../indicators/geographic.js';
import { DEFAULT_MISSING_VALUES, type Grouping, parseGroupings } from '../../indicators/groups.js';
import { LABEL_ASSOCIATION_THRESHOLDS, labelAssociation } from '../../indicators/label-association.js';
import { checkLogits } from '../../indicators/predictions.js';
import { DEFAULT_RECALL_SAMPLE, RETRIEVAL_KS, retrieval } from '../../indicators/retrieval.js';
import { BUILTIN_TAXONOMIES, checkTaxonomyCoverage, loadTaxonomy } from '../../indicators/taxonomy.js';
import { firstNonFinite } from '../../linalg/normalize.js';
import { DEFAULT_LEVEL, DEFAULT_RESAMPLES } from '../../stats/bootstrap.js';
import { type ComparisonKind, type FrameOptions, groupLabel } from '../../stats/metric-frame.js';
import { DEFAULT_MINIMUM_GROUP_SIZE } from '../../stats/sample-size.js';
import { nonNegativeInt, numberList, parseCommandArgs, positiveInt, required } from '../args.js';
import { startProgress } from '../progress.js';

export const summary =
  'Fairness Indicators: label association, geographic diversity, same-attribute retrieval';

const COMMON_HELP = `
common options:
  --out FILE               results.json to write (required)
  --append                 add to an existing results file (rows of the same model, indicator
                           and dataset are replaced)
  --groups A,B,A*B         attributes to disaggregate by; A*B (or A_B when that is not an
                           attribute itself) is an intersection
  --comparisons KIND       pairwise (default), vs-rest or none: bootstrap tests between groups,
                           Holm-adjusted within each metric and grouping
  --missing-values LIST    values reported but left out of gaps and tests
                           (default ${DEFAULT_MISSING_VALUES.join(',')})
  --seed N                 bootstrap seed (default 0)
  --resamples N            clustered bootstrap resamples (default ${DEFAULT_RESAMPLES}; 0 = no intervals)
  --level L                interval level (default ${DEFAULT_LEVEL})
  --min-group-size N       groups with fewer items are flagged "too small to conclude" (default ${DEFAULT_MINIMUM_GROUP_SIZE.items})
  --min-clusters N         ... or fewer clusters (default ${DEFAULT_MINIMUM_GROUP_SIZE.clusters})
  --model ID               model name in the rows (default: the store's model id)
  --dataset NAME           dataset name in the rows (default: the manifest's file name)
  --allow-missing          exclude manifest items without a row instead of failing
  --json                   print a JSON summary on stdout`;

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

  indicator geographic --manifest M.jsonl --predictions DIR --concept-map MAP.json --out results.json
      Indicator 2 (protocols.md 4): hit rate = mean over a group's households of the household's
      mean hit (GT concept among the concepts of the thresholded top-5 with confidence > t), cover,
      and the per-image accuracy; intervals resample households (the manifest's cluster).
      --classes FILE           class names, one per line (default: the store's class list)
      --concept-map FILE       JSON {class name or index: [concepts]}
      --thresholds LIST        t values (default ${GEOGRAPHIC_THRESHOLDS.join(',')})
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
${COMMON_HELP}
`;

const COMMON_OPTIONS = {
  out: { type: 'string' },
  append: { type: 'boolean' },
  groups: { type: 'string' },
  comparisons: { type: 'string' },
  'missing-values': { type: 'string' },
  seed: { type: 'string' },
  resamples: { type: 'string' },
  level: { type: 'string' },
  'min-group-size': { type: 'string' },
  'min-clusters': { type: 'string' },
  model: { type: 'string' },
  dataset: { type: 'string' },
  'allow-missing': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

type CommonValues = {
  [K in keyof typeof COMMON_OPTIONS]?: (typeof COMMON_OPTIONS)[K] extends { type: 'boolean' }
    ? boolean
    : string;
};

function bootstrapOptions(v: CommonValues): FrameOptions {
  const level = v.level === undefined ? DEFAULT_LEVEL : Number(v.level);
  if (!(level > 0 && level < 1)) throw new UsageError(`--level must be in (0, 1), got "${v.level}"`);
  return {
    seed: nonNegativeInt(v.seed, 'seed', 0),
    resamples: nonNegativeInt(v.resamples, 'resamples', DEFAULT_RESAMPLES),
    level,
    minimumGroupSize: {
      items: positiveInt(v['min-group-size'], 'min-group-size', DEFAULT_MINIMUM_GROUP_SIZE.items),
      clusters: positiveInt(v['min-clusters'], 'min-clusters', DEFAULT_MINIMUM_GROUP_SIZE.clusters),
    },
  };
}

function comparisonKind(value: string | undefined): ComparisonKind | 'none' {
  if (value === undefined || value === 'pairwise') return 'pairwise';
  if (value === 'vs-rest') return 'vsRest';
  if (value === 'none') return 'none';
  throw new UsageError(`--comparisons must be pairwise, vs-rest or none, got "${value}"`);
}

function missingValues(value: string | undefined): string[] {
  return value === undefined ? [...DEFAULT_MISSING_VALUES] : value.split(',').map((s) => s.trim());
}

function thresholdList(value: string | undefined, fallback: readonly number[]): number[] {
  const xs = numberList(value, 'thresholds', [...fallback]);
  if (xs.some((x) => x < 0 || x > 1)) throw new UsageError(`--thresholds must be in [0, 1], got "${value}"`);
  return xs;
}

function datasetName(v: CommonValues, manifest: string): string {
  return v.dataset ?? basename(manifest, extname(manifest));
}

/** Class names: --classes FILE (one per line), else the store's list; must match the logits width. */
async function classNames(
  set: EmbeddingSet,
  dir: string,
  file: string | undefined,
  nItems: number,
): Promise<string[]> {
  let classes = set.classes;
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new InputError(file, `cannot read class list: ${(err as Error).message}`);
    }
    classes = text
      .split('\n')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (set.logits === undefined) {
    throw new InputError(
      dir,
      'the store has no logits column: run `fairscope probe predict` (or embed a classifier) first',
      {
        field: 'logits',
      },
    );
  }
  if (classes === undefined || classes.length === 0) {
    throw new UsageError(`${dir} lists no classes: pass --classes CLASSES.txt`);
  }
  const width = nItems === 0 ? classes.length : set.logits.length / nItems;
  if (width !== classes.length) {
    throw new InputError(file ?? dir, `${classes.length} class names for logits of ${width} columns`, {
      field: 'classes',
    });
  }
  return classes;
}

/** Label name of each class from a JSON map {class: name | [names]} (protocols.md 9.7: value[0]). */
async function labelNames(
  file: string | undefined,
  classes: readonly string[],
): Promise<string[] | undefined> {
  if (file === undefined) return undefined;
  let map: Record<string, unknown>;
  try {
    map = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new InputError(file, `cannot read label-name map: ${(err as Error).message}`);
  }
  const absent = classes.filter((c) => map[c] === undefined);
  if (absent.length > 0) {
    throw new InputError(
      file,
      `${absent.length} class(es) have no label name: ${absent.slice(0, 5).join(', ')}${absent.length > 5 ? ', ...' : ''}`,
    );
  }
  return classes.map((c) => {
    const v = map[c];
    const name = Array.isArray(v) ? v[0] : v;
    if (typeof name !== 'string' || name === '') {
      throw new InputError(file, `must be a label name or a list of them, got ${JSON.stringify(v)}`, {
        field: c,
      });
    }
    return name;
  });
}

interface Loaded {
  items: ManifestItem[];
  set: EmbeddingSet;
  rows: Int32Array;
  excluded: FailedItem[];
}

/** Reads a manifest and a store and aligns their ids. */
async function loadAligned(
  manifest: string,
  dir: string,
  dataset: string,
  allowMissing: boolean,
): Promise<Loaded> {
  const [all, set, failures] = await Promise.all([
    readManifest(manifest),
    readEmbeddings(dir),
    readFailures(dir),
  ]);
  const a = alignToManifest(all, set.ids, { manifest, store: dir, dataset }, { failures, allowMissing });
  return { items: a.items, set, rows: a.rows, excluded: a.excluded };
}

/**
 * The manifest's items aligned with a prediction store, the class names (--classes or the store's)
 * and their logits (items, classes) row-major, checked finite.
 */
async function loadPredictions(
  v: CommonValues & { classes?: string },
  manifest: string,
  dir: string,
): Promise<Omit<Loaded, 'rows'> & { dataset: string; classes: string[]; logits: Float32Array }> {
  const dataset = datasetName(v, manifest);
  const { items, set, rows, excluded } = await loadAligned(
    manifest,
    dir,
    dataset,
    v['allow-missing'] ?? false,
  );
  const classes = await classNames(set, dir, v.classes, set.ids.length);
  const logits = takeRows(set.logits as Float32Array, classes.length, rows);
  checkLogits(
    logits,
    items.map((i) => i.id),
    classes,
    dir,
  );
  return { dataset, items, set, excluded, classes, logits };
}

/** Writes rows (and what they came from) to the results file; with --append merges into it. */
async function saveResults(
  v: CommonValues,
  entry: {
    rows: ResultRow[];
    model: string;
    modelInfo: Record<string, unknown>;
    datasets: Record<string, Record<string, unknown>>;
    indicator: string;
    deviations: string[];
    failures: FailedItem[];
    extra: Record<string, unknown>;
  },
): Promise<string> {
  const out = required(v.out, 'out');
  const results: ResultsFile = v.append && existsSync(out) ? await readResults(out) : emptyResults();
  const datasetNames = new Set(Object.keys(entry.datasets));
  results.rows = results.rows.filter(
    (r) => !(r.model === entry.model && r.indicator === entry.indicator && datasetNames.has(r.dataset ?? '')),
  );
  results.rows.push(...entry.rows);
  results.models[entry.model] = { ...(results.models[entry.model] ?? {}), ...entry.modelInfo };
  Object.assign(results.datasets, entry.datasets);
  for (const d of entry.deviations) if (!results.deviations.includes(d)) results.deviations.push(d);
  const failed = new Set(results.failures.map((f) => `${f.dataset}\u0000${f.id}`));
  results.failures.push(...entry.failures.filter((f) => !failed.has(`${f.dataset}\u0000${f.id}`)));
  results.extra[entry.indicator] = entry.extra;
  await writeResults(out, results);
  return out;
}

function fmt(x: number): string {
  return Number.isNaN(x) ? 'n/a' : Math.abs(x) >= 100 ? x.toFixed(1) : x.toPrecision(3);
}

/** A few lines for the terminal: overall values and gaps of the main metric. */
function printSummary(
  v: CommonValues,
  header: string,
  rows: ResultRow[],
  mainMetric: string,
  notes: string[],
  out: string,
): void {
  if (v.json) {
    process.stdout.write(`${JSON.stringify({ out, rows: rows.length, notes }, null, 2)}\n`);
    return;
  }
  const lines = [header];
  const shown = rows.filter(
    (r) =>
      (r.metric === mainMetric && Object.keys(r.group).length === 0) ||
      (r.metric === `${mainMetric}.difference` && r.params.method === 'betweenGroups'),
  );
  for (const r of shown.slice(0, 60)) {
    const params = Object.entries(r.params)
      .filter(
        ([k]) =>
          ![
            'unit',
            'method',
            'topK',
            'taxonomy',
            'definition',
            'aggregation',
            'attribute',
            'search',
          ].includes(k),
      )
      .map(([k, x]) => `${k}=${x}`)
      .join(' ');
    const what = r.metric.endsWith('.difference') ? `gap ${groupLabel(r.group)}` : 'overall';
    lines.push(
      `  ${params.padEnd(34)} ${what.padEnd(28)} ${fmt(r.value)} [${fmt(r.ci[0])}, ${fmt(r.ci[1])}]`,
    );
  }
  if (shown.length > 60) lines.push(`  ... (${shown.length - 60} more in the results file)`);
  for (const n of notes) lines.push(`note: ${n}`);
  lines.push(`wrote ${rows.length} rows to ${out}`);
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
  const bootstrap = bootstrapOptions(v);
  const { dataset, items, set, excluded, classes, logits } = await loadPredictions(v, manifest, dir);
  const names = await labelNames(v['label-names'], classes);
  const { missing } = checkTaxonomyCoverage(taxonomy, names ?? classes, {
    allowPartial: v['allow-partial-taxonomy'] ?? false,
    classesFile: v.classes ?? v['label-names'],
  });
  const groupings: Grouping[] = parseGroupings(v.groups, items);
  const model = v.model ?? set.modelId;
  const resultRows = labelAssociation(items, logits, {
    model,
    dataset,
    taxonomy,
    classes,
    labelNames: names,
    thresholds,
    groupings,
    missingValues: missingValues(v['missing-values']),
    perClass: perClass as 'taxonomy' | 'all' | 'none',
    comparisons: comparisonKind(v.comparisons),
    bootstrap,
  });
  const notes: string[] = [];
  if (missing.length > 0) {
    notes.push(`taxonomy labels not among the classes (they can never be predicted): ${missing.join(', ')}`);
  }
  if (excluded.length > 0)
    notes.push(`${excluded.length} item(s) excluded (no prediction): see failures in the results`);
  const deviations = [
    'label-association: values are not rounded (the reference code rounds hit rates to 3 decimals and confidences to 5 decimals before comparing them with the disparate-label threshold).',
    'label-association: groups with missing values (n/a, unknown) are reported, and left out of gaps and tests (the reference printer drops them).',
    ...(taxonomy.harmfulTypes.length > 0
      ? [
          `label-association: the aggregated "Harmful" rate (${taxonomy.harmfulTypes.join(' ∪ ')}) is our inference; the reference code reports each type separately.`,
        ]
      : []),
    ...(missing.length > 0
      ? [`label-association: partial taxonomy coverage; absent labels: ${missing.join(', ')}.`]
      : []),
  ];
  const out = await saveResults(v, {
    rows: resultRows,
    model,
    modelInfo: {
      predictions: dir,
      classes: classes.length,
      ...(set.preprocessHash ? { preprocessHash: set.preprocessHash } : {}),
    },
    datasets: { [dataset]: { manifest, items: items.length, excluded: excluded.length } },
    indicator: 'label-association',
    deviations,
    failures: excluded,
    extra: {
      taxonomy: taxonomy.name,
      taxonomyFile: taxonomy.file,
      thresholds,
      groupings: groupings.map((g) => g.name),
      missingTaxonomyLabels: missing,
      notes,
    },
  });
  printSummary(
    v,
    `label-association: ${items.length} images, taxonomy ${taxonomy.name}`,
    resultRows,
    'hit_rate',
    notes,
    out,
  );
  return 0;
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
    },
    USAGE,
  );
  if (parsed === null) return 0;
  const v = parsed.values;
  const manifest = required(v.manifest, 'manifest');
  const dir = required(v.predictions, 'predictions');
  const mapFile = required(v['concept-map'], 'concept-map');
  required(v.out, 'out');
  const thresholds = thresholdList(v.thresholds, GEOGRAPHIC_THRESHOLDS);
  const bootstrap = bootstrapOptions(v);
  const { dataset, items, set, excluded, classes, logits } = await loadPredictions(v, manifest, dir);
  const conceptMap = await loadConceptMap(mapFile, classes);
  const groupings = parseGroupings(v.groups ?? DEFAULT_GEOGRAPHIC_GROUPS, withIncomeBuckets(items).items);
  const model = v.model ?? set.modelId;
  const { rows: resultRows, notes } = geographic(items, logits, {
    model,
    dataset,
    conceptsOfClass: conceptMap.conceptsOfClass,
    thresholds,
    groupings,
    missingValues: missingValues(v['missing-values']),
    comparisons: comparisonKind(v.comparisons),
    bootstrap,
  });
  const unmapped = conceptMap.conceptsOfClass.filter((c) => c.length === 0).length;
  if (unmapped > 0) notes.push(`${unmapped} of ${classes.length} classes map to no concept`);
  if (excluded.length > 0)
    notes.push(`${excluded.length} item(s) excluded (no prediction): see failures in the results`);
  const out = await saveResults(v, {
    rows: resultRows,
    model,
    modelInfo: { predictions: dir, classes: classes.length },
    datasets: { [dataset]: { manifest, items: items.length, excluded: excluded.length } },
    indicator: 'geographic',
    deviations: [
      'geographic: images listed under several labels are one item, a hit when any label is hit (the de-duplication of [P-FI] §3.2; commented out in the reference code).',
      'geographic: values are in percent and not rounded.',
    ],
    failures: excluded,
    extra: {
      conceptMap: conceptMap.name,
      conceptMapFile: conceptMap.file,
      thresholds,
      groupings: groupings.map((g) => g.name),
      notes,
    },
  });
  printSummary(v, `geographic: ${items.length} images`, resultRows, 'hit_rate', notes, out);
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
  const ks = numberList(v.k, 'k', [...RETRIEVAL_KS]);
  const search = v.search ?? 'exact';
  if (search !== 'exact' && search !== 'hnsw')
    throw new UsageError(`--search must be exact or hnsw, got "${search}"`);
  const bootstrap = bootstrapOptions(v);
  const qName = datasetName(v, qManifest);
  const dName = basename(dManifest, extname(dManifest));
  const allowMissing = v['allow-missing'] ?? false;
  const [qs, ds] = await Promise.all([
    loadAligned(qManifest, qDir, qName, allowMissing),
    loadAligned(dManifest, dDir, dName, allowMissing),
  ]);
  if (qs.set.dim !== ds.set.dim) {
    throw new InputError(
      dDir,
      `database embeddings have ${ds.set.dim} dimensions, queries (${qDir}) ${qs.set.dim}`,
      {
        field: 'embedding',
      },
    );
  }
  if (qs.set.modelId !== ds.set.modelId && v.model === undefined) {
    throw new UsageError(
      `queries were embedded by "${qs.set.modelId}" and the database by "${ds.set.modelId}": compare embeddings of one model (or pass --model to override)`,
    );
  }
  const dim = qs.set.dim;
  const qEmb = takeRows(qs.set.data, dim, qs.rows);
  const dEmb = takeRows(ds.set.data, dim, ds.rows);
  for (const [emb, set, dir] of [
    [qEmb, qs, qDir],
    [dEmb, ds, dDir],
  ] as const) {
    const bad = firstNonFinite(emb);
    if (bad >= 0) {
      throw new InputError(
        dir,
        `embedding of item "${set.items[Math.floor(bad / dim)]?.id}" has a non-finite value (${emb[bad]})`,
        {
          field: 'embedding',
        },
      );
    }
  }
  if (!ds.items.some((it) => it.attrs[attribute] !== undefined)) {
    throw new InputError(dManifest, `no database item has the attribute "${attribute}"`, {
      field: `attrs.${attribute}`,
    });
  }
  const groupings = parseGroupings(v.groups, qs.items);
  const model = v.model ?? qs.set.modelId;
  const progress = startProgress('retrieval', qs.items.length, { quiet: v.json });
  let shown = 0;
  const { rows: resultRows, notes } = await retrieval(qs.items, qEmb, ds.items, dEmb, dim, {
    model,
    dataset: qName,
    attribute,
    ks,
    groupings,
    missingValues: missingValues(v['missing-values']),
    comparisons: comparisonKind(v.comparisons),
    bootstrap,
    search,
    recallSample: positiveInt(v['recall-sample'], 'recall-sample', DEFAULT_RECALL_SAMPLE),
    threads: v.threads === undefined ? undefined : positiveInt(v.threads, 'threads', 1),
    onProgress: (done) => {
      progress.tick(done - shown);
      shown = done;
    },
  });
  progress.stop();
  const excluded = [...qs.excluded, ...ds.excluded];
  if (excluded.length > 0)
    notes.push(`${excluded.length} item(s) excluded (no embedding): see failures in the results`);
  const out = await saveResults(v, {
    rows: resultRows,
    model,
    modelInfo: { queryEmbeddings: qDir, databaseEmbeddings: dDir, dim },
    datasets: {
      [qName]: { manifest: qManifest, role: 'queries', items: qs.items.length, excluded: qs.excluded.length },
      [dName]: {
        manifest: dManifest,
        role: 'database',
        items: ds.items.length,
        excluded: ds.excluded.length,
      },
    },
    indicator: 'retrieval',
    deviations: [
      'retrieval: ties in the similarity ranking are broken by database index (np.argsort in the reference code is unstable).',
      ...(search === 'hnsw'
        ? ['retrieval: approximate (HNSW) search; its recall against exact search is reported.']
        : []),
    ],
    failures: excluded,
    extra: { attribute, ks, search, groupings: groupings.map((g) => g.name), database: dName, notes },
  });
  printSummary(
    v,
    `retrieval: ${qs.items.length} queries, ${ds.items.length} database items, ${attribute}`,
    resultRows,
    'precision_at_k',
    notes,
    out,
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
