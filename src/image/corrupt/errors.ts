/** Error factories of the corruptions: each names the function, the argument, the valid values and the value given. */
import { FairscopeError } from '../../core/errors.js';

export const SEVERITIES = [1, 2, 3, 4, 5] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Severity outside 1..5 or not an integer. */
export function severityError(name: string, severity: unknown): RangeError {
  return new RangeError(`${name}: severity must be an integer from 1 to 5, got ${JSON.stringify(severity)}`);
}

/** A corruption name that is not in the registry. */
export function unknownCorruptionError(name: string, known: readonly string[]): RangeError {
  return new RangeError(`unknown corruption ${JSON.stringify(name)}; corruptions are: ${known.join(', ')}`);
}

/** An image below the smallest side a corruption accepts. */
export function imageTooSmallError(
  name: string,
  width: number,
  height: number,
  minSide: number,
): FairscopeError {
  return new FairscopeError(
    `${name}: image is ${width} x ${height} px; corruptions need at least ${minSide} x ${minSide} px`,
  );
}

/** Checks a severity and returns it typed. */
export function checkSeverity(name: string, severity: number): Severity {
  if (!Number.isInteger(severity) || severity < 1 || severity > 5) throw severityError(name, severity);
  return severity as Severity;
}
