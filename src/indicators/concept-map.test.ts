import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConceptMap } from './concept-map.js';

const classes = ['stove', 'cup', 'phone'];

test('concept maps: keys by class name or by index, several concepts per class', () => {
  const byName = parseConceptMap(
    { name: 'm', map: { stove: ['stove', 'oven'], cup: ['cup'] } },
    'm.json',
    classes,
  );
  assert.deepEqual(byName.conceptsOfClass, [['stove', 'oven'], ['cup'], []]);
  assert.equal(byName.keys, 'class-name');
  const byIndex = parseConceptMap({ '0': ['stove', 'oven'], '2': ['phone'] }, 'm.json', classes);
  assert.deepEqual(byIndex.conceptsOfClass, [['stove', 'oven'], [], ['phone']]);
  assert.equal(byIndex.keys, 'class-index');
});

test('concept maps: unknown classes and bad values name the file and field', () => {
  assert.throws(
    () => parseConceptMap({ map: { stove: ['x'], sofa: ['sofa'] } }, 'm.json', classes),
    /m\.json: field "map" 1 key\(s\) are not class names of the model \(3 classes\) nor class indices: sofa/,
  );
  assert.throws(
    () => parseConceptMap({ map: { stove: 'oven' } }, 'm.json', classes),
    /field "map\.stove" must be a list/,
  );
});
