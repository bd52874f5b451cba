import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTraining } from './train-options.js';

const base = { manifest: 'm.jsonl', backbone: 'resnet-tiny', out: 'run', batch: '8' };

test('--queue-length is refused for methods other than SwAV', async () => {
  await assert.rejects(
    runTraining('simclr', { ...base, 'queue-length': '64' }, {}),
    /apply to --method swav only/,
  );
});

test('a queue shorter than one batch is refused', async () => {
  await assert.rejects(runTraining('swav', { ...base, 'queue-length': '4' }, {}), /shorter than one batch/);
});

test('augmentation options are checked before anything is loaded, naming the option', async () => {
  await assert.rejects(
    runTraining('swav', { ...base, blur: '1.5' }, {}),
    /--blur must be a probability in \[0, 1\], got "1.5"/,
  );
  await assert.rejects(
    runTraining('swav', { ...base, 'color-strength': 'strong' }, {}),
    /--color-strength must be a number >= 0, got "strong"/,
  );
  await assert.rejects(
    runTraining('supervised', { ...base, 'min-scale': '0' }, {}),
    /--min-scale must be in \(0, 1\]/,
  );
});
