/**
 * The guard of a command's output (--out), so that nothing is lost around it:
 * - outputs never overwrite inputs: an --out that is one of the command's inputs, contains one, or
 *   lies inside an input folder is refused (real paths, so links and `..` do not get around it);
 * - an --out of the wrong kind is refused before anything is written: a folder where the command
 *   writes a file, a file where it writes a folder, a FIFO or device;
 * - a non-empty folder that fairscope did not write (it has no MARKER_FILE) is refused unless
 *   --force, so a mistyped --out cannot overwrite someone's files;
 * - one writer at a time: a lock (out-lock.ts) that a second writer reports (naming the holder) or,
 *   with --wait, waits for; a lock left by a dead process is taken over.
 *
 * Usage in a command (see embed.ts):
 *
 *   const release = await guardOutput({ command: 'embed', out, kind: 'folder', inputs: [manifest],
 *     force: values.force, wait: values.wait });
 *   try { ...write into out... } finally { await release(); }
 *
 * or `await withOutputGuard(options, async () => { ... })`. Add GUARD_OPTIONS to the command's
 * options and GUARD_USAGE to its usage text for --force and --wait. Exit codes: 2 (UsageError) for
 * an output that would overwrite an input, is of the wrong kind or is a foreign folder; 1
 * (OutputLockedError) when another live process holds it.
 *
 * Guard in the command (commands/*.ts), once per output, not in the library functions it calls:
 * the lock is not re-entrant, so `demo`, which holds its --out, would be refused by a second guard
 * of the same folder inside runAudit.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { UsageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/node/atomic-write.js';
import { acquireLock, describeHolder } from './out-lock.js';

/** The file fairscope writes into every output folder it guards: the folder is fairscope's. */
export const MARKER_FILE = '.fairscope-output';
/** The lock of an output folder (inside it); a file output's lock is `.<name>.fairscope-lock` beside it. */
export const LOCK_FILE = '.fairscope-lock';

export interface GuardOptions {
  /** The command ("embed"), named in the lock and the marker. */
  command: string;
  /** The --out path. */
  out: string;
  /** What the command writes at `out`: one file, or files in a folder. */
  kind: 'file' | 'folder';
  /** Files and folders the command reads (manifests, stores, results...); undefined entries are skipped. */
  inputs?: readonly (string | undefined)[];
  /**
   * For a folder: the only entries the command writes into it (e.g. report.html). Then only these
   * must not be inputs, and the folder may hold the inputs (report's results.json beside its report).
   */
  writes?: readonly string[];
  /** Accept a non-empty folder that fairscope did not write (--force). */
  force?: boolean;
  /** Wait for another process that holds the output instead of refusing (--wait). */
  wait?: boolean;
  /** The option named in messages (default "--out"). */
  option?: string;
}

/** The options every guarded command takes. */
export const GUARD_OPTIONS = {
  force: { type: 'boolean' },
  wait: { type: 'boolean' },
} as const;

/** Usage lines of GUARD_OPTIONS. */
export const GUARD_USAGE = `  --force            write into a non-empty --out folder that fairscope did not write
  --wait             wait for another fairscope process writing the same --out, instead of refusing`;

/** The real path of `p`, or of its nearest existing ancestor with the rest appended. */
async function realPathOf(p: string): Promise<string> {
  const abs = resolve(p);
  try {
    return await realpath(abs);
  } catch {
    const parent = dirname(abs);
    return parent === abs ? abs : join(await realPathOf(parent), basename(abs));
  }
}

