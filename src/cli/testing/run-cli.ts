/**
 * Helpers for the CLI tests: running `fairscope` as a child process (the real entry point, exit code
 * included) or in this process with its text output captured, and a temporary folder per test file.
 * Not used by the commands themselves.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { main } from '../main.js';

/** What a CLI run left: its exit code (null when a signal ended the child) and its text output. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const MAIN = fileURLToPath(new URL('../main.ts', import.meta.url));

/** Runs `fairscope ...args` from source in a child process, with FAIRSCOPE_QUIET=1. */
export function runCli(...args: string[]): Promise<CliRun> {
  return startCli(...args).result;
}

/**
 * Starts `fairscope ...args` as runCli does, without waiting for it.
 * @returns `result` (as runCli's), and `sofar()`: the text it has written until now
 */
export function startCli(...args: string[]): { result: Promise<CliRun>; sofar(): Omit<CliRun, 'code'> } {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { ...process.env, FAIRSCOPE_QUIET: '1' },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const result = new Promise<CliRun>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { result, sofar: () => ({ stdout, stderr }) };
}

/** Options as command-line flags: { out: 'x', batch: '2' } -> ['--out', 'x', '--batch', '2']. */
export function cliFlags(options: Record<string, string>): string[] {
  return Object.entries(options).flatMap(([name, value]) => [`--${name}`, value]);
}

/**
 * Runs `command` in this process, capturing the text it writes to stdout and stderr. Binary chunks
 * (the test runner's own protocol messages) pass through untouched.
 * @param command returns the exit code, like a command's `run(argv)`
 */
export async function captureOutput(
  command: () => Promise<number>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = (original: typeof out, append: (s: string) => void) =>
    function (this: NodeJS.WriteStream, chunk: string | Uint8Array, ...rest: unknown[]) {
      if (typeof chunk !== 'string')
        return (original as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      append(chunk);
      return true;
    } as typeof out;
  process.stdout.write = capture(out, (s) => {
    stdout += s;
  });
  process.stderr.write = capture(err, (s) => {
    stderr += s;
  });
  try {
    return { code: await command(), stdout, stderr };
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
}

/** Runs `fairscope ...args` in this process through the CLI's dispatcher, output captured. */
export function runCliInProcess(
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  return captureOutput(() => main(args));
}

/**
 * A fresh temporary folder, removed when the test file's tests are done. Call it at the top level of
 * a test file (it registers a node:test `after` hook).
 */
export async function testDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}
