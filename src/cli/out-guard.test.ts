/**
 * The output guard alone (out-guard.ts, out-lock.ts): path checks, the foreign-folder check, the
 * lock (refusal naming the holder, --wait, stale locks taken over, release on exit and signals).
 * The commands that use it are tested end to end in commands/out-guard-cli.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { UsageError } from '../core/errors.js';
import { checkOutputPaths, guardOutput, LOCK_FILE, MARKER_FILE } from './out-guard.js';
import { acquireLock, type LockHolder, OutputLockedError, removeStaleLock } from './out-lock.js';
import { testDir } from './testing/run-cli.js';

const root = await testDir('fairscope-guard-');
let n = 0;
/** A fresh folder under root. */
async function fresh(): Promise<string> {
  const dir = join(root, `t${n++}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

const usage = (pattern: RegExp) => (err: unknown) => {
  assert.ok(err instanceof UsageError, String(err));
  assert.equal(err.exitCode, 2);
  assert.match(err.message, pattern);
  return true;
};

test('an output that is, contains or lies inside an input is refused, naming both (real paths)', async () => {
  const dir = await fresh();
  const manifest = join(dir, 'm.jsonl');
  await writeFile(manifest, '{}\n');
  const store = join(dir, 'store');
  await mkdir(store);
  await symlink(manifest, join(dir, 'link.jsonl'));
  const check = (out: string, kind: 'file' | 'folder', inputs: string[]) =>
    checkOutputPaths({ out, kind, inputs });
  await assert.rejects(
    check(manifest, 'file', [manifest]),
    usage(/--out .*m\.jsonl is the input .*m\.jsonl/),
  );
  await assert.rejects(
    check(join(dir, 'link.jsonl'), 'file', [manifest]),
    usage(/\(really .*m\.jsonl\) is the input/),
  );
  await assert.rejects(check(join(dir, 'x', '..', 'm.jsonl'), 'file', [manifest]), usage(/is the input/));
  await assert.rejects(check(dir, 'folder', [manifest]), usage(/contains the input .*m\.jsonl/));
  await assert.rejects(check(join(store, 'out'), 'folder', [store]), usage(/is inside the input .*store/));
  await assert.rejects(check(join(store, 'meta.json'), 'file', [store]), usage(/is inside the input/));
  // Not overlapping: a sibling folder, a file beside the input.
  await check(join(dir, 'out'), 'folder', [manifest, store]);
  await check(join(dir, 'other.jsonl'), 'file', [manifest, store]);
  // `writes`: the folder may hold the input when the files written are others.
  await checkOutputPaths({ out: dir, kind: 'folder', inputs: [manifest], writes: ['report.html'] });
  await assert.rejects(
    checkOutputPaths({ out: dir, kind: 'folder', inputs: [manifest], writes: ['m.jsonl'] }),
    usage(/m\.jsonl is the input/),
  );
});

test('an output of the wrong kind is refused before anything is written', async () => {
  const dir = await fresh();
  await writeFile(join(dir, 'file.txt'), 'x');
  await assert.rejects(
    guardOutput({ command: 'test', out: dir, kind: 'file' }),
    usage(/is a folder, but this command writes a file/),
  );
  await assert.rejects(
    guardOutput({ command: 'test', out: join(dir, 'file.txt'), kind: 'folder' }),
    usage(/is a file, but this command writes a folder/),
  );
  await assert.rejects(
    guardOutput({ command: 'test', out: '/dev/null', kind: 'file' }),
    usage(/not a regular file/),
  );
  assert.deepEqual(await readdir(dir), ['file.txt']);
});

test('a non-empty folder fairscope did not write is refused unless forced; a marked one is accepted', async () => {
  const dir = await fresh();
  await writeFile(join(dir, 'thesis.tex'), 'precious');
  await assert.rejects(
    guardOutput({ command: 'test', out: dir, kind: 'folder' }),
    usage(/is not empty \(1 entries: thesis\.tex\) and was not written by fairscope.*--force/),
  );
  assert.equal(existsSync(join(dir, LOCK_FILE)), false, 'the lock is released after a refusal');
  const release = await guardOutput({ command: 'test', out: dir, kind: 'folder', force: true });
  await release();
  assert.equal(JSON.parse(await readFile(join(dir, MARKER_FILE), 'utf8')).tool, 'fairscope');
  // Marked: accepted without --force from now on.
  await (await guardOutput({ command: 'test', out: dir, kind: 'folder' }))();
  assert.deepEqual((await readdir(dir)).sort(), [MARKER_FILE, 'thesis.tex']);
  // An empty folder, and one holding only the command's inputs (report's results.json), are fine.
  const withInput = await fresh();
  await writeFile(join(withInput, 'results.json'), '{}');
  await (
    await guardOutput({
      command: 'test',
      out: withInput,
      kind: 'folder',
      inputs: [join(withInput, 'results.json')],
      writes: ['report.html'],
    })
  )();
});

test('a live holder is named in the refusal; --wait waits for it; release removes the lock', async () => {
  const dir = await fresh();
  const release = await guardOutput({ command: 'first', out: dir, kind: 'folder' });
  await assert.rejects(guardOutput({ command: 'second', out: dir, kind: 'folder' }), (err: unknown) => {
    assert.ok(err instanceof OutputLockedError, String(err));
    assert.equal(err.holder.pid, process.pid);
    assert.match(
      err.message,
      new RegExp(`in use by another fairscope process: pid ${process.pid} \\(fairscope first`),
    );
    assert.match(err.message, /started \d{4}-\d\d-\d\dT/);
    return true;
  });
  let second = false;
  const waiting = guardOutput({ command: 'second', out: dir, kind: 'folder', wait: true }).then((r) => {
    second = true;
    return r;
  });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(second, false, 'the second writer waits while the first holds the folder');
  await release();
  await (await waiting)();
  assert.equal(second, true);
  assert.equal(existsSync(join(dir, LOCK_FILE)), false);
});

/** A pid that no process has: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => child.on('exit', r));
  return child.pid as number;
}

function lockOf(pid: number, argv: string[]): LockHolder {
  return { pid, command: 'embed', argv, startedAt: new Date(0).toISOString(), host: hostname(), token: 'x' };
}

test('a stale lock (dead pid, or a pid reused by another program) is taken over', async () => {
  const lockPath = join(await fresh(), 'lock');
  await writeFile(lockPath, JSON.stringify(lockOf(await deadPid(), [process.execPath, 'main.ts', 'embed'])));
  const release = await acquireLock(lockPath, { command: 'test', what: 'x' });
  assert.equal(JSON.parse(await readFile(lockPath, 'utf8')).pid, process.pid);
  await release();
  assert.equal(existsSync(lockPath), false);
  if (existsSync(`/proc/${process.ppid}/cmdline`)) {
    // The parent process is alive but runs something else than the recorded command line.
    await writeFile(lockPath, JSON.stringify(lockOf(process.ppid, ['node', '/nowhere/main.ts', 'embed'])));
    await (await acquireLock(lockPath, { command: 'test', what: 'x' }))();
  }
  // A lock of a live process running its recorded command line is not stale.
  await writeFile(lockPath, JSON.stringify(lockOf(process.ppid, [])));
  await assert.rejects(acquireLock(lockPath, { command: 'test', what: 'x' }), OutputLockedError);
});

test('a stale lock replaced by a live one meanwhile is not removed by the takeover', async () => {
  const lockPath = join(await fresh(), 'lock');
  const stale = JSON.stringify(lockOf(await deadPid(), ['x']));
  const live = JSON.stringify(lockOf(process.pid, []));
  await writeFile(lockPath, live);
  await removeStaleLock(lockPath, stale);
  assert.equal(await readFile(lockPath, 'utf8'), live);
  await removeStaleLock(lockPath, live);
  assert.equal(existsSync(lockPath), false);
  assert.equal(existsSync(`${lockPath}.takeover`), false);
});

test('many processes taking over one stale lock at once: exactly one holds it at a time', {
  timeout: 120_000,
}, async () => {
  const dir = await fresh();
  const lockPath = join(dir, 'lock');
  await writeFile(lockPath, JSON.stringify(lockOf(await deadPid(), ['x', 'y'])));
  const log = join(dir, 'log');
  const lockUrl = pathToFileURL(join(import.meta.dirname, 'out-lock.ts')).href;
  const code = `
    import { appendFileSync } from 'node:fs';
    import { acquireLock } from ${JSON.stringify(lockUrl)};
    const release = await acquireLock(${JSON.stringify(lockPath)}, { command: 'test', what: 'x', wait: true, pollMs: 10 });
    appendFileSync(${JSON.stringify(log)}, 'in\\n');
    await new Promise((r) => setTimeout(r, 50));
    appendFileSync(${JSON.stringify(log)}, 'out\\n');
    await release();
  `;
  const children = Array.from({ length: 4 }, () =>
    spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: 'inherit' }),
  );
  const codes = await Promise.all(children.map((c) => new Promise((r) => c.on('exit', r))));
  assert.deepEqual(codes, [0, 0, 0, 0]);
  const lines = (await readFile(log, 'utf8')).trim().split('\n');
  assert.deepEqual(lines, Array.from({ length: 4 }, () => ['in', 'out']).flat());
});

test('the lock is released when the holder fails, exits, or gets SIGTERM/SIGINT; SIGKILL leaves it stale', {
  timeout: 120_000,
}, async () => {
  const guardUrl = pathToFileURL(join(import.meta.dirname, 'out-guard.ts')).href;
  const child = (dir: string, then: string) =>
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `import { guardOutput } from ${JSON.stringify(guardUrl)};
         await guardOutput({ command: 'test', out: ${JSON.stringify(dir)}, kind: 'folder' });
         process.stdout.write('locked\\n');
         ${then}`,
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
  const run = async (then: string, signal?: NodeJS.Signals) => {
    const dir = await fresh();
    const c = child(dir, then);
    const exit = new Promise<[number | null, NodeJS.Signals | null]>((r) =>
      c.on('exit', (code, sig) => r([code, sig])),
    );
    await new Promise<void>((r) => c.stdout.once('data', () => r()));
    if (signal !== undefined) {
      // The child holds the lock until the signal (the others end on their own at once).
      assert.equal(existsSync(join(dir, LOCK_FILE)), true);
      c.kill(signal);
    }
    const [code, sig] = await exit;
    return { dir, code, sig, locked: existsSync(join(dir, LOCK_FILE)) };
  };
  const thrown = await run("throw new Error('boom');");
  assert.equal(thrown.code, 1);
  assert.equal(thrown.locked, false);
  const exited = await run('process.exit(3);');
  assert.deepEqual([exited.code, exited.locked], [3, false]);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const r = await run('setInterval(() => {}, 1000);', signal);
    assert.deepEqual([r.sig, r.locked], [signal, false], signal);
  }
  const killed = await run('setInterval(() => {}, 1000);', 'SIGKILL');
  assert.deepEqual([killed.sig, killed.locked], ['SIGKILL', true]);
  // The next writer takes the dead process's lock over.
  await (await guardOutput({ command: 'test', out: killed.dir, kind: 'folder' }))();
});
