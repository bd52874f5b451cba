import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/rng.js';
import { buildMethod, type MethodNet } from './methods.js';

before(async () => {
  await tf.setBackend('cpu');
});

/** A SwAV net whose weights depend only on the seed (two builds are identical). */
function swav(queueLength: number): MethodNet {
  const rng = new Rng(42);
  const random = Math.random;
  try {
    return buildMethod(
      {
        method: 'swav',
        backbone: 'resnet-tiny',
        imageSize: 8,
        hiddenDim: 8,
        outputDim: 4,
        prototypes: 5,
        localCrops: 1,
        freezePrototypesSteps: 0,
        numClasses: 2,
        queueLength,
        queueStartStep: 1,
      },
      () => {
        Math.random = () => rng.next();
      },
    );
  } finally {
    Math.random = random;
  }
}

test('SwAV queue: filled from the start step, newest batch first, used once filled through', () => {
  const withQueue = swav(4); // two batches of 2
  const plain = swav(0);
  const queueRows = () =>
    [...withQueue.state()]
      .filter(([k]) => k.startsWith('swav_queue_'))
      .map(([, v]) => v.arraySync() as number[][]);
  const views = (s: number) => [
    tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', s) as tf.Tensor4D,
    tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', s + 100) as tf.Tensor4D,
    tf.randomNormal([2, 4, 4, 3], 0, 1, 'float32', s + 200) as tf.Tensor4D,
  ];
  const losses: [number, number][] = [];
  const snapshots: number[][][][] = [];
  for (let step = 0; step < 4; step++) {
    const v = views(step);
    losses.push([
      withQueue.loss(v, null, step).dataSync()[0] as number,
      plain.loss(v, null, step).dataSync()[0] as number,
    ]);
    withQueue.afterStep(step, 10);
    plain.afterStep(step, 10);
    snapshots.push(queueRows());
  }
  const [q0, q1, q2] = snapshots as [number[][][], number[][][], number[][][]];
  assert.equal(q0.length, 2, 'one queue per assignment crop');
  // Step 0 is before the start step: nothing queued.
  assert.ok(q0.flat(2).every((x) => x === 0));
  // Step 1 queued its batch in rows 0-1 (unit-norm embeddings); rows 2-3 still empty.
  for (const q of q1) {
    for (const r of q.slice(0, 2)) assert.ok(Math.abs(Math.hypot(...r) - 1) < 1e-5);
    assert.ok(
      q
        .slice(2)
        .flat()
        .every((x) => x === 0),
    );
  }
  // Step 2 pushed step 1's rows down (FIFO, newest first).
  q2.forEach((q, i) => {
    assert.deepEqual(q.slice(2), (q1[i] as number[][]).slice(0, 2));
  });
  // The codes ignore the queue until it is full (steps 0-2), then use it (step 3).
  for (let s = 0; s < 3; s++)
    assert.ok(Math.abs((losses[s]?.[0] as number) - (losses[s]?.[1] as number)) < 1e-6, `step ${s}`);
  assert.ok(
    Math.abs((losses[3]?.[0] as number) - (losses[3]?.[1] as number)) > 1e-4,
    'step 3 uses the queue',
  );
});
