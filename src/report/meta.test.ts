import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trainingText } from './meta.js';

test('trainingText: one line on how a trained model was made', () => {
  const swav = {
    training: {
      method: 'swav',
      backbone: 'resnet-tiny',
      dataset: 'train-styles',
      images: 1822,
      epochs: 60,
      steps: 1680,
      batch: 64,
      imageSize: 32,
      optimizer: 'sgd',
      lr: 0.2,
      seed: 0,
      labelFrom: 'attr:category',
      finalLoss: 4.23456,
      knnAccuracy: 0.61234,
      rankMe: 18.26,
      seconds: 750,
    },
  };
  assert.equal(
    trainingText(swav),
    'swav on train-styles (1,822 images): resnet-tiny, 32 px, 60 epochs = 1,680 steps at batch 64, sgd lr 0.2, seed 0; last epoch: loss 4.235, kNN accuracy 0.612 (attr:category classes, leave-one-out on the training images), RankMe 18.3; 12.5 min',
  );
  const none = {
    training: {
      method: 'none',
      backbone: 'resnet-tiny',
      dataset: 'd',
      images: 5,
      imageSize: 16,
      seed: 3,
      labelFrom: 'labels',
      knnAccuracy: null,
      rankMe: 2,
    },
  };
  assert.equal(
    trainingText(none),
    'untrained: resnet-tiny, 16 px at its random initialisation (seed 3); on d (5 images): kNN accuracy n/a (first-label classes, leave-one-out on the training images), RankMe 2.0',
  );
  const collapsed = { training: { ...swav.training, seconds: undefined, warning: 'collapsed' } };
  assert.match(trainingText(collapsed), /RankMe 18\.3; ⚠ collapsed$/);
  assert.equal(trainingText({ training: 'fine-tuned by hand' }), 'fine-tuned by hand');
  assert.equal(trainingText({ name: 'x' }), '');
  assert.equal(trainingText(undefined), '');
});
