/**
 * The results.json schema (zod). `fairscope report`, `compare` and `gate` validate with it, so a
 * broken file fails with the path of the first bad fields (e.g. `rows[12].ci[1]`), never midway
 * through rendering.
 */
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import { RESULTS_SCHEMA_VERSION, type ResultsFile, rowCellKey, upgradeResultsData } from '../core/results.js';
import { ROW_KINDS } from '../core/types.js';

type RowKindName = (typeof ROW_KINDS)[number];
const attrValue = z.union([z.string(), z.number()]);

/** A metric value: a number, or null (JSON's spelling of NaN, see writeResults) read back as NaN. */
const metricNumber = z.union([z.number(), z.nan(), z.null()]).transform((v) => v ?? Number.NaN);

export const resultRowSchema = z
  .object({
    kind: z.enum(ROW_KINDS as [RowKindName, ...RowKindName[]]),
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
      const key = rowCellKey(r as Parameters<typeof rowCellKey>[0]);
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

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isName = (v: unknown) => typeof v === 'string' && v.length > 0;
const isNumberOrNull = (v: unknown) => v === null || typeof v === 'number';
const isCount = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isAttrRecord = (v: unknown) =>
  isRecord(v) &&
  Object.values(v).every((x) => typeof x === 'string' || (typeof x === 'number' && !Number.isNaN(x)));

/** True when `r` passes resultRowSchema: the same rules as a plain loop (zod costs ~50 µs a row). */
function isValidRow(r: unknown): r is Record<string, unknown> {
  if (!isRecord(r)) return false;
  const ci = r.ci;
  if (!Array.isArray(ci) || ci.length !== 2 || !isNumberOrNull(ci[0]) || !isNumberOrNull(ci[1])) return false;
  if (Number.isFinite(ci[0]) && Number.isFinite(ci[1]) && (ci[0] as number) > (ci[1] as number)) return false;
  return (
    (ROW_KINDS as readonly unknown[]).includes(r.kind) &&
    isName(r.model) &&
    isName(r.indicator) &&
    isName(r.metric) &&
    isAttrRecord(r.params) &&
    isAttrRecord(r.group) &&
    isNumberOrNull(r.value) &&
    isCount(r.n) &&
    isCount(r.clusters) &&
    Array.isArray(r.warnings) &&
    r.warnings.every((w) => typeof w === 'string') &&
    (r.dataset === undefined || isName(r.dataset))
  );
}

const headerSchema = resultsFileSchema.extend({ rows: z.array(z.unknown()) });

/**
 * The fast path of parseResults: zod for the small header, a plain loop for the rows. Undefined when
 * anything is invalid, so that zod runs on the whole file and names the bad fields.
 */
function parseValidResults(data: unknown): ResultsFile | undefined {
  const header = headerSchema.safeParse(data);
  if (!header.success || !header.data.rows.every(isValidRow)) return undefined;
  const seen = new Set<string>();
  const rows = (header.data.rows as Record<string, unknown>[]).map((r) => {
    const key = rowCellKey(r as Parameters<typeof rowCellKey>[0]);
    if (seen.has(key)) return undefined;
    seen.add(key);
    const [lo, hi] = r.ci as (number | null)[];
    return { ...r, value: r.value ?? Number.NaN, ci: [lo ?? Number.NaN, hi ?? Number.NaN] };
  });
  if (rows.includes(undefined)) return undefined;
  return { ...header.data, rows } as ResultsFile;
}

/**
 * Validates parsed JSON as a ResultsFile; nulls in value/ci become NaN.
 * @throws InputError naming `file` and the path of the first invalid field (up to 5 issues listed).
 */
export function parseResults(input: unknown, file: string): ResultsFile {
  const data = upgradeResultsData(input);
  const valid = parseValidResults(data);
  if (valid !== undefined) return valid;
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
  return parsed.data as unknown as ResultsFile;
}
