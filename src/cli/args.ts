import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../core/errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs<O extends Options> {
  values: {
    [K in keyof O]?: O[K] extends { type: 'boolean' }
      ? boolean
      : O[K] extends { multiple: true }
        ? string[]
        : string;
  };
  positionals: string[];
}

/**
 * Parses a command's arguments. `--help` prints the usage text and returns null (the command then
 * exits 0). Unknown options are usage errors (exit 2) that list the known ones.
 */
export function parseCommandArgs<O extends Options>(
  argv: string[],
  options: O,
  usage: string,
): ParsedArgs<O> | null {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    return null;
  }
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    return { values: values as ParsedArgs<O>['values'], positionals };
  } catch (err) {
    const known = Object.keys(options)
      .map((k) => `--${k}`)
      .join(', ');
    throw new UsageError(`${(err as Error).message}. Known options: ${known}.\n\n${usage.trim()}`);
  }
}

/** A usage error when a command that takes only options was given other arguments. */
export function noPositionals(positionals: readonly string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument(s): ${positionals.join(' ')}`);
}

/** The value of a required option, or a usage error naming it. */
export function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing required option --${name}`);
  return value;
}

/** Parses a positive integer option, or a usage error naming it and the value. */
export function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new UsageError(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

/** Parses an integer option >= 0 (seeds, counts that may be zero), or a usage error naming it and the value. */
export function nonNegativeInt<F extends number | undefined>(
  value: string | undefined,
  name: string,
  fallback: F,
): number | F {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new UsageError(`--${name} must be a non-negative integer, got "${value}"`);
  return n;
}

/** Parses a comma-separated list of numbers, e.g. "--k 1,5,10". */
export function numberList(value: string | undefined, name: string, fallback: number[]): number[] {
  if (value === undefined) return fallback;
  const xs = value.split(',').map((s) => Number(s.trim()));
  if (xs.length === 0 || xs.some((x) => !Number.isFinite(x))) {
    throw new UsageError(`--${name} must be a comma-separated list of numbers, got "${value}"`);
  }
  return xs;
}
