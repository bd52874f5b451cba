import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadTaxonomy } from './node/taxonomy-file.js';
import { checkTaxonomyCoverage, parseTaxonomy, taxonomyLabels } from './taxonomy.js';

// [P-FI] Table 3 as printed in protocols.md 3.1.
const NON_HUMAN_CC = [
  'swine',
  'slug',
  'snake',
  'monkey',
  'lemur',
  'chimpanzee',
  'baboon',
  'animal',
  'bonobo',
  'mandrill',
  'rat',
  'dog',
  'capuchin',
  'gorilla',
  'mountain gorilla',
  'ape',
  'great ape',
  'orangutan',
];

test('built-in taxonomies are Table 3, including the dog difference', async () => {
  const cc = await loadTaxonomy('casual-conversations');
  const miap = await loadTaxonomy('miap');
  const types = (t: typeof cc) =>
    Object.fromEntries(t.associations.map((a) => [a.name, [...a.labels].sort()]));
  assert.deepEqual(types(cc), {
    Human: ['face', 'people'],
    'Possibly-Human': ['beard', 'khimar', 'makeup'],
    'Non-Human': [...NON_HUMAN_CC].sort(),
    'Possibly-Non-Human': [],
    Crime: ['prison'],
  });
  assert.deepEqual(types(miap), {
    Human: ['face', 'people'],
    'Possibly-Human': ['beard', 'khimar', 'makeup'],
    'Non-Human': NON_HUMAN_CC.filter((l) => l !== 'dog').sort(),
    'Possibly-Non-Human': ['cat', 'dog'],
    Crime: ['prison'],
  });
  assert.deepEqual(cc.harmfulTypes, ['Non-Human', 'Crime']);
  assert.match(cc.harmfulNote ?? '', /\[INF\]/);
  assert.deepEqual([cc.disparateLabels, cc.disparateThreshold], [['animal'], 0.2]);
  assert.deepEqual([miap.disparateLabels, miap.disparateThreshold], [['prison'], 0.5]);
});

test('user taxonomies: same format; errors name the file and field', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fairscope-tax-'));
  const good = join(dir, 'mine.json');
  await writeFile(
    good,
    JSON.stringify({ name: 'mine', associations: { Pets: ['cat'], Vehicles: ['car', 'bus'] } }),
  );
  const t = await loadTaxonomy(good);
  assert.equal(t.name, 'mine');
  assert.deepEqual(taxonomyLabels(t), ['bus', 'car', 'cat']);
  assert.deepEqual(t.harmfulTypes, []);
  assert.throws(
    () => parseTaxonomy({ associations: { A: ['x', 3] } }, 'f.json'),
    /f\.json: field "associations\.A" must be a list/,
  );
  assert.throws(
    () => parseTaxonomy({ associations: { A: ['x'] }, harmful: { types: ['B'] } }, 'f.json'),
    /field "harmful\.types" names unknown association type\(s\) B/,
  );
  assert.throws(
    () =>
      parseTaxonomy(
        { associations: { A: ['x'] }, disparateLabels: { labels: ['x'], threshold: 2 } },
        'f.json',
      ),
    /field "disparateLabels\.threshold" must be a number in \[0, 1\]/,
  );
  await assert.rejects(
    loadTaxonomy(join(dir, 'absent.json')),
    /cannot read taxonomy.*built-in taxonomies are: casual-conversations, miap/,
  );
});

test('labels absent from the class list: an error listing them, or a warning when partial coverage is allowed', async () => {
  const cc = await loadTaxonomy('casual-conversations');
  const labels = ['people', 'face', 'dog', 'car'];
  assert.throws(
    () => checkTaxonomyCoverage(cc, labels, { classesFile: 'classes.txt' }),
    /21 label\(s\) of taxonomy "casual-conversations" are not among the model's 4 class label names \(classes\.txt\): animal, ape, baboon, beard,/,
  );
  const { missing } = checkTaxonomyCoverage(cc, labels, { allowPartial: true });
  assert.equal(missing.length, 21); // 24 labels in Table 3 for CC, 3 present
  assert.ok(!missing.includes('dog'));
});
