/**
 * `fairscope curate`: selects a training subset from embeddings: k-center coreset, group-balanced
 * k-center, typical, unique or random, optionally after removing near-duplicates; writes the subset
 * manifest in selection order and reports group shares before/after and coverage.
 */

import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { EXIT, UsageError } from '../../core/errors.js';
import { emptyResults, readResults, writeResults } from '../../core/results.js';
import { DEDUP_THRESHOLD } from '../../curate/dedup.js';
import { FIRST_PICKS, type FirstPick } from '../../curate/kcenter.js';
import { loadCurationInput, writeSubsetManifest } from '../../curate/load.js';
import { DISTANCE_METRICS, type DistanceMetric } from '../../curate/points.js';
import { parseShares, type ShareSpec } from '../../curate/quotas.js';
import { type CurationReport, runCuration } from '../../curate/run.js';
import { parseSearchMethod } from '../../curate/search.js';
import { STRATEGIES, type Strategy } from '../../curate/select.js';
import { curationSummary } from '../../curate/summary.js';
import { TYPICALITY_NEIGHBOURS } from '../../curate/typicality.js';
import { noPositionals, parseCommandArgs, positiveInt, required } from '../args.js';
import { startProgress } from '../progress.js';

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
  --results FILE        add the 'curation' rows to this results.json (created when absent)
  --dataset NAME        dataset name for the results rows
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
      seed: { type: 'string' },
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

  const input = await loadCurationInput(manifestPath, embeddingsDir, metric);
  if (input.excludedFailures.length > 0) {
    process.stderr.write(
      `${input.excludedFailures.length} item(s) without embeddings (listed in ${embeddingsDir}/failures.jsonl) are left out\n`,
    );
  }
  const progress = startProgress(`curate ${strategy}`, budget);
  let result: Awaited<ReturnType<typeof runCuration>>;
  try {
    result = await runCuration(input.points, input.items, {
      strategy,
      budget,
      seed,
      first,
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
      ...(values.dedup
        ? {
            dedup: {
              threshold: dedupThreshold ?? DEDUP_THRESHOLD,
              search,
              ...(threads === undefined ? {} : { threads }),
            },
          }
        : {}),
      ...(values.neighbours === undefined
        ? {}
        : { neighbours: positiveInt(values.neighbours, 'neighbours', TYPICALITY_NEIGHBOURS) }),
      ...(minDistance === undefined ? {} : { minDistance }),
      ...(values.group === undefined ? {} : { reportAttributes: attributeList(values.group) as string[] }),
      onProgress: () => progress.tick(),
    });
  } finally {
    progress.stop();
  }
  const { report, selection } = result;
  await writeSubsetManifest(
    out,
    manifestPath,
    selection.order.map((i) => input.items[i]),
  );
  const reportJson = {
    ...report,
    out,
    model: input.modelId,
    ...(input.excludedFailures.length > 0 ? { excludedFailures: input.excludedFailures } : {}),
  };
  if (values.summary !== undefined)
    await writeFile(values.summary, `${JSON.stringify(reportJson, null, 2)}\n`);
  if (values.results !== undefined) {
    const results = existsSync(values.results) ? await readResults(values.results) : emptyResults();
    const rows = curationSummary(report, {
      model: input.modelId,
      ...(values.dataset === undefined ? {} : { dataset: values.dataset }),
    });
    results.rows.push(...rows);
    results.extra.curation = [...((results.extra.curation as unknown[] | undefined) ?? []), reportJson];
    await writeResults(values.results, results);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(reportJson, null, 2)}\n`);
  else printReport(report, out);
  return EXIT.ok;
}
