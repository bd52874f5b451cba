/**
 * A lock file that gives one process at a time an output path. It names its holder (pid, command
 * line, start time, host), so a second writer can say who holds it, and so a lock left by a process
 * that died (kill -9, a crash, a power cut) is seen to be stale and taken over:
 * - the lock is created complete in one step (a temporary file hard-linked to the lock's name, which
 *   fails when the name exists), so no reader ever sees a half-written lock;
 * - its holder is dead when no process has its pid, or (Linux) the process with that pid runs
 *   another command line (the pid was reused); a lock from another host is taken as live;
 * - a stale lock is removed under a short-lived takeover lock, and only if it is still the one
 *   judged stale, so two processes taking over at once cannot remove each other's new lock;
 * - it is released when the holder is done, and on exit, errors, SIGINT, SIGTERM and SIGHUP.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { FairscopeError } from '../core/errors.js';

/** What a lock file holds. */
export interface LockHolder {
  pid: number;
  /** The fairscope command that holds it ("embed"). */
  command: string;
  /** The holder's process.argv. */
  argv: string[];
  /** When the holding process started (ISO 8601). */
  startedAt: string;
  host: string;
  /** Tells this lock from a later one of the same process. */
  token: string;
}

/** The holder in words: 'pid 4242 (fairscope embed --out x), started 2025-06-01T10:00:00.000Z'. */
export function describeHolder(h: LockHolder): string {
  const args = h.argv.slice(2).join(' ');
  const host = h.host === hostname() ? '' : ` on host ${h.host}`;
  return `pid ${h.pid}${host} (fairscope ${args.startsWith(h.command) ? args : `${h.command}: ${h.argv.join(' ')}`}), started ${h.startedAt}`;
}

/** Another live process holds the lock. */
export class OutputLockedError extends FairscopeError {
  constructor(
    readonly what: string,
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {
    super(
      `${what} is in use by another fairscope process: ${describeHolder(holder)}. Wait for it to finish, or pass --wait to wait for it (its lock: ${lockPath})`,
    );
    this.name = 'OutputLockedError';
  }
}

/** Whether `tail` ends `list`. */
function endsWith(list: readonly string[], tail: readonly string[]): boolean {
  if (tail.length > list.length) return false;
  return tail.every((x, i) => list[list.length - tail.length + i] === x);
}

/** Whether the holder of a lock may still be running. */
export function holderAlive(h: LockHolder): boolean {
  if (h.host !== hostname()) return true;
  if (h.pid === process.pid) return true;
  try {
    process.kill(h.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  let cmdline: string[];
  try {
    cmdline = readFileSync(`/proc/${h.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return true;
  }
  // A zombie (killed, not yet reaped) has an empty command line; another program means a reused pid.
  return endsWith(cmdline, h.argv.slice(1));
}

/** Creates `path` holding `body`, complete, unless it exists. @returns false when it exists */
async function createComplete(path: string, body: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, body);
  try {
    await link(tmp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

/** The lock's text and holder; null when it is gone; holder null when it is not a lock we wrote. */
async function readLock(path: string): Promise<{ text: string; holder: LockHolder | null } | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const h = JSON.parse(text) as LockHolder;
    return { text, holder: typeof h.pid === 'number' && Array.isArray(h.argv) ? h : null };
  } catch {
    return { text, holder: null };
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A takeover lock older than this belongs to a process that died while taking over. */
const TAKEOVER_STALE_MS = 10_000;

/**
 * Removes the lock at `path` if it still holds `text` (the lock judged stale), under a takeover
 * lock, so that a lock another process has just created in its place is left alone.
 */
export async function removeStaleLock(path: string, text: string): Promise<void> {
  const takeover = `${path}.takeover`;
  if (!(await createComplete(takeover, String(process.pid)))) {
    const st = await stat(takeover).catch(() => null);
    if (st !== null && Date.now() - st.mtimeMs > TAKEOVER_STALE_MS)
      await unlink(takeover).catch(() => undefined);
    await sleep(20);
    return;
  }
  try {
    const now = await readLock(path);
    if (now !== null && now.text === text) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(takeover).catch(() => undefined);
  }
}

export interface LockOptions {
  /** The fairscope command taking the lock ("embed"). */
  command: string;
  /** What the lock guards, for messages ("--out runs/a"). */
  what: string;
  /** Wait for a live holder to finish instead of failing with OutputLockedError. */
  wait?: boolean;
  /** Called once when waiting starts. */
  onWait?: (holder: LockHolder) => void;
  /** Poll interval while waiting (default 200 ms). */
  pollMs?: number;
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * Takes the lock at `path`: created when free, taken over when stale, waited for (with `wait`) or
 * refused (OutputLockedError) when a live process holds it.
 * @returns the release function (idempotent); the lock is also released when the process exits or
 *   is interrupted (the signal then ends the process as it would have without the lock)
 */
export async function acquireLock(path: string, opts: LockOptions): Promise<() => Promise<void>> {
  const mine: LockHolder = {
    pid: process.pid,
    command: opts.command,
    argv: process.argv,
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    host: hostname(),
    token: randomBytes(8).toString('hex'),
  };
  const body = `${JSON.stringify(mine)}\n`;
  let waiting = false;
  while (!(await createComplete(path, body))) {
    const lock = await readLock(path);
    if (lock === null) continue;
    if (lock.holder !== null && holderAlive(lock.holder)) {
      if (opts.wait !== true) throw new OutputLockedError(opts.what, path, lock.holder);
      if (!waiting) opts.onWait?.(lock.holder);
      waiting = true;
      await sleep(opts.pollMs ?? 200);
      continue;
    }
    await removeStaleLock(path, lock.text);
  }

  let held = true;
  const releaseSync = () => {
    if (!held) return;
    held = false;
    process.off('exit', releaseSync);
    for (const s of SIGNALS) process.off(s, onSignal);
    try {
      if (readFileSync(path, 'utf8') === body) unlinkSync(path);
    } catch {
      // already gone
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    releaseSync();
    // Ours was the only handler: end the process as the signal would have.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  };
  process.on('exit', releaseSync);
  for (const s of SIGNALS) process.on(s, onSignal);
  return async () => releaseSync();
}
