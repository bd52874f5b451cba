/**
 * embedManifest: rows in manifest order with the closed-form embeddings of solid-colour images,
 * failures recorded and excluded, resume after an interruption without recomputation or duplicates,
 * cache-key mismatches refused, output checks.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { writeManifest } from '../data/manifest.js';
import { listParts } from './parts.js';
import { embedManifest } from './run.js';
import { readEmbeddings, readFailures, readStoreMeta, readStoreRows } from './store.js';
import {
  expectedEmbedding,
  meanPoolExtractor,
  TEST_PREPROCESS,
  testColour,
  writeTestImages,
} from './testing.js';

const N = 22;
let root: string;
let imagesDir: string;
let manifestPath: string;
let items: ManifestItem[];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'fairscope-embed-'));
  imagesDir = join(root, 'images');
  items = await writeTestImages(imagesDir, N);
  manifestPath = join(imagesDir, 'manifest.jsonl');
  await writeManifest(manifestPath, items);
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const base = () => ({ manifestPath, items, batchSize: 4, workers: 0 });

describe('a full run', () => {
  test('writes every item in manifest order with its closed-form embedding and logits', async () => {
    const out = join(root, 'full');
    const ext = meanPoolExtractor({ logits: true });
    const summary = await embedManifest({ ...base(), extractor: ext, out });
    assert.equal(summary.count, N);
    assert.equal(summary.embedded, N);
    assert.equal(summary.failed, 0);
    assert.equal(ext.calls, Math.ceil(N / 4));
    const set = await readEmbeddings(out);
    assert.deepEqual(
      set.ids,
      items.map((it) => it.id),
    );
    items.forEach((_, i) => {
      const e = expectedEmbedding(testColour(i));
      assert.deepEqual(Array.from(set.data.subarray(i * 3, i * 3 + 3)), e, `row ${i}`);
      assert.deepEqual(Array.from(set.logits?.subarray(i * 2, i * 2 + 2) ?? []), [e[0], -e[0]]);
    });
    assert.deepEqual(set.classes, ['bright', 'dark']);
    const meta = await readStoreMeta(out);
    assert.equal(meta.provider, 'test/cpu');
    assert.equal(meta.failures, 0);
    assert.deepEqual(await listParts(out), [], 'parts are removed after consolidation');
    assert.equal(await readFile(join(out, 'failures.jsonl'), 'utf8'), '');
  });

  test('worker threads give the same store as the main thread', async () => {
    const a = join(root, 'threads-0');
    const b = join(root, 'threads-2');
    await embedManifest({ ...base(), extractor: meanPoolExtractor(), out: a });
    await embedManifest({ ...base(), workers: 2, extractor: meanPoolExtractor(), out: b });
    assert.deepEqual(await readStoreRows(b), await readStoreRows(a));
  });

  test('a missing file and corrupt bytes are recorded in failures.jsonl and excluded, exit status via failed', async () => {
    const dir = join(root, 'with-failures');
    await writeFile(join(imagesDir, 'corrupt.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3, 4, 5, 6]));
    const bad: ManifestItem[] = [
      ...items.slice(0, 5),
      { id: 'corrupt', source: 'corrupt.png', labels: [], attrs: {} },
      { id: 'missing', source: 'does-not-exist.jpg', labels: [], attrs: {} },
      ...items.slice(5, 8),
    ];
    const summary = await embedManifest({ ...base(), items: bad, extractor: meanPoolExtractor(), out: dir });
    assert.equal(summary.failed, 2);
    assert.equal(summary.count, 8);
    const failures = await readFailures(dir);
    assert.deepEqual(
      failures.map((f) => f.id),
      ['corrupt', 'missing'],
    );
    assert.match(failures[0].reason, /cannot decode/);
    assert.match(failures[1].reason, /file not found/);
    const set = await readEmbeddings(dir);
    assert.deepEqual(set.ids, [...items.slice(0, 8).map((it) => it.id)]);
    // Rows stay aligned with their images despite the gap.
    assert.deepEqual(Array.from(set.data.subarray(5 * 3, 6 * 3)), expectedEmbedding(testColour(5)));
  });

  test('an empty manifest is an error naming the manifest', async () => {
    await assert.rejects(
      embedManifest({ ...base(), items: [], extractor: meanPoolExtractor(), out: join(root, 'empty') }),
      /manifest\.jsonl: the manifest is empty/,
    );
  });

  test('NaN embeddings are an error naming the images', async () => {
    const ext = meanPoolExtractor({
      mangle: (out, batch) => {
        const i = batch.ids.indexOf('item-6');
        if (i >= 0) out.embedding[i * 3 + 1] = Number.NaN;
        return out;
      },
    });
    await assert.rejects(
      embedManifest({ ...base(), extractor: ext, out: join(root, 'nan') }),
      /NaN or infinite values for 1 image\(s\): item-6/,
    );
  });

  test('a wrong embedding width from the model is an error', async () => {
    const ext = meanPoolExtractor({ mangle: (out) => ({ embedding: out.embedding.subarray(1) }) });
    await assert.rejects(
      embedManifest({ ...base(), extractor: ext, out: join(root, 'width') }),
      /returned 11 embedding values for 4 images, expected 4 x 3/,
    );
  });
});

describe('resume', () => {
  test('after an interrupted run, only the missing batches are computed, with no duplicates', async () => {
    const single = join(root, 'resume-ref');
    await embedManifest({ ...base(), extractor: meanPoolExtractor(), out: single });

    const out = join(root, 'resume');
    const crashing = meanPoolExtractor({
      beforeBatch: () => {
        if (crashing.calls === 3) throw new Error('simulated crash');
      },
    });
    await assert.rejects(embedManifest({ ...base(), extractor: crashing, out }), /simulated crash/);
    assert.equal((await listParts(out)).length, 2, 'two finished batches were kept');

    const second = meanPoolExtractor();
    const summary = await embedManifest({ ...base(), extractor: second, out });
    assert.equal(summary.reused, 8);
    assert.equal(summary.embedded, N - 8);
    assert.equal(second.calls, Math.ceil((N - 8) / 4));
    assert.deepEqual(await readStoreRows(out), await readStoreRows(single));

    const third = meanPoolExtractor();
    const again = await embedManifest({ ...base(), extractor: third, out });
    assert.equal(third.calls, 0, 'a finished store is not recomputed');
    assert.equal(again.reused, N);
    assert.equal(again.count, N);
  });

  test('a fixed image is embedded by the next run; an edited item is recomputed alone', async () => {
    const out = join(root, 'retry');
    const withMissing = [...items.slice(0, 6), { id: 'late', source: 'late.png', labels: [], attrs: {} }];
    const first = await embedManifest({ ...base(), items: withMissing, extractor: meanPoolExtractor(), out });
    assert.equal(first.failed, 1);
    await writeFile(join(imagesDir, 'late.png'), await readFile(join(imagesDir, items[3].source)));
    const ext = meanPoolExtractor();
    const second = await embedManifest({ ...base(), items: withMissing, extractor: ext, out });
    assert.equal(second.embedded, 1);
    assert.equal(second.failed, 0);
    assert.deepEqual(await readFailures(out), []);
    const set = await readEmbeddings(out);
    assert.deepEqual(Array.from(set.data.subarray(6 * 3)), expectedEmbedding(testColour(3)));

    const edited = withMissing.map((it) => (it.id === 'item-2' ? { ...it, source: items[9].source } : it));
    const ext3 = meanPoolExtractor();
    const third = await embedManifest({ ...base(), items: edited, extractor: ext3, out });
    assert.equal(third.embedded, 1);
    assert.deepEqual(
      Array.from((await readEmbeddings(out)).data.subarray(2 * 3, 3 * 3)),
      expectedEmbedding(testColour(9)),
    );
  });

  test('another model or preprocessing in the folder is refused, not mixed', async () => {
    const out = join(root, 'key');
    await embedManifest({ ...base(), extractor: meanPoolExtractor({ id: 'model-a' }), out });
    await assert.rejects(
      embedManifest({ ...base(), extractor: meanPoolExtractor({ id: 'model-b' }), out }),
      /holds embeddings of model "model-a".*this run is model "model-b"/,
    );
    const bicubic = { ...TEST_PREPROCESS, interpolation: 'bicubic' as const };
    await assert.rejects(
      embedManifest({ ...base(), extractor: meanPoolExtractor({ id: 'model-a', preprocess: bicubic }), out }),
      /holds embeddings of model "model-a" \(preprocess [0-9a-f]+/,
    );
    // An unfinished run of another model is refused too.
    const unfinished = join(root, 'key-parts');
    const crashing = meanPoolExtractor({
      id: 'model-a',
      beforeBatch: () => {
        if (crashing.calls === 2) throw new Error('stop');
      },
    });
    await assert.rejects(embedManifest({ ...base(), extractor: crashing, out: unfinished }), /stop/);
    await assert.rejects(
      embedManifest({ ...base(), extractor: meanPoolExtractor({ id: 'model-b' }), out: unfinished }),
      /unfinished run of model "model-a"/,
    );
  });
});
