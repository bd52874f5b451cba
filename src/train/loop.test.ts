import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_CONFIG, type Method } from './config.js';
import type { TrainingImages } from './data.js';
import { train } from './loop.js';

/** 8 images of 8×8 px: two classes (bright / dark), with deterministic texture. */
function tinyImages(): TrainingImages {
  const n = 8;
  const size = 8;
  const pixels = new Float32Array(n * size * size * 3);
  for (let i = 0; i < pixels.length; i++) {
    const image = Math.floor(i / (size * size * 3));
    pixels[i] = (image % 2 === 0 ? 0.6 : 0.1) + ((i * 7919) % 97) / 400;
  }
  return {
    ids: Array.from({ length: n }, (_, i) => `i${i}`),
    pixels,
    size,
    labels: Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 'bright' : 'dark')),
    failures: [],
  };
}

for (const method of ['supervised', 'swav', 'simclr', 'byol', 'dino', 'barlow'] as Method[]) {
  test(`train() (${method}) frees its network and optimiser state when it returns`, async () => {
    await tf.setBackend('cpu');
    const dir = await mkdtemp(join(tmpdir(), 'fairscope-loop-'));
    try {
      const before = tf.memory().numTensors;
      const reports = await train({
        config: {
          ...DEFAULT_CONFIG,
          method,
          backbone: 'resnet-tiny',
          epochs: 1,
          batch: 4,
          imageSize: 8,
          hiddenDim: 8,
          outputDim: 4,
          prototypes: 3,
          localCrops: 1,
        },
        train: tinyImages(),
        val: null,
        outDir: dir,
        resume: false,
      });
      assert.equal(reports.length, 1);
      assert.equal(tf.memory().numTensors, before);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
