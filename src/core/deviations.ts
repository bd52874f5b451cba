/**
 * Deviations from the reference protocol, declared by each stage as named constants with the
 * condition under which they hold. A run reports the text of those whose condition holds for its own
 * inputs and options, in the same words from either front door (`fairscope <command>` or `audit`).
 */

/** One way a stage can depart from the reference code, and when it does. */
export interface Deviation<C> {
  /** Stable name, e.g. 'label-association.not-rounded'. */
  readonly id: string;
  /** Whether this run departs from the reference in this way. */
  holds(context: C): boolean;
  /** The sentence the results and the report show. */
  text(context: C): string;
}

/** Declares a deviation; `text` may be a fixed sentence or depend on the run. */
export function deviation<C>(
  id: string,
  holds: (context: C) => boolean,
  text: string | ((context: C) => string),
): Deviation<C> {
  return { id, holds, text: typeof text === 'string' ? () => text : text };
}

/** The texts of the deviations that hold for `context`, in declaration order. */
export function deviationsThatHold<C>(
  deviations: Readonly<Record<string, Deviation<C>>> | readonly Deviation<C>[],
  context: C,
): string[] {
  const list = Array.isArray(deviations) ? deviations : Object.values(deviations);
  return (list as Deviation<C>[]).filter((d) => d.holds(context)).map((d) => d.text(context));
}
