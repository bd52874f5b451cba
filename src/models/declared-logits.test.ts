import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import { testDir } from '../cli/testing/run-cli.js';
import { InputError } from '../core/errors.js';
import { declaredLogits } from './declared-logits.js';
import { defaultPreprocess, type ModelDescriptor, readDescriptor } from './descriptor.js';
import { tableColumns } from './table-columns.js';
import { f32le, npy } from './testing/npy-file.js';

const dir = await testDir('fairscope-declared-');
const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'models');

function embeddings(path: string, classes?: string[]): ModelDescriptor {
  return {
    id: 'e',
    format: 'embeddings',
    path,
    ...(classes === undefined ? {} : { classes }),
    preprocess: defaultPreprocess('embeddings'),
    origin: join(dir, 'e.yaml'),
  };
}

/** A table of 2 rows with an embedding column and, when asked, a logits column of 3 classes. */
function table(withLogits: boolean): arrow.Table {
  const list = (rows: number[][]) =>
    arrow.vectorFromArray(rows, new arrow.List(new arrow.Field('item', new arrow.Float32(), true)));
  return new arrow.Table({
    id: arrow.vectorFromArray(['a', 'b']),
    embedding: list([
      [1, 2],
      [3, 4],
    ]),
    ...(withLogits
      ? {
          logits: list([
            [0, 1, 2],
            [2, 1, 0],
          ]),
        }
      : {}),
  });
}

test('a table declares logits by its schema alone: Arrow file, Arrow stream and Parquet', async () => {
  const classes = ['u', 'v', 'w'];
  for (const withLogits of [true, false]) {
    const t = table(withLogits);
    const files = {
      arrow: arrow.tableToIPC(t, 'file'),
      arrows: arrow.tableToIPC(t, 'stream'),
      parquet: writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(t, 'stream'))),
    };
    for (const [ext, bytes] of Object.entries(files)) {
      const path = join(dir, `t-${withLogits}.${ext}`);
      await writeFile(path, bytes);
      assert.deepEqual(
        await tableColumns(path),
        withLogits ? ['id', 'embedding', 'logits'] : ['id', 'embedding'],
        path,
      );
      const declared = await declaredLogits(embeddings(path, classes));
      if (withLogits) assert.deepEqual(declared, { classes }, path);
      else assert.match((declared as { none: string }).none, /has no "logits" column/, path);
    }
  }
  // Logits without class names in the descriptor cannot be used.
  const path = join(dir, 't-true.parquet');
  assert.match(
    ((await declaredLogits(embeddings(path))) as { none: string }).none,
    /no descriptor names its classes/,
  );
});

test('a .npy matrix has no logits; an unreadable table is an input error naming the file', async () => {
  const path = join(dir, 'm.npy');
  await writeFile(path, npy('<f4', [1, 2], f32le([1, 2])));
  assert.match(((await declaredLogits(embeddings(path))) as { none: string }).none, /\.npy matrix/);
  const bad = join(dir, 'bad.parquet');
  await writeFile(bad, 'not parquet');
  await assert.rejects(declaredLogits(embeddings(bad, ['u'])), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /bad\.parquet.*not a Parquet file/);
    return true;
  });
});

test('an ONNX descriptor declares logits with logitsOutput and classes, without loading the model', async () => {
  const tiny = readDescriptor(join(fixtures, 'tiny-resnet.yaml'));
  const declared = await declaredLogits(tiny);
  assert.ok('classes' in declared);
  assert.equal(declared.classes.length, 10);
  const { logitsOutput: _l, classes: _c, ...features } = tiny;
  assert.match(((await declaredLogits(features)) as { none: string }).none, /names no logitsOutput/);
  assert.match(
    ((await declaredLogits({ ...tiny, classes: undefined } as ModelDescriptor)) as { none: string }).none,
    /names logitsOutput "logits" but not its classes/,
  );
});
