import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { selectBackend } from './backend/select.js';
import { DEFAULT_CONFIG, type EpochReport, train } from './loop.js';
import { FASHION_CLASSES, FASHION_DIR, readFashionMnist } from './testing/fashion-mnist.js';

const present = existsSync(join(FASHION_DIR, 'train-images-idx3-ubyte.gz'));
const dir = mkdtempSync(join(tmpdir(), 'fairscope-swav-learning-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('end-to-end learning check: SwAV on 256 Fashion-MNIST images lowers its loss without collapsing', {
  skip: present ? false : `Fashion-MNIST IDX files not found in ${FASHION_DIR}`,
}, async (t) => {
  await selectBackend('auto'); // wasm with the onnxruntime kernels where available
  const n = 256;
  const d = readFashionMnist('train', n);
  const reports: EpochReport[] = await train({
    config: {
      ...DEFAULT_CONFIG,
      method: 'swav',
      backbone: 'resnet-tiny',
      epochs: 3,
      batch: 32,
      imageSize: 28,
      lr: 0.1,
      weightDecay: 1e-5,
      prototypes: 20,
      queueLength: 64,
      queueStartEpoch: 1,
    },
    train: {
      ids: d.labels.map((_, i) => String(i)),
      pixels: d.pixels,
      size: 28,
      labels: d.labels.map((l) => FASHION_CLASSES[l] as string),
      failures: [],
    },
    val: null,
    outDir: join(dir, 'run'),
    resume: false,
  });
  for (const r of reports)
    t.diagnostic(
      `epoch ${r.epoch}: loss ${r.loss.toFixed(3)}, embedding std ${r.embeddingStd.toFixed(4)}, RankMe ${r.rankMe.toFixed(1)}`,
    );
  assert.equal(reports.length, 3);
  const [first, , last] = reports as [EpochReport, EpochReport, EpochReport];
  for (const r of reports) assert.ok(Number.isFinite(r.loss), `epoch ${r.epoch} loss ${r.loss}`);
  // The swapped-prediction loss starts around ln(K) = 3.0 (20 prototypes) and must fall (about 0.3 here).
  assert.ok(last.loss < first.loss - 0.1, `loss ${first.loss.toFixed(3)} → ${last.loss.toFixed(3)}`);
  // No collapse: a collapsed backbone maps every image to one direction (std → 0, RankMe → 1);
  // this run ends near std 0.05 and RankMe 13 (random init: RankMe about 6).
  assert.ok(last.embeddingStd > 0.01, `embedding std ${last.embeddingStd}`);
  assert.ok(last.rankMe > 3, `RankMe ${last.rankMe} of 64`);
});
