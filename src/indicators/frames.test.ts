import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { splitItems } from '../stats/groups.js';
import { frameCarriers } from './frames.js';

const item = (id: string, gender: string): ManifestItem => ({
  id,
  source: `${id}.png`,
  labels: [],
  attrs: { gender },
});

test('frameCarriers keeps the splits, or makes one empty "overall" split of n items', () => {
  const items = [item('a', 'f'), item('b', 'm'), item('c', 'f')];
  const splits = [splitItems(items, { name: 'gender', attributes: ['gender'] }, new Set())];
  assert.equal(frameCarriers(splits, 3), splits);
  const [overall, ...rest] = frameCarriers([], 3);
  assert.equal(rest.length, 0);
  assert.deepEqual(overall?.grouping, { name: 'overall', attributes: [] });
  assert.deepEqual(Array.from(overall?.groupIndex ?? []), [0, 0, 0]);
  assert.deepEqual(
    [overall?.groups, overall?.members, overall?.comparable, overall?.notes],
    [[], [], [], []],
  );
});
