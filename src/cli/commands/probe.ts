/**
 * `fairscope probe train|predict|eval`: adapt a frozen feature extractor to a label space with a
 * linear probe (softmax regression, L-BFGS or SGD), a BatchNorm+linear head, or a kNN classifier,
 * then write predictions in the embedding-store layout and measure top-k accuracy.
 */
import { writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { UsageError } from '../../core/errors.js';
import type { ResultRow } from '../../core/types.js';
import { loadEmbeddedItems, readStore } from '../../embed/load.js';
import { writeEmbeddings } from '../../embed/store.js';
import { formatLabelSource, type LabelSource, parseLabelSource } from '../../probe/dataset.js';
import { loadHead, saveHead } from '../../probe/node/head-io.js';
import type { ComputeBackend } from '../../probe/products.js';
import { evaluateProbe, fitProbe, predictWithProbe } from '../../probe/stage.js';
import { saveResults } from '../../report/node/results-file.js';
import { numberList, parseCommandArgs, positiveInt, required } from '../args.js';
import { GUARD_OPTIONS, GUARD_USAGE, guardOutput, withOutputGuard } from '../out-guard.js';
import {
  BOOTSTRAP_HELP,
  BOOTSTRAP_OPTIONS,
  bootstrapOptions,
  missingValues,
  requireScoredResult,
} from '../stage-options.js';

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
      --missing-values LIST   values reported but left out of gaps (default n/a, unknown, ...)
      --label-from SRC        default: the head's label source
      --k LIST                top-k accuracies (default 1,5)
      --model NAME            model name in the rows (default <store model>+<adaptation>)
      --dataset NAME          dataset name in the rows (default: the manifest's file name)
      --skip-unlabeled --allow-missing
      --allow-empty           write a result that scores nothing (every value n/a) with a
                              warning in the last line, instead of failing (exit 1)
      --results FILE          add the rows to this results.json (rows this run recomputes are
                              replaced, others kept; created when absent)
${BOOTSTRAP_HELP}

  common: --backend auto|js|onnx (matrix products; auto = onnxruntime for large inputs)
          --threads N (onnxruntime threads) --json (machine-readable output on stdout)
${GUARD_USAGE}
`;

const COMMON = {
  embeddings: { type: 'string' },
  backend: { type: 'string' },
  threads: { type: 'string' },
  json: { type: 'boolean' },
  ...GUARD_OPTIONS,
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

  const train = await loadEmbeddedItems({
    manifest: manifestPath,
    store: dir,
    dataset: basename(manifestPath, extname(manifestPath)),
  });
  const fit = await asUsage(() =>
    fitProbe(train, {
      head: headKind,
      labelFrom: formatLabelSource(labelSource),
      skipUnlabeled: v['skip-unlabeled'] === true,
      ...(v.k === undefined ? {} : { k: positiveInt(v.k, 'k', 20) }),
      ...(v.temperature === undefined ? {} : { temperature: number(v.temperature, 'temperature') }),
      ...(v.optimizer === undefined
        ? {}
        : { optimizer: oneOf(v.optimizer, 'optimizer', ['lbfgs', 'sgd'] as const) }),
      ...(v.l2 === undefined ? {} : { l2: number(v.l2, 'l2') }),
      ...(v['max-iter'] === undefined ? {} : { maxIter: positiveInt(v['max-iter'], 'max-iter', 1) }),
      ...(v.tol === undefined ? {} : { tolerance: number(v.tol, 'tol') }),
      ...(v['val-fraction'] === undefined ? {} : { valFraction: number(v['val-fraction'], 'val-fraction') }),
      ...(v.lr === undefined ? {} : { learningRate: number(v.lr, 'lr') }),
      ...(v['batch-size'] === undefined
        ? {}
        : { batchSize: positiveInt(v['batch-size'], 'batch-size', 256) }),
      ...(v.patience === undefined ? {} : { patience: positiveInt(v.patience, 'patience', 10) }),
      seed: seedValue,
      backend: backendOf(v),
      ...(threadsOf(v) === undefined ? {} : { threads: threadsOf(v) }),
    }),
  );
  const head = fit.head;
  const classes = head.classes;
  const n = fit.trainItems;
  const joined = { skippedUnlabeled: fit.skippedUnlabeled, skippedFailed: train.excluded.length };
  await withOutputGuard(
    {
      command: 'probe train',
      out,
      kind: 'folder',
      inputs: [manifestPath, dir],
      force: v.force,
      wait: v.wait,
    },
    () => saveHead(out, head),
  );

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
  const [head, store] = await Promise.all([loadHead(headDir), readStore(dir)]);
  const { set } = store;
  const n = set.ids.length;
  const logits = await predictWithProbe(
    head,
    headDir,
    { ids: set.ids, embeddings: set.data, dim: set.dim, modelId: set.modelId, store: dir },
    {
      backend: backendOf(v),
      ...(threadsOf(v) === undefined ? {} : { threads: threadsOf(v) }),
    },
  );
  const modelId = v['model-id'] ?? `${set.modelId}+${head.adaptation}`;
  const release = await guardOutput({
    command: 'probe predict',
    out,
    kind: 'folder',
    inputs: [headDir, dir],
    force: v.force,
    wait: v.wait,
  });
  try {
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
      {
        provider: `fairscope probe ${head.adaptation} (${head.head})`,
        ...(head.source?.labelFrom === undefined ? {} : { labelFrom: head.source.labelFrom }),
        ...(store.meta.preprocess === undefined ? {} : { preprocess: store.meta.preprocess }),
      },
    );
    await writeFile(join(out, 'classes.txt'), `${head.classes.join('\n')}\n`);
  } finally {
    await release();
  }
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
      ...BOOTSTRAP_OPTIONS,
      head: { type: 'string' },
      manifest: { type: 'string' },
      'label-from': { type: 'string' },
      'skip-unlabeled': { type: 'boolean' },
      'group-by': { type: 'string' },
      'missing-values': { type: 'string' },
      k: { type: 'string' },
      model: { type: 'string' },
      dataset: { type: 'string' },
      'allow-missing': { type: 'boolean' },
      'allow-empty': { type: 'boolean' },
      results: { type: 'string' },
    },
    USAGE,
  );
  if (parsed === null) return 0;
  const v = parsed.values;
  const headDir = required(v.head, 'head');
  const dir = required(v.embeddings, 'embeddings');
  const manifestPath = required(v.manifest, 'manifest');
  const bootstrap = bootstrapOptions(v);
  const [head, test] = await Promise.all([
    loadHead(headDir),
    loadEmbeddedItems({
      manifest: manifestPath,
      store: dir,
      dataset: v.dataset ?? basename(manifestPath, extname(manifestPath)),
      allowMissing: v['allow-missing'] ?? false,
    }),
  ]);
  const model = v.model ?? `${test.modelId}+${head.adaptation}`;
  const result = await evaluateProbe(head, test, {
    model,
    headName: headDir,
    ...(v['label-from'] === undefined ? {} : { labelFrom: v['label-from'] }),
    skipUnlabeled: v['skip-unlabeled'] === true,
    ks: numberList(v.k, 'k', [1, 5]),
    groupBy:
      v['group-by']
        ?.split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '') ?? [],
    missingValues: missingValues(v['missing-values']),
    bootstrap,
    predict: { backend: backendOf(v), ...(threadsOf(v) === undefined ? {} : { threads: threadsOf(v) }) },
  });
  const { rows, notes } = result;
  const emptyWarnings = requireScoredResult('probe eval', [model], result, v['allow-empty']);
  if (v.results !== undefined) {
    const out = v.results;
    await withOutputGuard(
      {
        command: 'probe eval',
        out,
        kind: 'file',
        inputs: [headDir, dir, manifestPath],
        option: '--results',
        wait: v.wait,
      },
      () =>
        saveResults(
          out,
          {
            rows,
            models: {
              [model]: { adaptation: head.adaptation, head: head.head, headDir, source: head.source ?? null },
            },
            datasets: {
              [test.dataset]: {
                manifest: manifestPath,
                items: test.items.length,
                excluded: test.excluded.length,
              },
            },
            deviations: result.deviations,
            failures: result.failures,
            extra: { probe: { items: test.items.length, notes } },
          },
          { merge: true },
        ),
    );
  }
  if (v.json) {
    process.stdout.write(
      `${JSON.stringify({ items: test.items.length, notes, rows, emptyEntries: emptyWarnings }, jsonNumbers, 2)}\n`,
    );
  } else {
    const line = (m: ResultRow) =>
      `${m.metric.padEnd(26)} ${labelOfGroup(m).padEnd(36)} ${percent(m.value).padStart(8)}  ` +
      `[${percent(m.ci[0])}, ${percent(m.ci[1])}]  n=${m.n}${m.warnings.length > 0 ? `  (${m.warnings.join('; ')})` : ''}`;
    process.stdout.write(`${[...notes, ...rows.map(line), ...emptyWarnings].join('\n')}\n`);
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
