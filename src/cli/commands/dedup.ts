/**
 * `fairscope dedup`: near-duplicate clusters of a manifest, by embedding similarity (kNN graph,
 * exact or HNSW) and optionally by perceptual hash; writes one JSON line per cluster.
 */

import { EXIT, UsageError } from '../../core/errors.js';
import { writeFileAtomic } from '../../core/node/atomic-write.js';
import {
  clusterRecords,
  DEDUP_NEIGHBOURS,
  DEDUP_THRESHOLD,
  findDuplicates,
  PHASH_DISTANCE,
  REPRESENTATIVES,
  type Representative,
} from '../../curate/dedup.js';
import { MAX_HASH_DISTANCE } from '../../curate/hash-pairs.js';
import { loadCurationInput, writeSubsetManifest } from '../../curate/node/load.js';
import { hashManifestImages } from '../../curate/node/phash-files.js';
import type { ImageHashes } from '../../curate/phash.js';
import { parseSearchMethod } from '../../curate/search.js';
import { noPositionals, parseCommandArgs, positiveInt, required } from '../args.js';
import { GUARD_OPTIONS, guardOutput } from '../out-guard.js';
import { startProgress } from '../progress.js';

export const summary = 'find near-duplicate images (embedding kNN graph, optional perceptual hash)';

const USAGE = `
usage: fairscope dedup --manifest M.jsonl --embeddings DIR --out CLUSTERS.jsonl [options]

  --manifest FILE        the items (JSONL)
  --embeddings DIR       their embedding store
  --out FILE             one line per cluster of 2 or more items:
                         {cluster, representative, size, members, via, minSimilarity}
  --threshold T          cosine similarity at or above which two items are duplicates (default ${DEDUP_THRESHOLD})
  --k K                  neighbours examined per item (default ${DEDUP_NEIGHBOURS}); larger clusters still
                         form by chaining
  --search S             auto | exact | hnsw (default auto: exact when small, HNSW index otherwise)
  --ef-search N          HNSW candidate list size while searching (default 256); lower is faster
  --phash                also link images whose perceptual hashes (64-bit DCT pHash of a 32x32 grey
                         image) are within --phash-distance bits; reads every image
  --phash-distance D     Hamming distance, 0..${MAX_HASH_DISTANCE} (default ${PHASH_DISTANCE})
  --representative R     ${REPRESENTATIVES.join(' | ')}: the lowest manifest position (default) or the member most
                         similar on average to the others
  --kept FILE            also write the de-duplicated manifest (singletons and representatives)
  --threads N            threads (default: all cores)
  --json                 print the summary as JSON on stdout
  --wait                 wait for another fairscope process writing --out or --kept, instead of refusing

Clusters are connected components of the links, so a chain a~b~c is one cluster. Images that cannot
be read for --phash are reported and take part by embedding only.
`;

