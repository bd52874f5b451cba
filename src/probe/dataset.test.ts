import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { classList, labelOf, parseLabelSource } from './dataset.js';

const item = (id: string, labels: string[], attrs: ManifestItem['attrs'] = {}): ManifestItem => ({
  id,
  source: `${id}.png`,
  labels,
  attrs,
});

describe('parseLabelSource / labelOf', () => {
  it('reads the first label or an attribute (numbers as text)', () => {
    const it_ = item('a', ['dog', 'cat'], { age: 3 });
    assert.equal(labelOf(it_, parseLabelSource('labels')), 'dog');
    assert.equal(labelOf(it_, parseLabelSource('attr:age')), '3');
    assert.equal(labelOf(it_, parseLabelSource('attr:gender')), undefined);
  });
  it('rejects anything else', () => {
    assert.throws(
      () => parseLabelSource('attr:'),
      /--label-from must be "labels" or "attr:NAME", got "attr:"/,
    );
  });
});

describe('classList', () => {
  it('sorts numbers numerically and text by code unit, without duplicates', () => {
    assert.deepEqual(classList(['10', '2', '1', '2']), ['1', '2', '10']);
    assert.deepEqual(classList(['b', 'B', 'a', '10']), ['10', 'B', 'a', 'b']);
  });
});
