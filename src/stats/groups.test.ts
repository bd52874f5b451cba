import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import {
  DEFAULT_MISSING_VALUES,
  defaultGroupings,
  indexClusters,
  isMissingGroup,
  parseGroupings,
  splitByGrouping,
} from './groups.js';

const item = (id: string, attrs: ManifestItem['attrs'], cluster?: string): ManifestItem => ({
  id,
  source: `${id}.png`,
  labels: [],
  attrs,
  ...(cluster === undefined ? {} : { cluster }),
});
const items = [
  item('a', { gender: 'female', skintone: 'darker', age: 31 }, 's1'),
  item('b', { gender: 'male', skintone: 'lighter', age: 40 }, 's1'),
  item('c', { gender: 'n/a', skintone: 'lighter' }, 's2'),
  item('d', { gender: 'female' }),
];

test('groupings: defaults are the string attributes; a*b and a_b declare intersections', () => {
  assert.deepEqual(
    defaultGroupings(items).map((g) => g.name),
    ['gender', 'skintone'],
  );
  assert.deepEqual(parseGroupings('gender, gender*skintone,gender_skintone', items), [
    { name: 'gender', attributes: ['gender'] },
    { name: 'gender*skintone', attributes: ['gender', 'skintone'] },
    { name: 'gender_skintone', attributes: ['gender', 'skintone'] },
  ]);
  assert.throws(
    () => parseGroupings('race', items),
    /unknown attribute "race"; attributes are: age, gender, skintone/,
  );
  assert.throws(() => parseGroupings('gender*race', items), /unknown attribute\(s\) race/);
});

test('splitByGrouping: sorted groups, missing attributes get their own group', () => {
  const { groups, groupIndex } = splitByGrouping(items, { name: 'g*s', attributes: ['gender', 'skintone'] });
  assert.deepEqual(groups, [
    { gender: 'female', skintone: '(missing)' },
    { gender: 'female', skintone: 'darker' },
    { gender: 'male', skintone: 'lighter' },
    { gender: 'n/a', skintone: 'lighter' },
  ]);
  assert.deepEqual([...groupIndex], [1, 2, 3, 0]);
});

test('missing values, including parts of joined values', () => {
  const missing = new Set(DEFAULT_MISSING_VALUES);
  assert.ok(isMissingGroup({ gender: 'n/a' }, missing));
  assert.ok(isMissingGroup({ gender_skintone: 'n/a_lighter' }, missing));
  assert.ok(isMissingGroup({ gender_skintone: 'female_unknown' }, missing));
  assert.ok(isMissingGroup({ gender: 'male', skintone: '(missing)' }, missing));
  assert.ok(!isMissingGroup({ gender: 'other' }, missing));
  assert.ok(!isMissingGroup({ age_bucket: '18-30' }, missing));
});

test('indexClusters: the cluster field, else the id', () => {
  const { clusterIndex, nClusters } = indexClusters(items);
  assert.deepEqual([...clusterIndex], [0, 0, 1, 2]);
  assert.equal(nClusters, 3);
});
