/**
 * `fairscope curate`: selects a training subset from embeddings: k-center coreset, group-balanced
 * k-center, typical, unique or random, optionally after removing near-duplicates; writes the subset
 * manifest in selection order and reports group shares before/after and coverage.
 */

import { writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { EXIT, UsageError } from '../../core/errors.js';
import { mergeStageResults, type StageResult } from '../../core/stage.js';
import { DEDUP_THRESHOLD } from '../../curate/dedup.js';
import type { SelectionEvalSpec } from '../../curate/evaluate-selection.js';
import { FIRST_PICKS, type FirstPick } from '../../curate/kcenter.js';
import { writeSubsetManifest } from '../../curate/node/load.js';
import { DISTANCE_METRICS, type DistanceMetric } from '../../curate/points.js';
import { parseShares, type ShareSpec } from '../../curate/quotas.js';
import type { CurationReport } from '../../curate/run.js';
import { parseSearchMethod } from '../../curate/search.js';
import { STRATEGIES, type Strategy } from '../../curate/select.js';
import { type CurationRow, curateDataset, evaluateSelection } from '../../curate/stage.js';
import { TYPICALITY_NEIGHBOURS } from '../../curate/typicality.js';
import { loadEmbeddedItems } from '../../embed/load.js';
import { groupSpecsOf } from '../../indicators/group-specs.js';
import { saveResults } from '../../report/node/results-file.js';
import { noPositionals, parseCommandArgs, positiveInt, required } from '../args.js';
import { GUARD_OPTIONS, withOutputGuard } from '../out-guard.js';
import { startProgress } from '../progress.js';
import { BOOTSTRAP_HELP, BOOTSTRAP_OPTIONS, bootstrapOptions } from '../stage-options.js';

export const summary = 'select a diverse, group-balanced, de-duplicated subset from embeddings';

const USAGE = `
usage: fairscope curate --manifest M.jsonl --embeddings DIR --budget N --out SELECTED.jsonl [options]

  --manifest FILE       the items (JSONL)
  --embeddings DIR      their embedding store (fairscope embed); items listed in DIR/failures.jsonl
                        are left out, any other id mismatch is an error
  --budget N            items to select
  --out FILE            the selected items as a manifest, in selection order (relative image paths
                        are rewritten to stay valid from FILE's folder)
  --strategy S          ${STRATEGIES.join(' | ')} (default kcenter)
                          kcenter   k-center greedy coreset: each pick is the item farthest from
                                    those picked so far (most diverse, covers the space)
                          balanced  kcenter under group quotas (needs --balance)
                          typical   most typical first (mean cosine similarity to the k nearest
                                    neighbours); --min-distance adds diversity
                          unique    least typical first (largest kNN distance)
                          random    seeded uniform sample (baseline)
  --balance A[,B]       attribute(s) whose groups get quotas (crossed when several: a group is
                        "v1|v2"); applies to every strategy
  --shares SPEC         "equal" (default) or VALUE=FRACTION,... summing to 1 (unlisted groups: 0);
                        counts by largest remainder, so they sum to the budget exactly
  --min-share SPEC      VALUE=FRACTION,... lower bounds (rounded up); the rest of the budget is free
  --allow-shortfall     when a group has fewer items than its quota, take all of them and give the
                        missing items to the other groups (default: fail, naming each group)
  --seed N              seed of the random first pick and of --strategy random (default 0)
  --first F             kcenter first pick: random (seeded, default) | mean (item nearest the mean)
  --metric M            ${DISTANCE_METRICS.join(' | ')} (default cosine: 1 - cos on L2-normalised rows)
  --dedup               remove near-duplicates first (cosine >= --dedup-threshold; each cluster
                        keeps its first item)
  --dedup-threshold T   default ${DEDUP_THRESHOLD}
  --neighbours K        typicality neighbours (default ${TYPICALITY_NEIGHBOURS})
  --min-distance D      typical/unique: skip items closer than D to a selected one
  --search S            kNN for typicality/dedup: auto | exact | hnsw (default auto: exact when small)
  --group A[,B]         attributes whose shares to report when not balancing
  --summary FILE        write the report (shares before/after, coverage...) as JSON
  --results FILE        add the 'curation' rows to this results.json (created when absent; rows
                        this run recomputes are replaced, others kept)
  --dataset NAME        dataset name for the results rows (default: the manifest's file name)
  --model NAME          model name for the results rows (default: the store's model id)
  --wait                wait for another fairscope process writing the same output, instead of refusing
  --allow-missing       leave out manifest items the store has no row for (listed as failures)
                        instead of failing; the store may always hold more items than the manifest

evaluating the selection (a probe trained on it against probes trained on random selections of the
same size, scored on a test set overall and per group):
  --evaluate-test FILE        the test manifest (turns the evaluation on)
  --evaluate-embeddings DIR   its embedding store (default: --embeddings)
  --evaluate-name NAME        the test dataset's name in the rows (default: its file name)
  --label-from SRC            labels (default) | attr:NAME: the class the probes predict
  --head H                    linear (default) | bn-linear | knn
  --l2 X --max-iter N --k N --temperature T   probe options, as \`fairscope probe train\`
  --evaluate-groups A,B*C     groups of the test set
  --random-draws N            random selections (default 5)
${BOOTSTRAP_HELP}
  --threads N           onnxruntime threads (default: all cores)
  --json                print the report as JSON on stdout

Coverage is the mean distance from every input item to its nearest selected item (lower covers
better). Exit status 1 when a balance cannot be met (which group, short by how many), 2 for a bad
command line (e.g. a budget larger than the set).
`;

function oneOf<T extends string>(
  value: string | undefined,
  allowed: readonly T[],
  name: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

function nonNegative(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isFinite(x) || x < 0) throw new UsageError(`--${name} must be a number >= 0, got "${value}"`);
  return x;
}

function attributeList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const list = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new UsageError('expected a comma-separated list of attributes');
  return list;
}

