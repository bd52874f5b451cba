import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTraining } from './cli-options.js';

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
