/**
 * The output guard (../out-guard.ts) through the commands, as child processes: two `embed` runs on
 * one --out lose no row (one is refused naming the other, or waits with --wait), a stale lock is
 * taken over, outputs that would overwrite inputs are refused with exit code 2 and the inputs left
 * intact, a foreign non-empty folder needs --force, and a folder where a file goes is refused with
 * nothing left behind.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { ManifestItem } from '../../core/types.js';
import { writeManifest } from '../../data/manifest.js';
import { readEmbeddings, readFailures } from '../../embed/store.js';
import { writeTestImages } from '../../embed/testing.js';
import { guardOutput, LOCK_FILE, MARKER_FILE } from '../out-guard.js';
import { cliFlags, runCli, startCli, testDir } from '../testing/run-cli.js';

const REPO = join(import.meta.dirname, '..', '..', '..');
const MODEL = join(REPO, 'test', 'fixtures', 'models', 'tiny-convnet.onnx');
const SAMPLE = join(REPO, 'test', 'fixtures', 'report', 'sample-results.json');
const N = 40;

const root = await testDir('fairscope-cli-guard-');
let manifest: string;
let descriptor: string;
let items: ManifestItem[];

before(async () => {
  items = await writeTestImages(join(root, 'images'), N);
  manifest = join(root, 'images', 'manifest.jsonl');
  await writeManifest(manifest, items);
  descriptor = join(root, 'tiny.yaml');
  await writeFile(
    descriptor,
    `id: tiny-convnet\nformat: onnx\npath: ${MODEL}\noutput: embedding\nprovider: cpu\npreprocess: { resize: 20, crop: 16 }\n`,
  );
});

const embedFlags = (out: string) => cliFlags({ model: descriptor, manifest, out, batch: '2', workers: '1' });
const embed = (out: string, ...more: string[]) => runCli('embed', ...embedFlags(out), ...more);

/** Every item has its row and none failed. */
async function assertComplete(out: string): Promise<void> {
  assert.deepEqual(
    (await readEmbeddings(out)).ids,
    items.map((it) => it.id),
  );
  assert.deepEqual(await readFailures(out), []);
}

const HOLDER =
  /in use by another fairscope process: pid (\d+) (on host \S+ )?\(fairscope embed .*--out .*\), started \d{4}-/;

test('two concurrent embed runs on one --out: no row lost (one refused naming the other, or both done)', async () => {
  const out = join(root, 'both');
  const [a, b] = await Promise.all([embed(out), embed(out)]);
  const codes = [a.code, b.code].sort();
  if (codes[0] === 0 && codes[1] === 1) {
    const refused = a.code === 1 ? a : b;
    assert.match(refused.stderr, HOLDER);
  } else assert.deepEqual(codes, [0, 0], `${a.stderr}\n${b.stderr}`);
  await assertComplete(out);
  assert.equal(existsSync(join(out, LOCK_FILE)), false);

  const waited = join(root, 'waited');
  const [c, d] = await Promise.all([embed(waited, '--wait'), embed(waited, '--wait')]);
  assert.deepEqual([c.code, d.code], [0, 0], `${c.stderr}\n${d.stderr}`);
  await assertComplete(waited);
});