/** Whether `child` lies strictly inside the folder `parent` (both real, absolute paths). */
function isInside(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** Both names of a path when its real path differs ("a (really /x/a)"). */
function named(given: string, real: string): string {
  return resolve(given) === real ? given : `${given} (really ${real})`;
}

/**
 * Refuses an output that is of the wrong kind or that would overwrite an input: UsageError (exit
 * code 2) naming both paths. Writes nothing.
 */
export async function checkOutputPaths(
  opts: Pick<GuardOptions, 'out' | 'kind' | 'inputs' | 'writes' | 'option'>,
): Promise<void> {
  const option = opts.option ?? '--out';
  const out = await realPathOf(opts.out);
  const st = await stat(out).catch(() => null);
  if (opts.kind === 'file' && st?.isDirectory())
    throw new UsageError(
      `${option} ${opts.out} is a folder, but this command writes a file there: give a file path`,
    );
  if (opts.kind === 'file' && st !== null && !st.isFile() && !st.isDirectory())
    throw new UsageError(
      `${option} ${opts.out} is not a regular file (a FIFO, device or socket): give a file path`,
    );
  if (opts.kind === 'folder' && st !== null && !st.isDirectory())
    throw new UsageError(`${option} ${opts.out} is a file, but this command writes a folder there`);
  const targets =
    opts.kind === 'folder' && opts.writes !== undefined
      ? opts.writes.map((w) => ({ path: join(out, w), name: join(opts.out, w) }))
      : [{ path: out, name: opts.out }];
  for (const input of opts.inputs ?? []) {
    if (input === undefined || input === '') continue;
    const real = await realPathOf(input);
    const inputIsFolder = (await stat(real).catch(() => null))?.isDirectory() ?? false;
    for (const t of targets) {
      const what =
        t.path === real
          ? 'is'
          : isInside(real, t.path)
            ? 'contains'
            : inputIsFolder && isInside(t.path, real)
              ? 'is inside'
              : undefined;
      if (what === undefined) continue;
      throw new UsageError(
        `${option} ${named(t.name, t.path)} ${what} the input ${named(input, real)}: the output would overwrite it; choose another ${option}`,
      );
    }
  }
}

/** Entries of an existing folder that make it "not empty": all but the marker, locks and inputs. */
async function foreignEntries(dir: string, inputs: readonly (string | undefined)[]): Promise<string[]> {
  const inputPaths = new Set<string>();
  for (const i of inputs) if (i !== undefined && i !== '') inputPaths.add(await realPathOf(i));
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    if (name === MARKER_FILE || name.startsWith(LOCK_FILE)) continue;
    if (inputPaths.has(await realPathOf(join(dir, name)))) continue;
    out.push(name);
  }
  return out;
}

/**
 * Checks the output (checkOutputPaths), takes its lock (waiting with `wait`), refuses a foreign
 * non-empty folder unless `force`, and marks a folder as fairscope's. The folder (or a file's
 * folder) is created.
 * @returns the release function: call it when the command is done (also on error); the lock is
 *   released anyway when the process exits or is interrupted
 */
export async function guardOutput(opts: GuardOptions): Promise<() => Promise<void>> {
  const option = opts.option ?? '--out';
  await checkOutputPaths(opts);
  const what = `${option} ${opts.out}`;
  const folder = opts.kind === 'folder' ? opts.out : dirname(resolve(opts.out));
  await mkdir(folder, { recursive: true });
  const lockPath =
    opts.kind === 'folder' ? join(opts.out, LOCK_FILE) : join(folder, `.${basename(opts.out)}${LOCK_FILE}`);
  const release = await acquireLock(lockPath, {
    command: opts.command,
    what,
    wait: opts.wait,
    onWait: (h) =>
      process.stderr.write(`${what} is in use by ${describeHolder(h)}; waiting for it to finish\n`),
  });
  try {
    if (opts.kind === 'folder') {
      const marker = join(opts.out, MARKER_FILE);
      if (!existsSync(marker)) {
        const foreign = await foreignEntries(opts.out, opts.inputs ?? []);
        if (foreign.length > 0 && opts.force !== true) {
          const shown = foreign.slice(0, 3).join(', ') + (foreign.length > 3 ? ', ...' : '');
          throw new UsageError(
            `${what} is not empty (${foreign.length} entries: ${shown}) and was not written by fairscope (it has no ${MARKER_FILE}); its files could be overwritten. Choose a new or empty folder, or pass --force`,
          );
        }
        await writeFileAtomic(
          marker,
          `${JSON.stringify({ tool: 'fairscope', command: opts.command, createdAt: new Date().toISOString() })}\n`,
        );
      }
    }
  } catch (err) {
    await release();
    throw err;
  }
  return release;
}

/** Runs `body` with the output guarded (guardOutput), releasing it when `body` settles. */
export async function withOutputGuard<T>(opts: GuardOptions, body: () => Promise<T>): Promise<T> {
  const release = await guardOutput(opts);
  try {
    return await body();
  } finally {
    await release();
  }
}
