import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Rng } from '../../core/rng.js';
import type { KnnHead, LinearHead } from '../head.js';
import { buildKnnHead } from '../knn-head.js';
import { resolveProbeOptions } from '../train.js';
import { loadHead, saveHead } from './head-io.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'fairscope-head-'));
  dirs.push(dir);
  return dir;
}
after(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

function randomF32(rng: Rng, n: number): Float32Array {
  return Float32Array.from({ length: n }, () => rng.normal() * 10 ** rng.int(6));
}

function linearHead(kind: 'linear' | 'bn-linear'): LinearHead {
  const rng = new Rng(5);
  const [c, d] = [3, 7];
  return {
    adaptation: 'linear-probe',
    head: kind,
    classes: ['a', 'b', 'c'],
    dim: d,
    mean: randomF32(rng, d),
    std: Float32Array.from({ length: d }, () => 0.1 + rng.next()),
    ...(kind === 'bn-linear' ? { gamma: randomF32(rng, d), beta: randomF32(rng, d) } : {}),
    weights: randomF32(rng, c * d),
    bias: randomF32(rng, c),
    options: resolveProbeOptions({ head: kind }),
    metrics: {
      trainCount: 10,
      valCount: 0,
      trainLoss: 0.5,
      trainAccuracy: 0.9,
      valLoss: null,
      valAccuracy: null,
      iterations: 4,
      converged: true,
      stop: 'gradient',
      seconds: 0.1,
      provider: 'js',
    },
    source: { modelId: 'm', labelFrom: 'attr:gender' },
  };
}

describe('saveHead / loadHead', () => {
  for (const kind of ['linear', 'bn-linear'] as const) {
    it(`round-trips a ${kind} head exactly (float32 values, options, metrics, source)`, async () => {
      const dir = await tempDir();
      const head = linearHead(kind);
      await saveHead(dir, head);
      assert.deepEqual(await loadHead(dir), head);
    });
  }

  it('round-trips a kNN head with its bank file', async () => {
    const dir = await tempDir();
    const rng = new Rng(6);
    const head: KnnHead = buildKnnHead(
      randomF32(rng, 4 * 3),
      4,
      3,
      Int32Array.of(0, 1, 1, 0),
      ['x', 'y'],
      ['i', 'j', 'k', 'l'],
      {
        k: 3,
        temperature: 0.1,
      },
    );
    await saveHead(dir, head);
    const loaded = await loadHead(dir);
    assert.deepEqual(loaded, head);
    assert.equal((await readFile(join(dir, 'bank.f32'))).byteLength, 4 * 3 * 4);
  });

  it('names the file and field of a malformed head', async () => {
    const dir = await tempDir();
    const head = linearHead('linear');
    await saveHead(dir, head);
    const json = JSON.parse(await readFile(join(dir, 'head.json'), 'utf8'));
    json.weights[1] = json.weights[1].slice(1);
    await writeFile(join(dir, 'head.json'), JSON.stringify(json));
    await assert.rejects(loadHead(dir), (err: Error) => {
      assert.match(err.message, /head\.json: field "weights\[1\]" must be an array of 7 numbers/);
      return true;
    });
    json.format = 'other';
    await writeFile(join(dir, 'head.json'), JSON.stringify(json));
    await assert.rejects(loadHead(dir), /field "format" expected "fairscope-head\/1"/);
  });

  it('says when there is no head', async () => {
    await assert.rejects(loadHead(join(await tempDir(), 'missing')), /head\.json: cannot read head/);
  });
});
