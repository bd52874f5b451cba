/**
 * `fairscope probe train|predict|eval`: adapt a frozen feature extractor to a label space with a
 * linear probe (softmax regression, L-BFGS or SGD), a BatchNorm+linear head, or a kNN classifier,
 * then write predictions in the embedding-store layout and measure top-k accuracy.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, UsageError } from '../../core/errors.js';
import { emptyResults, writeResults } from '../../core/results.js';
import type { EmbeddingSet, ResultRow } from '../../core/types.js';
import { readManifest } from '../../data/manifest.js';
import { readEmbeddings, readFailures, writeEmbeddings } from '../../embed/store.js';
import {
  classList,
  formatLabelSource,
  gatherRows,
  joinManifest,
  type LabelSource,
  parseLabelSource,
} from '../../probe/dataset.js';
import { accuracyReport } from '../../probe/evaluate.js';
import { type Head, predictLogitsWith } from '../../probe/head.js';
import { loadHead, saveHead } from '../../probe/head-io.js';
import { buildKnnHead, knnLogits, predictKnn } from '../../probe/knn-head.js';
import type { ComputeBackend } from '../../probe/products.js';
import { trainLinearProbe } from '../../probe/train.js';
import { numberList, parseCommandArgs, positiveInt, required } from '../args.js';

export const summary = 'train a linear/kNN probe on frozen embeddings, predict with it, measure accuracy';

const USAGE = `
usage: fairscope probe <train|predict|eval> [options]

  probe train --manifest M.jsonl --embeddings DIR --out HEAD_DIR [options]
      --label-from labels|attr:NAME  class of an item: its first label (default) or an attribute
      --skip-unlabeled               leave out (and count) items without a label instead of failing
      --head linear|bn-linear|knn    softmax regression (default), vissl's BatchNorm+linear eval_mlp
                                     (SGD), or a weighted kNN classifier (DINO/InstDisc)
      --optimizer lbfgs|sgd          default lbfgs (sgd for bn-linear)
      --l2 X                         λ of mean CE + λ/2·‖W‖² (default 1e-4; sklearn's C = 1/(n·λ))
      --max-iter N                   L-BFGS iterations (default 1000) or SGD epochs (default 100)
      --tol X                        L-BFGS: stop at max |gradient| ≤ X (default 1e-6)
      --val-fraction F               stratified held-out fraction (default 0.1 for SGD, 0 for L-BFGS)
      --lr X --batch-size N --patience N   SGD: base learning rate (0.1, cosine to 0), batch (256),
                                     epochs without a better validation loss before stopping (10)
      --k N --temperature T          kNN: neighbours (20) and vote temperature (0.07)
      --seed N                       split and batch order (default 0)

  probe predict --head HEAD_DIR --embeddings DIR --out PRED_DIR [--model-id ID]
      Writes PRED_DIR in the embedding-store layout with a logits column and the class list
      (also PRED_DIR/classes.txt). Linear heads write raw scores z = W·h + b: consumers apply a
      softmax over all classes. kNN heads write log(summed vote weights) (−Infinity for a class
      with no vote), so a softmax gives each class's share of the vote; an item whose id is in the
      bank does not vote for itself.

  probe eval --head HEAD_DIR --embeddings DIR --manifest M.jsonl [options]
      Top-1 and top-5 accuracy with clustered bootstrap intervals (clusters from the manifest).
      --group-by ATTR[,ATTR]  also per group of each attribute, with gaps
      --resamples N (1000) --level L (0.95) --seed N (0) --skip-unlabeled
      --results FILE          also write the rows to a results.json

  common: --backend auto|js|onnx (matrix products; auto = onnxruntime for large inputs)
          --threads N (onnxruntime threads) --json (machine-readable output on stdout)
`;

const COMMON = {
  embeddings: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
} as const;

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (!Number.isFinite(x)) throw new UsageError(`--${name} must be a number, got "${value}"`);
  return x;
}

function oneOf<T extends string>(
  value: string | undefined,
  name: string,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) {
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  }
  return value as T;
}

function backendOf(values: { backend?: string }): ComputeBackend {
  return oneOf(values.backend, 'backend', ['auto', 'js', 'onnx'] as const) ?? 'auto';
}

function threadsOf(values: { threads?: string }): number | undefined {
  return values.threads === undefined ? undefined : positiveInt(values.threads, 'threads', 1);
}

/** Runs a library call whose RangeError means a bad option value. */
async function asUsage<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

