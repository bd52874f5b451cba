import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { UsageError } from '../../core/errors.js';
import { importer, parseEmojiOptions } from './emoji.js';

describe('emoji importer', () => {
  it('is named emoji and documents its options', () => {
    assert.equal(importer.name, 'emoji');
    assert.deepEqual(Object.keys(importer.optionsHelp).sort(), [
      'limit-per-category',
      'seed',
      'size',
      'styles',
    ]);
  });

  it('parses the command-line options', () => {
    assert.deepEqual(
      parseEmojiOptions({ styles: 'openmoji,google', size: '48', 'limit-per-category': '30' }),
      {
        styles: ['openmoji', 'google'],
        size: 48,
        limitPerCategory: 30,
        seed: undefined,
      },
    );
    assert.deepEqual(parseEmojiOptions({}), {
      styles: undefined,
      size: undefined,
      limitPerCategory: undefined,
      seed: undefined,
    });
  });

  it('rejects bad options as usage errors that name the option and value', () => {
    const cases: [Record<string, string | boolean>, RegExp][] = [
      [{ styles: 'google,apple' }, /--styles must list google, twitter, openmoji; unknown: apple/],
      [{ styles: 'google,google' }, /repeats a style/],
      [{ size: '0' }, /--size must be an integer in 8\.\.1024, got "0"/],
      [{ 'limit-per-category': '2.5' }, /--limit-per-category must be an integer/],
      [{ size: true }, /--size needs a value/],
      [{ colour: 'red' }, /unknown option --colour/],
    ];
    for (const [options, message] of cases) {
      assert.throws(
        () => parseEmojiOptions(options),
        (err: unknown) => err instanceof UsageError && message.test(err.message),
      );
    }
  });

  it('takes no input paths', async () => {
    await assert.rejects(importer.import({ inputs: ['x'], outDir: '.', options: {} }), UsageError);
  });

  it('imports a tiny set', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fairscope-emoji-import-'));
    try {
      const res = await importer.import({
        inputs: [],
        outDir: dir,
        options: { styles: 'twitter', 'limit-per-category': '6', size: '16' },
      });
      assert.equal(res.items.length, 18);
      assert.ok(res.items.every((i) => i.id.startsWith('twitter/')));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
