/**
 * `fairscope pretrain` killed with SIGKILL right after its final checkpoint (before or while it
 * writes the model) resumes with --resume into the model an uninterrupted run writes: same weights,
 * byte for byte, without training again; the dead run's lock is taken over.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { LOCK_FILE } from '../out-guard.js';
import { cliFlags, runCli, testDir } from '../testing/run-cli.js';

const dir = await testDir('fairscope-pretrain-kill-');
const manifest = join(dir, 'data', 'm.jsonl');
const EPOCHS = 2;

before(async () => {
  const lines: string[] = [];
  for (let i = 0; i < 8; i++) {
    const px = Buffer.alloc(16 * 16 * 3);
    for (let j = 0; j < px.length; j++)
      px[j] = (j % 48 < 24 === (i % 2 === 0) ? 200 : 30) + ((i * 7 + j) % 20);
    await sharp(px, { raw: { width: 16, height: 16, channels: 3 } })
      .png()
      .toFile(join(dir, `${i}.png`));
    lines.push(
      JSON.stringify({ id: `img${i}`, source: `../${i}.png`, labels: [i % 2 ? 'a' : 'b'], attrs: {} }),
    );
  }
  await mkdir(join(dir, 'data'));
  await writeFile(manifest, `${lines.join('\n')}\n`);
});

/** The options of both runs: a tiny SimCLR run of EPOCHS epochs. */
const options = (out: string) => ({
  method: 'simclr',
  manifest,
  backbone: 'resnet-tiny',
  out,
  batch: '4',
  'image-size': '16',
  epochs: String(EPOCHS),
});

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** The same training as `fairscope pretrain`, in a child that SIGKILLs itself once the final checkpoint is on disk. */
function killedAfterFinalCheckpoint(out: string) {
  const { method, ...values } = options(out);
  const url = pathToFileURL(join(import.meta.dirname, '..', 'train-options.ts')).href;
  const code = `
    import { runTraining } from ${JSON.stringify(url)};
    await runTraining(${JSON.stringify(method)}, ${JSON.stringify(values)}, {}, {
      onCheckpoint: (epoch) => { if (epoch === ${EPOCHS}) process.kill(process.pid, 'SIGKILL'); },
    });
    process.stdout.write('not killed\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, FAIRSCOPE_QUIET: '1' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return new Promise<NodeJS.Signals | null>((resolve) =>
    child.on('exit', (_code, signal) => resolve(signal)),
  );
}

test('pretrain killed right after its final checkpoint resumes into the uninterrupted run’s model', async () => {
  const reference = join(dir, 'reference');
  const whole = await runCli('pretrain', ...cliFlags(options(reference)));
  assert.equal(whole.code, 0, whole.stderr);

  const out = join(dir, 'killed');
  assert.equal(await killedAfterFinalCheckpoint(out), 'SIGKILL');
  const meta = JSON.parse(readFileSync(join(out, 'checkpoint', 'meta.json'), 'utf8'));
  assert.equal(meta.epoch, EPOCHS, 'the final checkpoint is on disk');
  assert.notEqual(sha(join(out, 'model', 'weights.bin')), sha(join(reference, 'model', 'weights.bin')));
  assert.equal(existsSync(join(out, LOCK_FILE)), true, 'the killed run left its lock');

  const resumed = await runCli('pretrain', ...cliFlags(options(out)), '--resume', '--json');
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal(resumed.stdout, '', 'no epoch was trained again');
  assert.equal(sha(join(out, 'model', 'weights.bin')), sha(join(reference, 'model', 'weights.bin')));
  assert.equal(
    readFileSync(join(out, 'model.json'), 'utf8'),
    readFileSync(join(reference, 'model.json'), 'utf8'),
  );
  assert.equal(
    sha(join(out, 'checkpoint', 'weights.bin')),
    sha(join(reference, 'checkpoint', 'weights.bin')),
  );
  // Nothing left behind: no lock, no temporary folders.
  assert.deepEqual((await readdir(out)).sort(), (await readdir(reference)).sort());
  // Resuming a finished run again changes nothing.
  const again = await runCli('pretrain', ...cliFlags(options(out)), '--resume');
  assert.equal(again.code, 0, again.stderr);
  assert.equal(sha(join(out, 'model', 'weights.bin')), sha(join(reference, 'model', 'weights.bin')));
});