function numberIn(value: string | undefined, name: string, lo: number, hi: number, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!Number.isFinite(x) || x < lo || x > hi)
    throw new UsageError(`--${name} must be a number in [${lo}, ${hi}], got "${value}"`);
  return x;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseCommandArgs(
    argv,
    {
      manifest: { type: 'string' },
      embeddings: { type: 'string' },
      out: { type: 'string' },
      threshold: { type: 'string' },
      k: { type: 'string' },
      search: { type: 'string' },
      'ef-search': { type: 'string' },
      phash: { type: 'boolean' },
      'phash-distance': { type: 'string' },
      representative: { type: 'string' },
      kept: { type: 'string' },
      threads: { type: 'string' },
      json: { type: 'boolean' },
      wait: GUARD_OPTIONS.wait,
    },
    USAGE,
  );
  if (args === null) return EXIT.ok;
  const { values } = args;
  noPositionals(args.positionals);
  const manifestPath = required(values.manifest, 'manifest');
  const embeddingsDir = required(values.embeddings, 'embeddings');
  const out = required(values.out, 'out');
  const threshold = numberIn(values.threshold, 'threshold', -1, 1, DEDUP_THRESHOLD);
  const k = positiveInt(values.k, 'k', DEDUP_NEIGHBOURS);
  const search = parseSearchMethod(values.search);
  const efSearch =
    values['ef-search'] === undefined ? undefined : positiveInt(values['ef-search'], 'ef-search', 1);
  const maxDistance = numberIn(
    values['phash-distance'],
    'phash-distance',
    0,
    MAX_HASH_DISTANCE,
    PHASH_DISTANCE,
  );
  if (!Number.isInteger(maxDistance))
    throw new UsageError(`--phash-distance must be an integer, got "${values['phash-distance']}"`);
  if (values['phash-distance'] !== undefined && !values.phash)
    throw new UsageError('--phash-distance needs --phash');
  const representative = (values.representative ?? 'first') as Representative;
  if (!REPRESENTATIVES.includes(representative)) {
    throw new UsageError(
      `--representative must be one of ${REPRESENTATIVES.join(', ')}, got "${values.representative}"`,
    );
  }
  const threads = values.threads === undefined ? undefined : positiveInt(values.threads, 'threads', 1);

  const inputs = [manifestPath, embeddingsDir];
  const releases = [await guardOutput({ command: 'dedup', out, kind: 'file', inputs, wait: values.wait })];
  try {
    if (values.kept !== undefined) {
      const kept = { command: 'dedup', out: values.kept, kind: 'file', option: '--kept' } as const;
      releases.push(await guardOutput({ ...kept, inputs: [...inputs, out], wait: values.wait }));
    }
    const input = await loadCurationInput(manifestPath, embeddingsDir, 'cosine');
    let hashes: ImageHashes | undefined;
    if (values.phash) {
      const bar = startProgress('dedup pHash', input.items.length);
      try {
        hashes = await hashManifestImages(manifestPath, input.items, { onProgress: () => bar.tick() });
      } finally {
        bar.stop();
      }
    }
    const result = await findDuplicates(input.points, {
      threshold,
      k,
      search,
      ...(efSearch === undefined ? {} : { efSearch }),
      representative,
      ...(threads === undefined ? {} : { threads }),
      ...(hashes === undefined ? {} : { phash: { hashes, maxDistance } }),
    });
    await writeFileAtomic(
      out,
      clusterRecords(
        result,
        input.items.map((it) => it.id),
      )
        .map((r) => `${JSON.stringify(r)}\n`)
        .join(''),
    );
    if (values.kept !== undefined) {
      await writeSubsetManifest(
        values.kept,
        manifestPath,
        input.items.filter((_, i) => result.removed[i] !== 1),
      );
    }
    const report = {
      out,
      items: input.items.length,
      clusters: result.clusters.length,
      duplicatesRemoved: result.removedCount,
      kept: input.items.length - result.removedCount,
      threshold,
      k,
      search: result.method,
      embeddingLinks: result.embeddingLinks.length,
      ...(hashes === undefined
        ? {}
        : {
            phashDistance: maxDistance,
            phashLinks: result.phashLinks.length,
            phashFailures: hashes.failures.map((f) => ({ id: f.id, reason: f.reason })),
          }),
      ...(input.excludedFailures.length > 0 ? { excludedFailures: input.excludedFailures } : {}),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      process.stdout.write(
        `${out}: ${report.clusters} clusters of near-duplicates among ${report.items} items; ${report.duplicatesRemoved} duplicates beyond one per cluster (cosine >= ${threshold}${hashes ? `, or pHash within ${maxDistance} bits` : ''}; ${result.method} search)\n`,
      );
    }
    if (hashes !== undefined && hashes.failures.length > 0) {
      const shown = hashes.failures.slice(0, 10).map((f) => `  ${f.id}: ${f.reason}`);
      if (hashes.failures.length > 10) shown.push(`  ... and ${hashes.failures.length - 10} more`);
      process.stderr.write(
        `${hashes.failures.length} image(s) could not be read for pHash (compared by embedding only):\n${shown.join('\n')}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    for (const release of releases) await release();
  }
}
