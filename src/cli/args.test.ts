import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../core/errors.js';
import { nonNegativeInt, noPositionals, positiveInt } from './args.js';

test('nonNegativeInt accepts 0 and integers, returns the fallback when absent, and names bad values', () => {
  assert.equal(nonNegativeInt('0', 'seed', 7), 0);
  assert.equal(nonNegativeInt('12', 'seed', 7), 12);
  assert.equal(nonNegativeInt(undefined, 'seed', 7), 7);
  assert.equal(nonNegativeInt(undefined, 'seed', undefined), undefined);
  for (const bad of ['-1', '1.5', 'x']) {
    assert.throws(
      () => nonNegativeInt(bad, 'seed', 0),
      (e: unknown) =>
        e instanceof UsageError && e.message === `--seed must be a non-negative integer, got "${bad}"`,
    );
  }
});

test('positiveInt rejects 0', () => {
  assert.throws(() => positiveInt('0', 'batch', 1), /--batch must be a positive integer, got "0"/);
});

test('noPositionals accepts none and names the unexpected arguments', () => {
  noPositionals([]);
  assert.throws(
    () => noPositionals(['a.jsonl', 'b']),
    (err: unknown) => err instanceof UsageError && err.message === 'unexpected argument(s): a.jsonl b',
  );
});
