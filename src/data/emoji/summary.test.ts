import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countEmojiItems } from './summary.js';

describe('countEmojiItems', () => {
  it('counts items per attribute value and distinct clusters', () => {
    const item = (id: string, attrs: Record<string, string>, cluster?: string) => ({
      id,
      source: `${id}.png`,
      labels: [],
      attrs,
      cluster,
    });
    const counts = countEmojiItems([
      item('a', { style: 'google', skintone: '3' }, 'c1'),
      item('b', { style: 'google', skintone: 'none' }, 'c1'),
      item('c', { style: 'twitter' }),
    ]);
    // 3 items; style: google 2, twitter 1; skintone only on the first two; clusters c1, c1, and c (the id).
    assert.deepEqual(counts, {
      total: 3,
      byAttr: { style: { google: 2, twitter: 1 }, skintone: { '3': 1, none: 1 } },
      concepts: 2,
    });
  });
});
