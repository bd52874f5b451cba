/**
 * Errors that reach the user. Each names what was wrong and where (file, line, field), and carries the
 * process exit code the CLI uses.
 */

/** Exit codes of the `fairscope` command. */
export const EXIT = {
  ok: 0,
  /** A runtime failure: bad input data, a model that cannot run, an I/O error. */
  failure: 1,
  /** The command line or a spec is wrong. */
  usage: 2,
  /** `fairscope gate`: a fairness or robustness threshold was crossed. */
  gateFailed: 3,
} as const;

export class FairscopeError extends Error {
  readonly exitCode: number;
  constructor(message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'FairscopeError';
    this.exitCode = options?.exitCode ?? EXIT.failure;
  }
}

/** Bad input data: names the file, and the line and field where known. */
export class InputError extends FairscopeError {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;
  constructor(file: string, detail: string, where: { line?: number; field?: string } = {}) {
    const at = [file, where.line === undefined ? undefined : `line ${where.line}`]
      .filter((s) => s !== undefined)
      .join(':');
    const field = where.field === undefined ? '' : ` field "${where.field}"`;
    super(`${at}:${field} ${detail}`);
    this.name = 'InputError';
    this.file = file;
    this.line = where.line;
    this.field = where.field;
  }
}

/** A wrong command line or spec: exit code 2. */
export class UsageError extends FairscopeError {
  constructor(message: string) {
    super(message, { exitCode: EXIT.usage });
    this.name = 'UsageError';
  }
}
