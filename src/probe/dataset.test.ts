import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EmbeddingSet, ManifestItem } from '../core/types.js';
import { classList, gatherRows, joinManifest, labelOf, parseLabelSource } from './dataset.js';

const item = (id: string, labels: string[], attrs: ManifestItem['attrs'] = {}): ManifestItem => ({
  id,
  source: `${id}.png`,
  labels,
  attrs,
});

// Store rows in another order than the manifest, with an extra row the manifest does not use.
const set: EmbeddingSet = {
  ids: ['c', 'x', 'a', 'b'],
  dim: 2,
  data: Float32Array.of(30, 31, 90, 91, 10, 11, 20, 21),
  modelId: 'm',
};

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

describe('joinManifest', () => {
  const labels = parseLabelSource('labels');

  it('matches items to rows by id, in manifest order', () => {
    const j = joinManifest('m.jsonl', [item('a', ['p']), item('b', ['q']), item('c', ['p'])], set, 'DIR', {
      labelSource: labels,
    });
    assert.deepEqual(Array.from(j.rows), [2, 3, 0]);
    assert.deepEqual(j.labels, ['p', 'q', 'p']);
    assert.deepEqual(Array.from(gatherRows(set, j.rows)), [10, 11, 20, 21, 30, 31]);
  });

  it('names an unlabelled item, or skips and counts it on request', () => {
    const items = [item('a', ['p']), item('b', [])];
    assert.throws(
      () => joinManifest('m.jsonl', items, set, 'DIR', { labelSource: labels }),
      /m\.jsonl: field "labels" item "b" has no label in labels/,
    );
    const j = joinManifest('m.jsonl', items, set, 'DIR', { labelSource: labels, skipUnlabeled: true });
    assert.equal(j.skippedUnlabeled, 1);
    assert.deepEqual(Array.from(j.rows), [2]);
  });

  it('skips items listed as failed, but fails on other missing embeddings', () => {
    const items = [item('a', ['p']), item('gone', ['p']), item('lost', ['q'])];
    assert.throws(
      () => joinManifest('m.jsonl', items, set, 'DIR', { labelSource: labels, failedIds: new Set(['gone']) }),
      /DIR: has no embedding for 1 manifest item\(s\) not listed in failures\.jsonl, e\.g\. "lost"/,
    );
    const j = joinManifest('m.jsonl', items.slice(0, 2), set, 'DIR', {
      labelSource: labels,
      failedIds: new Set(['gone']),
    });
    assert.equal(j.skippedFailed, 1);
    assert.equal(j.items.length, 1);
  });
});
