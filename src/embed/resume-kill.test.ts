/**
 * A run killed with SIGKILL (no cleanup at all) resumes: the re-run computes only the batches that
 * had not been written, and the store equals an uninterrupted run's.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { ManifestItem } from '../core/types.js';
import { writeManifest } from '../data/manifest.js';
import { listParts, readPart } from './parts.js';
import { embedManifest } from './run.js';
import { readStoreRows } from './store.js';
import { meanPoolExtractor, writeTestImages } from './testing.js';

const N = 24;
const BATCH = 2;
let root: string;
let manifestPath: string;
let items: ManifestItem[];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairscope-kill-'));
  items = await writeTestImages(join(root, 'images'), N);
  manifestPath = join(root, 'images', 'manifest.jsonl');
  await writeManifest(manifestPath, items);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A child process embedding slowly (150 ms per batch) into `out`. */
function slowChild(out: string) {
  const url = (f: string) => pathToFileURL(join(import.meta.dirname, f)).href;
  const code = `
    import { readManifest } from ${JSON.stringify(pathToFileURL(join(import.meta.dirname, '..', 'data', 'manifest.ts')).href)};
    import { embedManifest } from ${JSON.stringify(url('run.ts'))};
    import { meanPoolExtractor } from ${JSON.stringify(url('testing.ts'))};
    const items = await readManifest(${JSON.stringify(manifestPath)});
    const extractor = meanPoolExtractor({ beforeBatch: () => new Promise((r) => setTimeout(r, 150)) });
    await embedManifest({ extractor, manifestPath: ${JSON.stringify(manifestPath)}, items, out: ${JSON.stringify(out)}, batchSize: ${BATCH}, workers: 1 });
  `;
  return spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    stdio: 'inherit',
  });
}

test('SIGKILL mid-run, then re-run: only unfinished batches are computed, no duplicates', async () => {
  const out = join(root, 'killed');
  const child = slowChild(out);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  // Wait until at least 3 batches are on disk, then kill without warning.
  const deadline = Date.now() + 60_000;
  while ((await listParts(out)).length < 3) {
    if (Date.now() > deadline) throw new Error('the child wrote no parts within 60 s');
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  await exited;

  const parts = await listParts(out);
  const doneIds = new Set<string>();
  for (const p of parts) for (const id of (await readPart(p)).ids) doneIds.add(id);
  assert.ok(doneIds.size >= 3 * BATCH && doneIds.size < N, `${doneIds.size} items done before the kill`);

  const resumed = meanPoolExtractor();
  const summary = await embedManifest({
    extractor: resumed,
    manifestPath,
    items,
    out,
    batchSize: BATCH,
    workers: 0,
  });
  assert.equal(summary.reused, doneIds.size);
  assert.equal(summary.embedded, N - doneIds.size);
  assert.equal(resumed.calls, Math.ceil((N - doneIds.size) / BATCH));

  const reference = join(root, 'reference');
  await embedManifest({
    extractor: meanPoolExtractor(),
    manifestPath,
    items,
    out: reference,
    batchSize: 5,
    workers: 0,
  });
  assert.deepEqual(await readStoreRows(out), await readStoreRows(reference));
  // Nothing left behind: parts and temporary files are gone.
  assert.deepEqual((await readdir(out)).sort(), ['embeddings.parquet', 'failures.jsonl', 'meta.json']);
});
