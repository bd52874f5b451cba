import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../core/errors.js';
import { IMPORTER_NAMES, IMPORTERS, isImporterName, loadImporter } from './registry.js';

test('the registry is frozen and every format loads an importer of that name with help for its options', async () => {
  assert.ok(Object.isFrozen(IMPORTERS));
  assert.deepEqual(
    [...IMPORTER_NAMES],
    [
      'casual-conversations',
      'utkface',
      'miap',
      'dollar-street',
      'image-folder',
      'fairface',
      'fashion-mnist',
      'emoji',
    ],
  );
  for (const name of IMPORTER_NAMES) {
    const importer = await loadImporter(name);
    assert.equal(importer.name, name);
    assert.ok(importer.summary.length > 0);
    for (const flag of importer.flags ?? [])
      assert.ok(flag in importer.optionsHelp, `${name}: flag ${flag} has help`);
  }
});

test('an unknown format is a usage error listing the formats', async () => {
  assert.equal(isImporterName('toString'), false);
  await assert.rejects(
    loadImporter('toString'),
    (err: unknown) =>
      err instanceof UsageError && /formats are: casual-conversations, utkface/.test(err.message),
  );
});