function shareSpec(shares: string | undefined, minShare: string | undefined): ShareSpec {
  if (shares !== undefined && minShare !== undefined)
    throw new UsageError('give --shares or --min-share, not both');
  if (minShare !== undefined) return { kind: 'minimum', shares: parseShares(minShare, 'min-share') };
  if (shares === undefined || shares === 'equal') return { kind: 'equal' };
  return { kind: 'exact', shares: parseShares(shares, 'shares') };
}

/** The evaluation options of --evaluate-test, or undefined when it is not given. */
function evaluationSpec(
  values: Record<string, string | boolean | string[] | undefined>,
): SelectionEvalSpec | undefined {
  const str = (k: string) => values[k] as string | undefined;
  const testManifest = str('evaluate-test');
  if (testManifest === undefined) {
    for (const k of [
      'evaluate-embeddings',
      'evaluate-name',
      'evaluate-groups',
      'random-draws',
      'label-from',
      'head',
    ]) {
      if (values[k] !== undefined) throw new UsageError(`--${k} needs --evaluate-test FILE`);
    }
    return undefined;
  }
  const head = oneOf(str('head'), ['linear', 'bn-linear', 'knn'] as const, 'head', 'linear');
  const number = (k: string) => {
    const v = str(k);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x)) throw new UsageError(`--${k} must be a number, got "${v}"`);
    return x;
  };
  const l2 = number('l2');
  const temperature = number('temperature');
  return {
    test: str('evaluate-name') ?? basename(testManifest, extname(testManifest)),
    labelFrom: str('label-from') ?? 'labels',
    head,
    ...(l2 === undefined ? {} : { l2 }),
    ...(str('max-iter') === undefined ? {} : { maxIter: positiveInt(str('max-iter'), 'max-iter', 1) }),
    ...(str('k') === undefined ? {} : { k: positiveInt(str('k'), 'k', 20) }),
    ...(temperature === undefined ? {} : { temperature }),
    groups: groupSpecsOf(str('evaluate-groups')) ?? [],
    randomDraws: positiveInt(str('random-draws'), 'random-draws', 5),
  };
}