function percent(x: number | null): string {
  return x === null || Number.isNaN(x) ? 'n/a' : `${(100 * x).toFixed(2)}%`;
}

/** Ids of items the embed step could not embed (DIR/failures.jsonl; none when absent). */
async function failedIds(dir: string): Promise<Set<string>> {
  return new Set((await readFailures(dir)).map((f) => f.id));
}

/** The head must have been trained on features of the same model and dimension. */
function checkCompatible(head: Head, headDir: string, set: EmbeddingSet, dir: string): void {
  if (set.dim !== head.dim) {
    throw new InputError(
      dir,
      `embeddings have dim ${set.dim}, but the head in ${headDir} expects ${head.dim}`,
    );
  }
  const trainedOn = head.source?.modelId;
  if (trainedOn !== undefined && trainedOn !== set.modelId) {
    throw new InputError(
      dir,
      `embeddings come from model "${set.modelId}", but the head in ${headDir} was trained on "${trainedOn}"`,
    );
  }
}

async function train(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      ...COMMON,
      manifest: { type: 'string' },
      out: { type: 'string' },
      'label-from': { type: 'string' },
      'skip-unlabeled': { type: 'boolean' },
      head: { type: 'string' },
      optimizer: { type: 'string' },
      l2: { type: 'string' },
      'max-iter': { type: 'string' },
      tol: { type: 'string' },
      'val-fraction': { type: 'string' },
      lr: { type: 'string' },
      'batch-size': { type: 'string' },
      patience: { type: 'string' },
      k: { type: 'string' },
      temperature: { type: 'string' },
      seed: { type: 'string' },
    },
    USAGE,
  );
  if (parsed === null) return 0;
  const v = parsed.values;
  const manifestPath = required(v.manifest, 'manifest');
  const dir = required(v.embeddings, 'embeddings');
  const out = required(v.out, 'out');
  const labelSource: LabelSource = parseLabelSource(v['label-from'] ?? 'labels');
  const headKind = oneOf(v.head, 'head', ['linear', 'bn-linear', 'knn'] as const) ?? 'linear';
  const seedValue = number(v.seed, 'seed') ?? 0;
  if (!Number.isInteger(seedValue) || seedValue < 0)
    throw new UsageError(`--seed must be a non-negative integer`);

  const [items, set, failed] = await Promise.all([
    readManifest(manifestPath),
    readEmbeddings(dir),
    failedIds(dir),
  ]);
  const joined = joinManifest(manifestPath, items, set, dir, {
    labelSource,
    skipUnlabeled: v['skip-unlabeled'] === true,
    failedIds: failed,
  });
  const classes = classList(joined.labels);
  const index = new Map(classes.map((name, i) => [name, i]));
  const labels = Int32Array.from(joined.labels, (name) => index.get(name) as number);
  const x = gatherRows(set, joined.rows);
  const n = joined.rows.length;
  const source = {
    modelId: set.modelId,
    ...(set.preprocessHash === undefined ? {} : { preprocessHash: set.preprocessHash }),
    labelFrom: formatLabelSource(labelSource),
  };

  let head: Head;
  if (headKind === 'knn') {
    head = await asUsage(async () =>
      buildKnnHead(
        x,
        n,
        set.dim,
        labels,
        classes,
        joined.items.map((it) => it.id),
        {
          k: v.k === undefined ? undefined : positiveInt(v.k, 'k', 20),
          temperature: number(v.temperature, 'temperature'),
        },
      ),
    );
  } else {
    head = await asUsage(() =>
      trainLinearProbe(x, n, set.dim, labels, classes.length, {
        head: headKind,
        optimizer: oneOf(v.optimizer, 'optimizer', ['lbfgs', 'sgd'] as const),
        l2: number(v.l2, 'l2'),
        maxIter: v['max-iter'] === undefined ? undefined : positiveInt(v['max-iter'], 'max-iter', 1),
        tolerance: number(v.tol, 'tol'),
        valFraction: number(v['val-fraction'], 'val-fraction'),
        learningRate: number(v.lr, 'lr'),
        batchSize:
          v['batch-size'] === undefined ? undefined : positiveInt(v['batch-size'], 'batch-size', 256),
        patience: v.patience === undefined ? undefined : positiveInt(v.patience, 'patience', 10),
        seed: seedValue,
        backend: backendOf(v),
        threads: threadsOf(v),
        classes,
      }),
    );
  }
  head.source = source;
  await saveHead(out, head);

  const report = {
    head: out,
    adaptation: head.adaptation,
    kind: head.head,
    classes: classes.length,
    items: n,
    skippedUnlabeled: joined.skippedUnlabeled,
    skippedFailed: joined.skippedFailed,
    metrics: head.metrics,
  };
  if (v.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    const lines = [
      `wrote ${join(out, 'head.json')} (${head.adaptation}, head ${head.head}, ${classes.length} classes, ${n} items)`,
    ];
    if (joined.skippedUnlabeled > 0) lines.push(`skipped ${joined.skippedUnlabeled} item(s) without a label`);
    if (joined.skippedFailed > 0)
      lines.push(`skipped ${joined.skippedFailed} item(s) listed in failures.jsonl`);
    if (head.adaptation === 'linear-probe') {
      const m = head.metrics;
      lines.push(
        `train accuracy ${percent(m.trainAccuracy)} (loss ${m.trainLoss.toFixed(4)}, ${m.trainCount} items)` +
          (m.valAccuracy === null
            ? ''
            : `, validation accuracy ${percent(m.valAccuracy)} (${m.valCount} items)`),
        `${head.options.optimizer}: ${m.iterations} ${head.options.optimizer === 'sgd' ? 'epochs' : 'iterations'}, ` +
          `stop: ${m.stop}${m.converged ? '' : ' (not converged)'}, ${m.seconds.toFixed(2)} s on ${m.provider}`,
      );
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return 0;
}

async function predict(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    { ...COMMON, head: { type: 'string' }, out: { type: 'string' }, 'model-id': { type: 'string' } },
    USAGE,
  );
  if (parsed === null) return 0;
  const v = parsed.values;
  const headDir = required(v.head, 'head');
  const dir = required(v.embeddings, 'embeddings');
  const out = required(v.out, 'out');
  const [head, set] = await Promise.all([loadHead(headDir), readEmbeddings(dir)]);
  checkCompatible(head, headDir, set, dir);
  const n = set.ids.length;
  const backend = backendOf(v);
  const threads = threadsOf(v);
  const logits =
    head.adaptation === 'knn'
      ? knnLogits((await predictKnn(head, set.data, n, set.ids, { backend, threads })).scores)
      : await predictLogitsWith(head, set.data, n, backend, threads);
  const modelId = v['model-id'] ?? `${set.modelId}+${head.adaptation}`;
  await writeEmbeddings(
    out,
    {
      ids: set.ids,
      dim: set.dim,
      data: set.data,
      logits,
      classes: head.classes,
      modelId,
      ...(set.preprocessHash === undefined ? {} : { preprocessHash: set.preprocessHash }),
    },
    { provider: `fairscope probe ${head.adaptation} (${head.head})` },
  );
  await writeFile(join(out, 'classes.txt'), `${head.classes.join('\n')}\n`);
  const report = { out, modelId, items: n, classes: head.classes.length, adaptation: head.adaptation };
  if (v.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else
    process.stdout.write(
      `wrote ${n} predictions over ${head.classes.length} classes to ${out} (model ${modelId})\n`,
    );
  return 0;
}

async function evaluate(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    argv,
    {
      ...COMMON,
      head: { type: 'string' },
      manifest: { type: 'string' },
      'label-from': { type: 'string' },
      'skip-unlabeled': { type: 'boolean' },
      'group-by': { type: 'string' },
      k: { type: 'string' },
      resamples: { type: 'string' },
      level: { type: 'string' },
      seed: { type: 'string' },
      results: { type: 'string' },
    },
    USAGE,
  );
  if (parsed === null) return 0;
  const v = parsed.values;
  const headDir = required(v.head, 'head');
  const dir = required(v.embeddings, 'embeddings');
  const manifestPath = required(v.manifest, 'manifest');
  const [head, set, items, failed] = await Promise.all([
    loadHead(headDir),
    readEmbeddings(dir),
    readManifest(manifestPath),
    failedIds(dir),
  ]);
  checkCompatible(head, headDir, set, dir);
  const labelSource = parseLabelSource(v['label-from'] ?? head.source?.labelFrom ?? 'labels');
  const joined = joinManifest(manifestPath, items, set, dir, {
    labelSource,
    skipUnlabeled: v['skip-unlabeled'] === true,
    failedIds: failed,
  });
  const index = new Map(head.classes.map((name, i) => [name, i]));
  const labels = Int32Array.from(joined.labels, (name) => index.get(name) ?? -1);
  const unknown = labels.filter((y) => y < 0).length;
  const x = gatherRows(set, joined.rows);
  const n = joined.rows.length;
  const backend = backendOf(v);
  const threads = threadsOf(v);
  const scores =
    head.adaptation === 'knn'
      ? (
          await predictKnn(
            head,
            x,
            n,
            joined.items.map((it) => it.id),
            { backend, threads },
          )
        ).scores
      : await predictLogitsWith(head, x, n, backend, threads);
  const resamples = v.resamples === undefined ? 1000 : Number(v.resamples);
  if (!Number.isInteger(resamples) || resamples < 0) {
    throw new UsageError(`--resamples must be a non-negative integer, got "${v.resamples}"`);
  }
  const level = number(v.level, 'level') ?? 0.95;
  if (!(level > 0 && level < 1)) throw new UsageError(`--level must be in (0, 1), got ${level}`);
  const seed = number(v.seed, 'seed') ?? 0;
  const report = accuracyReport(scores, head.classes.length, joined.items, labels, {
    ks: numberList(v.k, 'k', [1, 5]),
    groupBy: v['group-by']
      ?.split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    seed,
    resamples,
    level,
  });
  const modelId = `${set.modelId}+${head.adaptation}`;
  const params = {
    adaptation: head.adaptation,
    head: head.head,
    labelFrom: formatLabelSource(labelSource),
    resamples,
    level,
  };
  const rows: ResultRow[] = report.frames.flatMap(({ k, attribute, frame }, i) =>
    frame.toRows({
      model: modelId,
      indicator: 'probe',
      params,
      // The overall value once per k: every frame of one k shares it.
      overall: report.frames.findIndex((f) => f.k === k) === i,
      differences: attribute !== null,
    }),
  );
  const warnings: string[] = [];
  if (unknown > 0) warnings.push(`${unknown} item(s) have a class the head does not know: counted as misses`);
  if (joined.skippedUnlabeled > 0)
    warnings.push(`skipped ${joined.skippedUnlabeled} item(s) without a label`);
  if (joined.skippedFailed > 0)
    warnings.push(`skipped ${joined.skippedFailed} item(s) listed in failures.jsonl`);
  if (v.results !== undefined) {
    const results = emptyResults();
    results.models[modelId] = {
      adaptation: head.adaptation,
      head: head.head,
      headDir,
      source: head.source ?? null,
    };
    results.rows = rows;
    results.extra.probe = { items: n, unknownClass: unknown, warnings };
    await writeResults(v.results, results);
  }
  if (v.json) {
    process.stdout.write(
      `${JSON.stringify({ items: n, unknownClass: unknown, warnings, rows }, jsonNumbers, 2)}\n`,
    );
  } else {
    const line = (m: ResultRow) =>
      `${m.metric.padEnd(26)} ${labelOfGroup(m).padEnd(36)} ${percent(m.value).padStart(8)}  ` +
      `[${percent(m.ci[0])}, ${percent(m.ci[1])}]  n=${m.n}${m.warnings.length > 0 ? `  (${m.warnings.join('; ')})` : ''}`;
    process.stdout.write(`${[...warnings, ...rows.map(line)].join('\n')}\n`);
  }
  return 0;
}

function labelOfGroup(m: ResultRow): string {
  const keys = Object.keys(m.group);
  const name = keys.length === 0 ? 'overall' : keys.map((k) => `${k}=${String(m.group[k])}`).join(',');
  return m.params.method === undefined ? name : `${name} (${String(m.params.method)})`;
}

/** JSON has no NaN: write null, as results.json does. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'train':
      return train(rest);
    case 'predict':
      return predict(rest);
    case 'eval':
      return evaluate(rest);
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE.trim()}\n`);
      return sub === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown subcommand "${sub}"; use train, predict or eval\n\n${USAGE.trim()}`);
  }
}
