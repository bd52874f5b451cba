import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { EmojiConcept } from './catalogue.js';
import { catalogueFromPackages } from './catalogue.js';
import { readDatasource, readOpenmoji } from './packages.js';
import { loadEmojiRules } from './rules.js';
import { assignTones, roundRobin, type SampleOptions, selectPerCategory } from './sample.js';

const TONES = ['none', '1-2', '3', '4', '5', '6'];

function person(key: string, gender: string, age = 'adult', tones = TONES.length): EmojiConcept {
  return {
    key,
    name: key,
    category: 'person',
    subcategory: 'person',
    sortOrder: 0,
    gender,
    age,
    role: key,
    variants: TONES.slice(0, tones).map((t) => ({ unified: `${key}-${t}`, skintone: t })),
  };
}

const rules = loadEmojiRules();
const options = (limit: number | undefined, seed = 0): SampleOptions => ({
  limit,
  seed,
  priority: rules.categories.priority,
  genders: rules.attributes.gender.values,
  ages: rules.attributes.age.values,
});

describe('roundRobin', () => {
  it('interleaves lists of different lengths', () => {
    assert.deepEqual(roundRobin([[1, 2, 3], [4], [5, 6]]), [1, 4, 5, 2, 6, 3]);
  });
});

describe('assignTones', () => {
  it('spreads a small limit over tones and concepts (hand-worked)', () => {
    const cs = [person('a', 'neutral'), person('b', 'woman'), person('c', 'man'), person('d', 'man')];
    // limit 6, T = 6, K = max(3, ceil(6/6)) = 3 concepts. Item k gets tone k mod 6 and goes to the
    // concept with the fewest items lacking it: a, b, c, a, b, c.
    const sel = assignTones(cs, 6, 3);
    assert.deepEqual(
      sel.map((s) => [s.concept.key, s.variants.map((v) => v.skintone)]),
      [
        ['a', ['none', '4']],
        ['b', ['1-2', '5']],
        ['c', ['3', '6']],
      ],
    );
  });

  it('takes whole concepts when the limit is a multiple of the tone count', () => {
    const cs = [person('a', 'neutral'), person('b', 'woman'), person('c', 'man'), person('d', 'man')];
    const sel = assignTones(cs, 18, 3);
    assert.deepEqual(
      sel.map((s) => s.variants.length),
      [6, 6, 6],
    );
  });

  it('never takes more than exists', () => {
    const cs = [person('a', 'neutral'), person('b', 'woman')];
    assert.equal(
      assignTones(cs, 100, 3).reduce((n, s) => n + s.variants.length, 0),
      12,
    );
  });
});

describe('selectPerCategory on the real catalogue', () => {
  const { concepts } = catalogueFromPackages(readDatasource('google'), readOpenmoji());

  it('keeps everything without a limit', () => {
    const sel = selectPerCategory(concepts, options(undefined));
    assert.equal(sel.length, concepts.length);
    assert.equal(
      sel.reduce((n, s) => n + s.variants.length, 0),
      concepts.reduce((n, c) => n + c.variants.length, 0),
    );
  });

  for (const limit of [6, 7, 13, 18, 25, 60, 200]) {
    it(`limit ${limit}: min(${limit}, available) items per category, every tone and gender present`, () => {
      const sel = selectPerCategory(concepts, options(limit));
      const count = (cat: string) =>
        sel.filter((s) => s.concept.category === cat).reduce((n, s) => n + s.variants.length, 0);
      const available = (cat: string) =>
        concepts.filter((c) => c.category === cat).reduce((n, c) => n + c.variants.length, 0);
      for (const cat of ['person', 'animal', 'object'])
        assert.equal(count(cat), Math.min(limit, available(cat)), cat);
      const tones = new Set<string>();
      const genders = new Set<string>();
      for (const s of sel) {
        for (const v of s.variants) if (v.skintone !== undefined) tones.add(v.skintone);
        if (s.concept.gender !== undefined) genders.add(s.concept.gender);
      }
      assert.deepEqual([...tones].sort(), [...TONES].sort());
      assert.deepEqual([...genders].sort(), ['man', 'neutral', 'woman']);
      // Tone counts differ by at most one (the greedy hands tones out in turn).
      const perTone = TONES.map((t) => sel.flatMap((s) => s.variants).filter((v) => v.skintone === t).length);
      assert.ok(Math.max(...perTone) - Math.min(...perTone) <= 1, `tone counts ${perTone}`);
    });
  }

  it('keeps the primates first among animals and all ages once the limit allows', () => {
    const sel = selectPerCategory(concepts, options(60));
    const animals = sel.filter((s) => s.concept.category === 'animal').map((s) => s.concept.name);
    for (const name of ['monkey', 'gorilla', 'orangutan']) assert.ok(animals.includes(name), name);
    const ages = new Set(sel.filter((s) => s.concept.category === 'person').map((s) => s.concept.age));
    assert.deepEqual([...ages].sort(), ['adult', 'child', 'older']);
  });

  it('is deterministic and depends on the seed', () => {
    const keys = (seed: number) =>
      selectPerCategory(concepts, options(30, seed)).flatMap((s) => s.variants.map((v) => v.unified));
    assert.deepEqual(keys(0), keys(0));
    assert.notDeepEqual(keys(0), keys(1));
  });
});
