/**
 * The catalogue of the real installed packages, checked against counts made here with plain loops
 * over emoji-datasource's emoji.json (Unicode names, not the CLDR names the catalogue uses) and
 * against the figures in docs/data-sources.md.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageOf, catalogueFromPackages, genderOf, roleOf, skinToneOf } from './catalogue.js';
import { type DatasourceEntry, readDatasource, readOpenmoji } from './packages.js';
import { loadEmojiRules } from './rules.js';
import { styleArtIndex } from './sources.js';

const datasource = readDatasource('google');
const catalogue = catalogueFromPackages(datasource, readOpenmoji());
const people = catalogue.concepts.filter((c) => c.category === 'person');
const rules = loadEmojiRules().attributes;

const PERSON_SUBGROUPS = [
  'person',
  'person-gesture',
  'person-role',
  'person-fantasy',
  'person-activity',
  'person-sport',
  'person-resting',
];
const MODIFIERS = ['1F3FB', '1F3FC', '1F3FD', '1F3FE', '1F3FF'];

/** Reference: a single-person tone concept has exactly the five single-modifier variations. */
function isSinglePersonToneEmoji(e: DatasourceEntry): boolean {
  if (e.category !== 'People & Body' || !PERSON_SUBGROUPS.includes(e.subcategory)) return false;
  const keys = Object.keys(e.skin_variations ?? {}).sort();
  return keys.length === 5 && keys.every((k, i) => k === MODIFIERS[i]);
}

/**
 * Reference gender from the Unicode name (emoji-datasource `name`), a different source from the CLDR
 * names the catalogue reads. Where the two disagree the CLDR name is the current one; each such
 * emoji is listed by hand with the reason.
 */
const UNICODE_NAME_EXCEPTIONS: Record<string, string> = {
  '1f473': 'neutral', // MAN WITH TURBAN is CLDR "person wearing turban" since Emoji 4.0
  '1f472': 'neutral', // MAN WITH GUA PI MAO is CLDR "person with skullcap"
  '1f935': 'neutral', // MAN IN TUXEDO is CLDR "person in tuxedo" since Emoji 13.0
  '1f9d5': 'woman', // PERSON WITH HEADSCARF is CLDR "woman with headscarf"
  '1f483': 'woman', // DANCER is CLDR "woman dancing"
  '1f385': 'man', // FATHER CHRISTMAS (Santa Claus), an override in attributes.json
  '1f936': 'woman', // MOTHER CHRISTMAS (Mrs. Claus), an override in attributes.json
};
function referenceGender(e: DatasourceEntry): string {
  const exception = UNICODE_NAME_EXCEPTIONS[e.unified.toLowerCase()];
  if (exception) return exception;
  const words = (e.name ?? '').split(/[^A-Z]+/);
  if (['WOMAN', 'GIRL', 'PRINCESS', 'MERMAID'].some((w) => words.includes(w))) return 'woman';
  if (['MAN', 'BOY', 'PRINCE', 'MERMAN'].some((w) => words.includes(w))) return 'man';
  return 'neutral';
}

