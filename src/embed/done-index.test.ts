/**
 * DoneIndex: (id, item key) -> the lowest row recorded for it; another key, another id or a key that
 * is not an item key finds nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DoneIndex } from './done-index.js';
import { itemKey } from './keys.js';

test('finds the lowest row of an (id, key), compares keys exactly, ignores what is not an item key', () => {
  const k = (source: string) => itemKey({ source });
  const done = new DoneIndex();
  for (let i = 0; i < 5000; i++) done.add(`id-${i}`, k(`s${i % 7}`), 10 + i);
  done.add('id-3', k('s3'), 2); // the same item again, lower row
  done.add('id-3', k('s3'), 99999); // and higher
  done.add('id-4', '', 3); // an old part without keys
  assert.equal(done.rows, 5002);
  assert.equal(done.find('id-3', k('s3')), 2);
  assert.equal(done.find('id-4', k('s4')), 14);
  assert.equal(done.find('id-4999', k(`s${4999 % 7}`)), 5009);
  assert.equal(done.find('id-4', k('s5')), -1, 'another key');
  assert.equal(done.find('id-5000', k('s2')), -1, 'another id');
  assert.equal(done.find('id-4', ''), -1);
  assert.throws(() => done.add('x', k('s'), 1), /add after find/);
});
