/**
 * Class scores for the audit's classifier-based evaluations: a model's own logits (zero-shot), or a
 * probe on frozen features (src/probe/stage.ts, the functions `fairscope probe` calls), fitted once
 * per model and cached under OUT/cache/probes/<model>/<probe>/ with a hash of its inputs.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FairscopeError, UsageError } from '../core/errors.js';
import { stableHash } from '../core/hash.js';
import type { EmbeddedItems } from '../embed/join.js';
import type { ClassScores } from '../indicators/class-scores.js';
import type { Head } from '../probe/head.js';
import { loadHead, saveHead } from '../probe/node/head-io.js';
import { describeHead, fitProbe, type ProbeFitOptions, probeLogits } from '../probe/stage.js';
import type { ProbeSpec } from './spec.js';

export interface TrainedProbe {
  name: string;
  head: Head;
  detail: string;
}

/** A spec probe's options as the probe stage takes them. */
export function probeFitOptions(spec: ProbeSpec, seed: number): ProbeFitOptions {
  const { train: _train, evaluate: _evaluate, models: _models, ...options } = spec;
  return { ...options, seed };
}

/** Fits (or loads from the cache) one probe for one model. */
export async function trainProbe(
  name: string,
  spec: ProbeSpec,
  model: string,
  train: EmbeddedItems,
  outDir: string,
  seed: number,
): Promise<TrainedProbe> {
  const options = probeFitOptions(spec, seed);
  const key = stableHash({
    options,
    model,
    ids: train.items.map((it) => it.id),
    modelId: train.modelId,
    dim: train.dim,
  });
  const dir = join(outDir, 'cache', 'probes', model, name);
  const keyFile = join(dir, 'key.txt');
  if (existsSync(keyFile) && (await readFile(keyFile, 'utf8')) === key) {
    const head = await loadHead(dir);
    return {
      name,
      head,
      detail: describeHead(head, head.adaptation === 'knn' ? head.bankIds.length : head.metrics.trainCount),
    };
  }
  const fit = await fitProbe(train, options).catch((err: Error) => {
    throw new UsageError(`probes.${name} (${model}): ${err.message}`);
  });
  await saveHead(dir, fit.head);
  await writeFile(keyFile, key);
  return { name, head: fit.head, detail: describeHead(fit.head, fit.trainItems) };
}

/** A classifier's scores on a dataset: the model's own logits, or a trained probe's. */
export async function classScores(
  classifier: string,
  probes: ReadonlyMap<string, TrainedProbe>,
  model: string,
  data: EmbeddedItems,
): Promise<ClassScores> {
  const base = {
    model,
    dataset: data.dataset,
    source: `${model} × ${data.dataset}`,
    items: data.items,
    excluded: data.excluded,
    ...(data.preprocess === undefined ? {} : { preprocess: data.preprocess }),
  };
  if (classifier === 'logits') {
    if (data.logits === undefined || data.classes === undefined) {
      throw new UsageError(`classifier "logits": model ${model} has no logits; train a probe instead`);
    }
    return { ...base, logits: data.logits, classes: data.classes };
  }
  const probe = probes.get(classifier.replace(/^probe:/, ''));
  if (probe === undefined) throw new FairscopeError(`classifier ${classifier} was not trained`);
  const logits = await probeLogits(
    probe.head,
    data.embeddings,
    data.items.length,
    data.items.map((it) => it.id),
  );
  return { ...base, logits, classes: probe.head.classes };
}