describe('emoji catalogue (installed packages)', () => {
  it('holds the 262 single-person tone concepts that a plain loop over emoji.json finds', () => {
    const expected = datasource.entries.filter(isSinglePersonToneEmoji).map((e) => e.unified.toLowerCase());
    assert.equal(expected.length, 262); // docs/data-sources.md: 262 single-person concepts
    assert.deepEqual(people.map((c) => c.key).sort(), expected.sort());
    assert.deepEqual(catalogue.issues, []);
  });

  it('gives every person concept the default and the five tones, once each', () => {
    for (const c of people) {
      assert.deepEqual(
        c.variants.map((v) => v.skintone),
        ['none', '1-2', '3', '4', '5', '6'],
        c.name,
      );
      // Each tone variant's codepoints carry its own modifier, in the base emoji's position.
      assert.equal(c.variants[3]?.unified.includes('1f3fd'), true, c.name);
    }
    const toneCounts = new Map<string, number>();
    for (const c of people)
      for (const v of c.variants)
        toneCounts.set(v.skintone ?? '', (toneCounts.get(v.skintone ?? '') ?? 0) + 1);
    assert.deepEqual(Object.fromEntries(toneCounts), {
      none: 262,
      '1-2': 262,
      '3': 262,
      '4': 262,
      '5': 262,
      '6': 262,
    });
  });

  it('assigns the gender the Unicode names give, concept by concept', () => {
    const byKey = new Map(datasource.entries.map((e) => [e.unified.toLowerCase(), e]));
    const counts: Record<string, number> = {};
    for (const c of people) {
      const entry = byKey.get(c.key) as DatasourceEntry;
      assert.equal(c.gender, referenceGender(entry), `${c.key} "${c.name}" (${entry.name})`);
      counts[c.gender as string] = (counts[c.gender as string] ?? 0) + 1;
    }
    // 84 + 85 + 93 = 262
    assert.deepEqual(counts, { man: 84, woman: 85, neutral: 93 });
  });

  it('marks exactly the babies/children and the older people by age', () => {
    const byAge = (age: string) =>
      people
        .filter((c) => c.age === age)
        .map((c) => c.key)
        .sort();
    // baby, boy, girl, baby angel, child; old man, old woman, older person (Unicode charts).
    assert.deepEqual(byAge('child'), ['1f466', '1f467', '1f476', '1f47c', '1f9d2']);
    assert.deepEqual(byAge('older'), ['1f474', '1f475', '1f9d3']);
    assert.equal(byAge('adult').length, 262 - 5 - 3);
  });

  it('finds the roles drawn as person, man and woman', () => {
    const roles = new Map<string, Set<string>>();
    for (const c of people) {
      const set = roles.get(c.role as string) ?? new Set();
      set.add(c.gender as string);
      roles.set(c.role as string, set);
    }
    const crossed = [...roles.values()].filter((s) => s.size === 3).length;
    // Reference loop: emoji whose sequence is PERSON/gender-free + ZWJ, counted from the gendered
    // man variants: each 'MAN ...' ZWJ sequence of a role that also has a woman and person form.
    const unified = new Set(
      datasource.entries.filter(isSinglePersonToneEmoji).map((e) => e.unified.toLowerCase()),
    );
    let reference = 0;
    for (const u of unified) {
      const woman = u.startsWith('1f468-200d-')
        ? u.replace('1f468-', '1f469-')
        : u.includes('-200d-2642-fe0f')
          ? u.replace('-200d-2642-fe0f', '-200d-2640-fe0f')
          : undefined;
      if (woman === undefined || !unified.has(woman)) continue;
      const person = u.startsWith('1f468-200d-')
        ? u.replace('1f468-', '1f9d1-')
        : u.replace('-200d-2642-fe0f', '');
      if (unified.has(person)) reference++;
    }
    if (unified.has('1f468') && unified.has('1f469') && unified.has('1f9d1')) reference++;
    assert.equal(crossed, reference);
  });

  it('has the animals (primates included) and objects a plain loop finds', () => {
    const animals = datasource.entries.filter(
      (e) => e.category === 'Animals & Nature' && e.subcategory.startsWith('animal-'),
    );
    const objects = datasource.entries.filter((e) =>
      ['Food & Drink', 'Travel & Places', 'Objects', 'Activities'].includes(e.category),
    );
    const keysOf = (cat: string) =>
      catalogue.concepts
        .filter((c) => c.category === cat)
        .map((c) => c.key)
        .sort();
    assert.deepEqual(keysOf('animal'), animals.map((e) => e.unified.toLowerCase()).sort());
    assert.deepEqual(keysOf('object'), objects.map((e) => e.unified.toLowerCase()).sort());
    const names = new Set(catalogue.concepts.filter((c) => c.category === 'animal').map((c) => c.name));
    for (const primate of ['monkey', 'gorilla', 'orangutan', 'monkey face'])
      assert.ok(names.has(primate), primate);
    for (const c of catalogue.concepts.filter((c) => c.category !== 'person')) {
      assert.equal(c.variants.length, 1);
      assert.equal(c.variants[0]?.skintone, undefined);
      assert.equal(c.gender, undefined);
    }
  });

  it('has every variant in every style, or reports it', () => {
    for (const style of ['google', 'twitter', 'openmoji'] as const) {
      const { art } = styleArtIndex(style);
      const missing = catalogue.concepts.flatMap((c) =>
        c.variants
          .filter((v) => !art.has(v.unified.replaceAll('-fe0f', '')))
          .map((v) => `${c.name} ${v.unified}`),
      );
      assert.deepEqual(missing, [], style);
    }
  });
});

describe('emoji attribute rules', () => {
  it('reads the skin tone from the Fitzpatrick modifier', () => {
    assert.equal(skinToneOf('1f469', rules), 'none');
    assert.equal(skinToneOf('1F469-1F3FB', rules), '1-2');
    assert.equal(skinToneOf('1f46e-1f3ff-200d-2640-fe0f', rules), '6');
    assert.throws(
      () => skinToneOf('1f9d1-1f3fb-200d-1f91d-200d-1f9d1-1f3fc', rules),
      /2 skin-tone modifiers/,
    );
  });

  it('takes gender from words anywhere and age from the first word', () => {
    assert.equal(genderOf('x', 'woman feeding baby', rules), 'woman');
    assert.equal(ageOf('woman feeding baby', rules), 'adult');
    assert.equal(ageOf('baby angel', rules), 'child');
    assert.equal(genderOf('x', 'deaf man', rules), 'man');
    assert.equal(genderOf('x', 'person: white hair', rules), 'neutral');
    assert.equal(ageOf('person: white hair', rules), 'adult');
    assert.equal(genderOf('1F385', 'santa claus', rules), 'man');
    assert.throws(() => genderOf('x', 'man and woman holding hands', rules), /matches man and woman/);
  });

  it('maps gendered sequences to their role', () => {
    assert.equal(roleOf('1f46e-200d-2640-fe0f', rules), '1f46e');
    assert.equal(roleOf('1f469-200d-1f692', rules), '1f9d1-200d-1f692');
    assert.equal(roleOf('1f468', rules), '1f9d1');
    assert.equal(roleOf('1f3c3-200d-2642-fe0f-200d-27a1-fe0f', rules), '1f3c3-200d-27a1');
  });
});
