/**
 * `fairscope leakage`: test items that have a near-duplicate in the training set (by embedding, and
 * optionally by perceptual hash); writes one JSON line per leaked test item.
 */

import { EXIT, UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/node/atomic-write.js';
import { DEDUP_THRESHOLD, PHASH_DISTANCE } from '../../curate/dedup.js';
import { itemGroups } from '../../curate/groups.js';
import { MAX_HASH_DISTANCE } from '../../curate/hash-pairs.js';
import { findLeaks } from '../../curate/leakage.js';
import { loadCurationInput } from '../../curate/node/load.js';
import { hashManifestImages } from '../../curate/node/phash-files.js';
import type { ImageHashes } from '../../curate/phash.js';
import { parseSearchMethod } from '../../curate/search.js';
import { noPositionals, parseCommandArgs, positiveInt, required } from '../args.js';
import { GUARD_OPTIONS, guardOutput } from '../out-guard.js';
import { startProgress } from '../progress.js';

export const summary = 'find test items with a near-duplicate in the training set (train/test leakage)';

const USAGE = `
usage: fairscope leakage --train A.jsonl --train-embeddings DIR --test B.jsonl --test-embeddings DIR
                         --out LEAKS.jsonl [options]

  --train FILE              training manifest
  --train-embeddings DIR    its embedding store
  --test FILE               test manifest
  --test-embeddings DIR     its embedding store (same model and dimension as the training one)
  --out FILE                one line per leaked test item: {id, trainId, similarity, nearestTrainId,
                            hammingDistance?, via}
  --threshold T             cosine similarity of the nearest training item at or above which a test
                            item leaks (default ${DEDUP_THRESHOLD})
  --search S                auto | exact | hnsw (default auto)
  --phash                   also match perceptual hashes (reads every image of both sets)
  --phash-distance D        Hamming distance, 0..${MAX_HASH_DISTANCE} (default ${PHASH_DISTANCE})
  --group A[,B]             also report the leak rate per group of the test items
  --threads N               threads (default: all cores)
  --json                    print the summary as JSON on stdout
  --wait                    wait for another fairscope process writing --out, instead of refusing
`;

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      train: { type: 'string' },
      'train-embeddings': { type: 'string' },
      test: { type: 'string' },
      'test-embeddings': { type: 'string' },
      out: { type: 'string' },
      threshold: { type: 'string' },
      search: { type: 'string' },
      phash: { type: 'boolean' },
      'phash-distance': { type: 'string' },
      group: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
      wait: GUARD_OPTIONS.wait,
    },
    USAGE,
  );
  if (args === null) return EXIT.ok;
  const { values } = args;
  noPositionals(args.positionals);
  const trainPath = required(values.train, 'train');
  const testPath = required(values.test, 'test');
  const trainDir = required(values['train-embeddings'], 'train-embeddings');
  const testDir = required(values['test-embeddings'], 'test-embeddings');
  const out = required(values.out, 'out');
  const threshold = values.threshold === undefined ? DEDUP_THRESHOLD : Number(values.threshold);
  if (!(threshold >= -1 && threshold <= 1))
    throw new UsageError(`--threshold must be in [-1, 1], got "${values.threshold}"`);
  const maxDistance =
    values['phash-distance'] === undefined ? PHASH_DISTANCE : Number(values['phash-distance']);
  if (!Number.isInteger(maxDistance) || maxDistance < 0 || maxDistance > MAX_HASH_DISTANCE) {
    throw new UsageError(
      `--phash-distance must be an integer in [0, ${MAX_HASH_DISTANCE}], got "${values['phash-distance']}"`,
    );
  }
  if (values['phash-distance'] !== undefined && !values.phash)
    throw new UsageError('--phash-distance needs --phash');
  const threads = values.threads === undefined ? undefined : positiveInt(values.threads, 'threads', 1);
  const search = parseSearchMethod(values.search);

  const release = await guardOutput({
    command: 'leakage',
    out,
    kind: 'file',
    inputs: [trainPath, testPath, trainDir, testDir],
    wait: values.wait,
  });
  try {
    const train = await loadCurationInput(trainPath, trainDir, 'cosine');
    const test = await loadCurationInput(testPath, testDir, 'cosine');
    if (train.points.dim !== test.points.dim) {
      throw new UsageError(
        `the embeddings differ in dimension: ${trainDir} has ${train.points.dim} (model ${train.modelId}), ${testDir} has ${test.points.dim} (model ${test.modelId})`,
      );
    }
    if (train.modelId !== test.modelId) {
      process.stderr.write(
        `warning: train embeddings are from model ${train.modelId}, test from ${test.modelId}\n`,
      );
    }
    let phash: { train: ImageHashes; test: ImageHashes; maxDistance: number } | undefined;
    if (values.phash) {
      const bar = startProgress('leakage pHash', train.items.length + test.items.length);
      try {
        const onProgress = () => bar.tick();
        phash = {
          train: await hashManifestImages(trainPath, train.items, { onProgress }),
          test: await hashManifestImages(testPath, test.items, { onProgress }),
          maxDistance,
        };
      } finally {
        bar.stop();
      }
    }
    const result = await findLeaks(train.points, test.points, {
      threshold,
      search,
      ...(threads === undefined ? {} : { threads }),
      ...(phash === undefined ? {} : { phash }),
    });
    const lines = result.leaks.map((l) =>
      JSON.stringify({
        id: test.items[l.test]?.id,
        trainId: train.items[l.train]?.id,
        similarity: l.similarity,
        nearestTrainId: train.items[l.nearestTrain]?.id,
        ...(l.hammingDistance === undefined ? {} : { hammingDistance: l.hammingDistance }),
        via: l.via,
      }),
    );
    await writeFileAtomic(out, lines.map((l) => `${l}\n`).join(''));
    let byGroup: { group: string; tested: number; leaked: number; rate: number }[] | undefined;
    if (values.group !== undefined) {
      const groups = itemGroups(
        test.items,
        values.group.split(',').map((s) => s.trim()),
      );
      const leaked = groups.keys.map(() => 0);
      for (const l of result.leaks) {
        const g = groups.groupOf[l.test] as number;
        leaked[g] = (leaked[g] as number) + 1;
      }
      byGroup = groups.keys.map((group, g) => ({
        group,
        tested: groups.sizes[g] as number,
        leaked: leaked[g] as number,
        rate: (leaked[g] as number) / (groups.sizes[g] as number),
      }));
    }
    const report = {
      out,
      tested: result.tested,
      leaked: result.leaks.length,
      rate: result.tested === 0 ? 0 : result.leaks.length / result.tested,
      threshold,
      search: result.method,
      ...(phash === undefined
        ? {}
        : {
            phashDistance: maxDistance,
            phashFailures: [
              ...phash.train.failures.map((f) => ({ set: 'train', id: f.id, reason: f.reason })),
              ...phash.test.failures.map((f) => ({ set: 'test', id: f.id, reason: f.reason })),
            ],
          }),
      ...(byGroup === undefined ? {} : { byGroup }),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      const lines2 = [
        `${out}: ${report.leaked} of ${report.tested} test items (${(100 * report.rate).toFixed(2)}%) have a near-duplicate in the training set (cosine >= ${threshold}${phash ? `, or pHash within ${maxDistance} bits` : ''}; ${result.method} search)`,
        ...(byGroup ?? []).map(
          (g) => `  ${g.group.padEnd(20)} ${g.leaked}/${g.tested} (${(100 * g.rate).toFixed(2)}%)`,
        ),
      ];
      process.stdout.write(`${lines2.join('\n')}\n`);
    }
    return EXIT.ok;
  } finally {
    await release();
  }
}
