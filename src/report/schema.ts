/**
 * The results.json schema (zod). `fairscope report`, `compare` and `gate` validate with it, so a
 * broken file fails with the path of the first bad fields (e.g. `rows[12].ci[1]`), never midway
 * through rendering.
 */
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { canonicalJson } from '../core/hash.js';
import { RESULTS_SCHEMA_VERSION, type ResultsFile } from '../core/results.js';

const attrValue = z.union([z.string(), z.number()]);

/** A metric value: a number, or null (JSON's spelling of NaN, see writeResults) read back as NaN. */
const metricNumber = z.union([z.number(), z.nan(), z.null()]).transform((v) => v ?? Number.NaN);

export const resultRowSchema = z
  .object({
    model: z.string().min(1),
    indicator: z.string().min(1),
    metric: z.string().min(1),
    params: z.record(attrValue),
    group: z.record(attrValue),
    value: metricNumber,
    ci: z.tuple([metricNumber, metricNumber]),
    n: z.number().int().nonnegative(),
    clusters: z.number().int().nonnegative(),
    warnings: z.array(z.string()),
    dataset: z.string().min(1).optional(),
  })
  .passthrough()
  .superRefine((row, ctx) => {
    const [lo, hi] = row.ci;
    if (Number.isFinite(lo) && Number.isFinite(hi) && lo > hi) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['ci'],
        message: `lower bound ${lo} > upper bound ${hi}`,
      });
    }
  });

const failedItemSchema = z.object({ dataset: z.string(), id: z.string(), reason: z.string() });

export const resultsFileSchema = z.object({
  schemaVersion: z.literal(RESULTS_SCHEMA_VERSION, {
    errorMap: () => ({ message: `schema version must be ${RESULTS_SCHEMA_VERSION}` }),
  }),
  tool: z.object({ name: z.literal('fairscope'), version: z.string() }).passthrough(),
  createdAt: z.string(),
  models: z.record(z.record(z.unknown())).default({}),
  datasets: z.record(z.record(z.unknown())).default({}),
  deviations: z.array(z.string()).default([]),
  failures: z.array(failedItemSchema).default([]),
  rows: z.array(resultRowSchema).superRefine((rows, ctx) => {
    // Two rows for the same cell would make every table and comparison ambiguous.
    const seen = new Map<string, number>();
    rows.forEach((r, i) => {
      const key = canonicalJson([r.model, r.indicator, r.metric, r.dataset ?? null, r.params, r.group]);
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else {
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: [i],
          message: `duplicates rows[${first}] (same model, indicator, metric, dataset, params and group)`,
        });
      }
    });
  }),
  extra: z.record(z.unknown()).default({}),
});

/** `rows[12].ci[1]` from a zod path. */
export function formatPath(path: (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/**
 * Validates parsed JSON as a ResultsFile; nulls in value/ci become NaN.
 * @throws InputError naming `file` and the path of the first invalid field (up to 5 issues listed).
 */
export function parseResults(data: unknown, file: string): ResultsFile {
  const parsed = resultsFileSchema.safeParse(data);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const first = issues[0];
    const listed = issues
      .slice(0, 5)
      .map((i) => `${formatPath(i.path) || '(root)'}: ${i.message}`)
      .join('; ');
    const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
    throw new InputError(file, `invalid results file: ${listed}${more}`, {
      field: first ? formatPath(first.path) : undefined,
    });
  }
  return parsed.data as ResultsFile;
}
