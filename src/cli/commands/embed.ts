/**
 * `fairscope embed --model MODEL --manifest M.jsonl --out DIR`: runs a feature extractor over a
 * manifest and writes the embedding store (embeddings.parquet, meta.json, failures.jsonl). Resumes an
 * interrupted run; `--shard i/n` embeds one part for a fan-out that `fairscope merge` joins.
 */
import { existsSync } from 'node:fs';
import { EXIT, UsageError } from '../../core/errors.js';
import { manifestFile, readManifest } from '../../data/manifest.js';
import { storePrecomputed } from '../../embed/precomputed.js';
import { type EmbedSummary, embedManifest } from '../../embed/run.js';
import { parseShard, type Shard } from '../../embed/shard.js';
import { defaultWorkers } from '../../image/node/pool.js';
import { PROVIDERS, type ProviderChoice } from '../../models/descriptor.js';
import { loadModel } from '../../models/load.js';
import { nonNegativeInt, noPositionals, parseCommandArgs, positiveInt, required } from '../args.js';
import { GUARD_OPTIONS, GUARD_USAGE, guardOutput } from '../out-guard.js';
import { startProgress } from '../progress.js';

export const summary = 'embed a manifest with a model into an embedding store (resumable, shardable)';

const USAGE = `
usage: fairscope embed --model MODEL --manifest M.jsonl --out DIR [options]

  --model MODEL      built-in model name, descriptor (.yaml/.json) or model file (.onnx, model.json,
                     precomputed .npy/.parquet/.arrow embeddings); see \`fairscope models\`
  --manifest FILE    the items to embed (JSONL)
  --out DIR          the store: DIR/embeddings.parquet (id, embedding, logits?, item_key, item_index),
                     DIR/meta.json, DIR/failures.jsonl ({id, reason} of images that failed)
  --batch N          images per model call (default 32)
  --workers N        image decoding threads (default: one per core; 0 = on the main thread)
  --shard i/n        embed only shard i of n (0 <= i < n; an item's shard is a hash of its id), for a
                     fan-out; join the shard folders with \`fairscope merge\`
  --provider P       engine device: ${PROVIDERS.join(' | ')} (default: the model's, then auto)
  --threads N        onnxruntime intra-op threads (default: one per core); fewer leaves cores to the
                     image decoding workers on small machines
  --json             print the summary as JSON on stdout
${GUARD_USAGE}

A killed run resumes when re-run with the same arguments: finished batches are kept as part files
(DIR/parts/) and not recomputed. DIR must not hold another model's or preprocessing's embeddings.
Images that cannot be decoded are listed in failures.jsonl and excluded (never replaced); they are
retried by the next run. Exit status 1 when any image failed. One process at a time writes DIR: a
second one is refused, naming the first (or waits, with --wait). The manifest is streamed (read
three times, never held in memory), so memory does not grow with its length beyond a few tens of
bytes per line; editing it during a run is an error.
`;

function printSummary(s: EmbedSummary): void {
  const shard = s.shard === undefined ? '' : ` (shard ${s.shard.index}/${s.shard.count})`;
  const lines = [
    `${s.out}: ${s.count} embeddings of ${s.items} items${shard}, model ${s.modelId} on ${s.provider}`,
    `  embedded ${s.embedded} in ${s.seconds.toFixed(1)} s (${s.itemsPerSecond.toFixed(1)} items/s), reused ${s.reused}, failed ${s.failed}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (s.failed > 0) {
    const shown = s.failures.slice(0, 10).map((f) => `  ${f.id}: ${f.reason}`);
    if (s.failed > 10) shown.push(`  ... and ${s.failed - 10} more`);
    process.stderr.write(`${s.failed} image(s) failed (see ${s.out}/failures.jsonl):\n${shown.join('\n')}\n`);
  }
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      model: { type: 'string' },
      manifest: { type: 'string' },
      out: { type: 'string' },
      batch: { type: 'string' },
      workers: { type: 'string' },
      shard: { type: 'string' },
      provider: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
      ...GUARD_OPTIONS,
    },
    USAGE,
  );
  if (args === null) return EXIT.ok;
  const { values } = args;
  noPositionals(args.positionals);
  const modelSpec = required(values.model, 'model');
  const manifestPath = required(values.manifest, 'manifest');
  const out = required(values.out, 'out');
  const batchSize = positiveInt(values.batch, 'batch', 32);
  const workers = nonNegativeInt(values.workers, 'workers', defaultWorkers());
  const shard: Shard | undefined = values.shard === undefined ? undefined : parseShard(values.shard);
  const provider = values.provider as ProviderChoice | undefined;
  if (provider !== undefined && !PROVIDERS.includes(provider)) {
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}, got "${provider}"`);
  }

  const threads = values.threads === undefined ? undefined : positiveInt(values.threads, 'threads', 1);
  const release = await guardOutput({
    command: 'embed',
    out,
    kind: 'folder',
    inputs: [manifestPath, existsSync(modelSpec) ? modelSpec : undefined],
    force: values.force,
    wait: values.wait,
  });
  try {
    const model = await loadModel(modelSpec, {
      ...(provider === undefined ? {} : { provider }),
      ...(threads === undefined ? {} : { threads }),
    });

    if (model.kind === 'embeddings') {
      const count = await storePrecomputed({
        set: model.set,
        source: model.descriptor.path,
        manifestPath,
        // the precomputed set is in memory anyway; its rows are checked against every item
        items: await readManifest(manifestPath),
        out,
        ...(shard === undefined ? {} : { shard }),
      });
      const result = {
        out,
        modelId: model.set.modelId,
        provider: 'precomputed',
        ...(shard === undefined ? {} : { shard }),
        items: count,
        reused: 0,
        embedded: 0,
        failed: 0,
        count,
        failures: [],
      };
      if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else
        process.stdout.write(
          `${out}: ${count} precomputed embeddings of model ${model.set.modelId} checked and stored\n`,
        );
      return EXIT.ok;
    }

    const { extractor } = model;
    let progress: ReturnType<typeof startProgress> | undefined;
    let result: EmbedSummary;
    try {
      result = await embedManifest({
        extractor,
        manifestPath,
        // streamed: read again by each pass of the run, never held
        items: manifestFile(manifestPath),
        out,
        batchSize,
        workers,
        ...(shard === undefined ? {} : { shard }),
        onStart(todo) {
          if (todo > 0) progress = startProgress(`embed ${extractor.id}`, todo);
        },
        onProgress(n) {
          progress?.tick(n);
        },
      });
    } finally {
      progress?.stop();
      await extractor.dispose();
    }
    if (values.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else printSummary(result);
    return result.failed > 0 ? EXIT.failure : EXIT.ok;
  } finally {
    await release();
  }
}