test('embed on an --out held by a live process is refused naming it; with --wait it waits', async () => {
  const out = join(root, 'held');
  const release = await guardOutput({ command: 'embed', out, kind: 'folder' });
  const refused = await embed(out);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`in use by another fairscope process: pid ${process.pid} `));
  const waiting = startCli('embed', ...embedFlags(out), '--wait');
  const deadline = Date.now() + 60_000;
  while (!/waiting for it to finish/.test(waiting.sofar().stderr)) {
    assert.ok(Date.now() < deadline, `the second run never waited: ${waiting.sofar().stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.match(waiting.sofar().stderr, new RegExp(`in use by pid ${process.pid} `));
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(existsSync(join(out, 'meta.json')), false, 'nothing written while the folder is held');
  await release();
  const done = await waiting.result;
  assert.equal(done.code, 0, done.stderr);
  await assertComplete(out);
});

test('a stale lock (its process is dead) is taken over', async () => {
  const out = join(root, 'stale');
  await mkdir(out);
  await writeFile(join(out, MARKER_FILE), '{}\n');
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  const lock = {
    pid: child.pid,
    command: 'embed',
    argv: ['node', 'main.ts', 'embed'],
    startedAt: '',
    host: hostname(),
    token: 't',
  };
  await writeFile(join(out, LOCK_FILE), JSON.stringify(lock));
  const r = await embed(out);
  assert.equal(r.code, 0, r.stderr);
  await assertComplete(out);
  assert.equal(existsSync(join(out, LOCK_FILE)), false);
});

test('import with --out the input CSV is refused (exit 2, both named) and the CSV is intact', async () => {
  const dir = join(root, 'ff');
  await mkdir(join(dir, 'val'), { recursive: true });
  await copyFile(join(root, 'images', 'img-000.png'), join(dir, 'val', '1.png'));
  const csv = join(dir, 'ff.csv');
  const text = 'file,age,gender,race\nval/1.png,20-29,Male,White\n';
  await writeFile(csv, text);
  const r = await runCli('import', 'fairface', csv, '--out', csv);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--out .*ff\.csv is the input .*ff\.csv: the output would overwrite it/);
  assert.equal(await readFile(csv, 'utf8'), text);
  assert.deepEqual((await readdir(dir)).sort(), ['ff.csv', 'val']);
  // The skipped-records file beside the manifest must not be an input either.
  const skipped = join(dir, 'm.jsonl.skipped.jsonl');
  await writeFile(skipped, text);
  const r2 = await runCli('import', 'fairface', skipped, '--out', join(dir, 'm.jsonl'));
  assert.equal(r2.code, 2, r2.stderr);
  assert.equal(await readFile(skipped, 'utf8'), text);
  // An --out that is a folder where the manifest file goes: a clear error, nothing left behind.
  const folder = join(dir, 'val');
  const r3 = await runCli('import', 'fairface', csv, '--out', folder);
  assert.equal(r3.code, 2, r3.stderr);
  assert.match(r3.stderr, /--out .*val is a folder, but this command writes a file there/);
  assert.deepEqual((await readdir(dir)).sort(), ['ff.csv', 'm.jsonl.skipped.jsonl', 'val']);
  assert.deepEqual(await readdir(folder), ['1.png']);
});

test("corrupt with --out the manifest's folder is refused and the manifest is intact", async () => {
  const before = await readFile(manifest);
  const r = await runCli(
    'corrupt',
    '--manifest',
    manifest,
    '--corruption',
    'gaussian_noise',
    '--severity',
    '1',
    '--out',
    join(root, 'images'),
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--out .*images contains the input .*manifest\.jsonl/);
  assert.deepEqual(await readFile(manifest), before);
});

test('a non-empty folder that fairscope did not write is refused without --force', async () => {
  const out = join(root, 'foreign');
  await mkdir(out);
  await writeFile(join(out, 'notes.txt'), 'mine');
  const r = await embed(out);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /is not empty \(1 entries: notes\.txt\) and was not written by fairscope/);
  assert.equal(existsSync(join(out, 'meta.json')), false);
  const forced = await embed(out, '--force');
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await readFile(join(out, 'notes.txt'), 'utf8'), 'mine');
  await assertComplete(out);
});

test('report writes beside its results.json by default (the input is not overwritten)', async () => {
  const dir = join(root, 'run');
  await mkdir(dir);
  const results = join(dir, 'results.json');
  await copyFile(SAMPLE, results);
  const r = await runCli('report', results, '--no-parquet');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual((await readdir(dir)).sort(), [MARKER_FILE, 'report.html', 'results.json', 'summary.md']);
  assert.deepEqual(await readFile(results), await readFile(SAMPLE));
});
