/**
 * Precomputed embeddings. The .npy files are written byte by byte here from the format spec
 * (numpy.lib.format: magic, version, little-endian header length, header dict padded to 64 bytes),
 * so the reader is checked against the spec, not against itself.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as arrow from 'apache-arrow';
import { Table as WasmTable, writeParquet } from 'parquet-wasm/node';
import { InputError } from '../core/errors.js';
import { defaultPreprocess, type ModelDescriptor } from './descriptor.js';
import { loadEmbeddings } from './embeddings.js';
import { loadModel } from './load.js';
import { readNpyMatrix } from './npy.js';
import { f32le, npy } from './testing/npy-file.js';

function f64be(values: number[]): Uint8Array {
  const b = Buffer.alloc(values.length * 8);
  values.forEach((v, i) => {
    b.writeDoubleBE(v, i * 8);
  });
  return b;
}

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fairscope-emb-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function descriptor(path: string, extra: Partial<ModelDescriptor> = {}): ModelDescriptor {
  return {
    id: 'pre',
    format: 'embeddings',
    path,
    preprocess: defaultPreprocess('embeddings'),
    origin: 'd.yaml',
    ...extra,
  };
}

describe('npy reader', () => {
  test('float32 little endian, C order', async () => {
    const f = join(dir, 'a.npy');
    await writeFile(f, npy('<f4', [2, 3], f32le([1, 2, 3, 4, 5, 6.5])));
    const m = await readNpyMatrix(f);
    assert.deepEqual([m.rows, m.cols, m.dtype], [2, 3, '<f4']);
    assert.deepEqual(Array.from(m.data), [1, 2, 3, 4, 5, 6.5]);
  });

  test('float64 big endian, Fortran order: column after column', async () => {
    const f = join(dir, 'b.npy');
    // The 2x3 matrix [[1, 2, 3], [4, 5, 6]] stored column-major: 1 4 2 5 3 6.
    await writeFile(f, npy('>f8', [2, 3], f64be([1, 4, 2, 5, 3, 6]), true));
    const m = await readNpyMatrix(f);
    assert.deepEqual(Array.from(m.data), [1, 2, 3, 4, 5, 6]);
  });

  test('rejects non-2-D arrays, integer dtypes, short data and non-npy files', async () => {
    const f = join(dir, 'c.npy');
    await writeFile(f, npy('<f4', [4], f32le([1, 2, 3, 4])));
    await assert.rejects(readNpyMatrix(f), /must be a 2-D \(items, dim\) array, got shape \(4\)/);
    await writeFile(f, npy('<i4', [1, 2], new Uint8Array(8)));
    await assert.rejects(readNpyMatrix(f), /dtype <i4 is not float32 or float64/);
    await writeFile(f, npy('<f4', [2, 2], f32le([1, 2, 3])));
    await assert.rejects(readNpyMatrix(f), /holds 12 data bytes but shape \(2, 2\) needs 16/);
    await writeFile(f, 'id,x\n');
    await assert.rejects(readNpyMatrix(f), (err: unknown) => err instanceof InputError && err.file === f);
  });
});

describe('precomputed embeddings', () => {
  test('.npy with a sibling .ids.txt, through loadModel', async () => {
    const f = join(dir, 'feats.npy');
    await writeFile(f, npy('<f4', [3, 2], f32le([1, 0, 0, 1, 0.5, 0.5])));
    await writeFile(join(dir, 'feats.ids.txt'), 'a\nb\nc\n');
    const m = await loadModel(f);
    assert.equal(m.kind, 'embeddings');
    if (m.kind !== 'embeddings') return;
    assert.deepEqual(m.set.ids, ['a', 'b', 'c']);
    assert.equal(m.set.dim, 2);
    assert.equal(m.set.modelId, 'feats');
    assert.deepEqual(Array.from(m.set.data), [1, 0, 0, 1, 0.5, 0.5]);
  });

  test('.npy with ids named by the descriptor (.json); a count mismatch names both', async () => {
    const f = join(dir, 'named.npy');
    await writeFile(f, npy('<f4', [2, 1], f32le([3, 4])));
    await writeFile(join(dir, 'list.json'), JSON.stringify(['x', 'y']));
    const set = await loadEmbeddings(descriptor(f, { ids: join(dir, 'list.json') }));
    assert.deepEqual(set.ids, ['x', 'y']);
    await writeFile(join(dir, 'three.json'), JSON.stringify(['x', 'y', 'z']));
    await assert.rejects(
      loadEmbeddings(descriptor(f, { ids: join(dir, 'three.json') })),
      /lists 3 ids but .*named\.npy has 2 rows/,
    );
    await assert.rejects(
      loadEmbeddings(descriptor(f)),
      /needs the ids of its rows: write .*named\.ids\.txt or .*named\.ids\.json/,
    );
  });

  test('rows with NaN or Infinity are errors naming their ids', async () => {
    const f = join(dir, 'bad.npy');
    await writeFile(f, npy('<f4', [3, 2], f32le([1, 2, Number.NaN, 0, 0, Number.POSITIVE_INFINITY])));
    await writeFile(join(dir, 'bad.ids.txt'), 'ok\nnan-row\ninf-row\n');
    await assert.rejects(
      loadEmbeddings(descriptor(f)),
      (err: unknown) =>
        err instanceof InputError &&
        err.file === f &&
        /2 row\(s\) hold NaN or Infinity: ids "nan-row", "inf-row"/.test(err.message),
    );
  });

  test('duplicate ids are refused', async () => {
    const f = join(dir, 'dup.npy');
    await writeFile(f, npy('<f4', [2, 1], f32le([1, 2])));
    await writeFile(join(dir, 'dup.ids.txt'), 'a\na\n');
    await assert.rejects(loadEmbeddings(descriptor(f)), /ids "a" appear more than once/);
  });

  function table(ids: string[], rows: number[][], logits?: number[][]): arrow.Table {
    const list = (vals: number[][]) => {
      const width = vals[0].length;
      const type = new arrow.FixedSizeList(width, new arrow.Field('item', new arrow.Float32(), false));
      const child = arrow.makeData({
        type: new arrow.Float32(),
        length: vals.length * width,
        nullCount: 0,
        data: Float32Array.from(vals.flat()),
      });
      return arrow.makeVector(arrow.makeData({ type, length: vals.length, nullCount: 0, child }));
    };
    const cols: Record<string, arrow.Vector> = {
      id: arrow.vectorFromArray(ids, new arrow.Utf8()),
      embedding: list(rows),
    };
    if (logits) cols.logits = list(logits);
    return new arrow.Table(cols);
  }

  test('Arrow IPC and Parquet tables with id and embedding columns', async () => {
    const t = table(
      ['p', 'q'],
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    );
    const ipc = arrow.tableToIPC(t, 'file');
    await writeFile(join(dir, 't.arrow'), ipc);
    await writeFile(
      join(dir, 't.parquet'),
      writeParquet(WasmTable.fromIPCStream(arrow.tableToIPC(t, 'stream'))),
    );
    for (const f of ['t.arrow', 't.parquet']) {
      const set = await loadEmbeddings(descriptor(join(dir, f)));
      assert.deepEqual(set.ids, ['p', 'q'], f);
      assert.equal(set.dim, 3);
      assert.deepEqual(Array.from(set.data), [1, 2, 3, 4, 5, 6], f);
    }
  });

  test('logits need class names; a missing column lists the columns', async () => {
    const t = table(['p'], [[1, 2]], [[0.1, 0.2, 0.3]]);
    const f = join(dir, 'l.arrow');
    await writeFile(f, arrow.tableToIPC(t, 'file'));
    await assert.rejects(loadEmbeddings(descriptor(f)), /has 3 logits per row; give their class names/);
    const set = await loadEmbeddings(descriptor(f, { classes: ['u', 'v', 'w'] }));
    assert.deepEqual(set.classes, ['u', 'v', 'w']);
    assert.ok(set.logits);
    assert.ok(Math.abs(set.logits[2] - 0.3) < 1e-7);
    const noEmb = new arrow.Table({ id: arrow.vectorFromArray(['p'], new arrow.Utf8()) });
    const g = join(dir, 'noemb.arrow');
    await writeFile(g, arrow.tableToIPC(noEmb, 'file'));
    await assert.rejects(loadEmbeddings(descriptor(g)), /has no "embedding" column; its columns are id/);
  });
});