function printReport(r: CurationReport, out: string): void {
  const lines = [
    `${out}: ${r.selected} of ${r.items} items by ${r.strategy} (${r.metric}, seed ${r.seed}${r.first ? `, first ${r.first}` : ''})`,
    `  coverage ${r.coverage.toFixed(4)} (mean distance to the nearest selected item), radius ${r.radius.toFixed(4)}`,
  ];
  if (r.duplicatesRemoved !== undefined) {
    lines.push(
      `  removed ${r.duplicatesRemoved} near-duplicates in ${r.duplicateClusters} clusters (cosine >= ${r.dedupThreshold})`,
    );
  }
  if (r.shares.length > 0) {
    lines.push(`  shares by ${r.attributes.join(' x ')}: group  before -> after (count)`);
    for (const s of r.shares) {
      const quota =
        s.quota === undefined
          ? ''
          : `  quota ${s.quota.lower === s.quota.upper ? s.quota.lower : `>= ${s.quota.lower}`}`;
      const short = s.short ? `  SHORT by ${s.short}` : '';
      lines.push(
        `    ${s.key.padEnd(20)} ${(100 * s.shareBefore).toFixed(1).padStart(5)}% -> ${(100 * s.shareAfter).toFixed(1).padStart(5)}% (${s.countAfter})${quota}${short}`,
      );
    }
  }
  for (const w of r.warnings) lines.push(`  warning: ${w}`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      manifest: { type: 'string' },
      embeddings: { type: 'string' },
      budget: { type: 'string' },
      out: { type: 'string' },
      strategy: { type: 'string' },
      balance: { type: 'string' },
      shares: { type: 'string' },
      'min-share': { type: 'string' },
      'allow-shortfall': { type: 'boolean' },
      first: { type: 'string' },
      metric: { type: 'string' },
      dedup: { type: 'boolean' },
      'dedup-threshold': { type: 'string' },
      neighbours: { type: 'string' },
      'min-distance': { type: 'string' },
      search: { type: 'string' },
      group: { type: 'string' },
      summary: { type: 'string' },
      results: { type: 'string' },
      dataset: { type: 'string' },
      model: { type: 'string' },
      'allow-missing': { type: 'boolean' },
      wait: GUARD_OPTIONS.wait,
      'evaluate-test': { type: 'string' },
      'evaluate-embeddings': { type: 'string' },
      'evaluate-name': { type: 'string' },
      'label-from': { type: 'string' },
      head: { type: 'string' },
      l2: { type: 'string' },
      'max-iter': { type: 'string' },
      k: { type: 'string' },
      temperature: { type: 'string' },
      'evaluate-groups': { type: 'string' },
      'random-draws': { type: 'string' },
      ...BOOTSTRAP_OPTIONS,
      threads: { type: 'string' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if (args === null) return EXIT.ok;
  const { values } = args;
  noPositionals(args.positionals);
  const manifestPath = required(values.manifest, 'manifest');
  const embeddingsDir = required(values.embeddings, 'embeddings');
  const out = required(values.out, 'out');
  const budget = positiveInt(required(values.budget, 'budget'), 'budget', 0);
  const strategy = oneOf<Strategy>(values.strategy, STRATEGIES, 'strategy', 'kcenter');
  const metric = oneOf<DistanceMetric>(values.metric, DISTANCE_METRICS, 'metric', 'cosine');
  const first = oneOf<FirstPick>(values.first, FIRST_PICKS, 'first', 'random');
  const seed = values.seed === undefined ? 0 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0)
    throw new UsageError(`--seed must be an integer >= 0, got "${values.seed}"`);
  const balanceAttributes = attributeList(values.balance);
  if (balanceAttributes === undefined && (values.shares !== undefined || values['min-share'] !== undefined)) {
    throw new UsageError('--shares/--min-share need --balance ATTR');
  }
  if (strategy === 'balanced' && balanceAttributes === undefined) {
    throw new UsageError(
      '--strategy balanced needs --balance ATTR[,ATTR] (the attributes whose shares to balance)',
    );
  }
  const dedupThreshold = nonNegative(values['dedup-threshold'], 'dedup-threshold');
  if (dedupThreshold !== undefined && !values.dedup) throw new UsageError('--dedup-threshold needs --dedup');
  const minDistance = nonNegative(values['min-distance'], 'min-distance');
  if (minDistance !== undefined && strategy !== 'typical' && strategy !== 'unique') {
    throw new UsageError('--min-distance applies to --strategy typical or unique');
  }
  const threads = values.threads === undefined ? undefined : positiveInt(values.threads, 'threads', 1);
  const search = parseSearchMethod(values.search);

  const dataset = values.dataset ?? basename(manifestPath, extname(manifestPath));
  const pool = await loadEmbeddedItems({
    manifest: manifestPath,
    store: embeddingsDir,
    dataset,
    allowMissing: values['allow-missing'] ?? false,
  });
  if (pool.excluded.length > 0) {
    process.stderr.write(
      `${pool.excluded.length} item(s) without embeddings (listed in ${embeddingsDir}/failures.jsonl) are left out\n`,
    );
  }
  const model = values.model ?? pool.modelId;
  const evaluateSpec = evaluationSpec(values);
  const progress = startProgress(`curate ${strategy}`, budget);
  let curation: Awaited<ReturnType<typeof curateDataset>>;
  try {
    curation = await curateDataset(model, pool, {
      strategy,
      budget,
      seed,
      first,
      metric,
      search,
      ...(threads === undefined ? {} : { threads }),
      ...(balanceAttributes === undefined
        ? {}
        : {
            balance: {
              attributes: balanceAttributes,
              shares: shareSpec(values.shares, values['min-share']),
              allowShortfall: values['allow-shortfall'] ?? false,
            },
          }),
      ...(values.dedup ? { dedup: { threshold: dedupThreshold ?? DEDUP_THRESHOLD } } : {}),
      ...(values.neighbours === undefined
        ? {}
        : { neighbours: positiveInt(values.neighbours, 'neighbours', TYPICALITY_NEIGHBOURS) }),
      ...(minDistance === undefined ? {} : { minDistance }),
      ...(values.group === undefined ? {} : { groups: attributeList(values.group) as string[] }),
      onProgress: () => progress.tick(),
    });
  } finally {
    progress.stop();
  }
  const results: StageResult<CurationRow>[] = [curation];
  if (evaluateSpec !== undefined) {
    const testManifest = required(values['evaluate-test'], 'evaluate-test');
    const test = await loadEmbeddedItems({
      manifest: testManifest,
      store: values['evaluate-embeddings'] ?? embeddingsDir,
      dataset: evaluateSpec.test,
    });
    results.push(
      await evaluateSelection(model, pool, curation, test, {
        evaluate: evaluateSpec,
        seed,
        bootstrap: bootstrapOptions(values),
      }),
    );
  }
  const result = mergeStageResults(results);
  const { report } = curation;
  const inputs = [manifestPath, embeddingsDir, values['evaluate-test'], values['evaluate-embeddings']];
  const guard = (file: string, option: string, write: () => Promise<unknown>) =>
    withOutputGuard({ command: 'curate', out: file, kind: 'file', inputs, option, wait: values.wait }, write);
  await guard(out, '--out', () => writeSubsetManifest(out, manifestPath, curation.selected));
  const reportJson = {
    ...report,
    out,
    model,
    ...(pool.excluded.length > 0 ? { excludedFailures: pool.excluded.map((f) => f.id) } : {}),
  };
  const summaryFile = values.summary;
  if (summaryFile !== undefined)
    await guard(summaryFile, '--summary', () =>
      writeFile(summaryFile, `${JSON.stringify(reportJson, null, 2)}\n`),
    );
  const resultsFile = values.results;
  if (resultsFile !== undefined) {
    await guard(resultsFile, '--results', () =>
      saveResults(
        resultsFile,
        {
          rows: result.rows,
          models: { [model]: { embeddings: embeddingsDir } },
          datasets: {
            [dataset]: { manifest: manifestPath, items: pool.items.length, excluded: pool.excluded.length },
          },
          deviations: result.deviations,
          failures: result.failures,
          extra: {
            curation: [
              {
                id: `${model}|${dataset}|${report.strategy}|${report.budget}|${report.seed}`,
                ...reportJson,
                notes: result.notes,
              },
            ],
          },
        },
        { merge: true },
      ),
    );
  }
  for (const n of result.notes) process.stderr.write(`note: ${n}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(reportJson, null, 2)}\n`);
  else printReport(report, out);
  return EXIT.ok;
}
