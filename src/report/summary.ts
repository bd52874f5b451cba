/**
 * summary.md: the headline results as Markdown (digest.ts): per indicator the main metric at the
 * protocol's headline parameters as models-as-rows tables, gaps, the comparisons significant after
 * Holm and the largest per-class disparities, then a summary of the warnings. Every row stays in
 * results.json / results.parquet; the summary says how many rows of each metric it shows.
 * Deterministic for a given results file (snapshot-tested). Every string from the results file
 * goes through markdown.ts's escaping helpers (md, markdownTable, markdownHeading, markdownCode).
 */
import type { ResultsFile } from '../core/results.js';
import { describeEmpty, recordedEmptyEntries } from '../core/scored.js';
import { type IndicatorDigest, indicatorDigest } from './digest.js';
import { formatCount, formatInterval, formatP, formatSigned } from './format.js';
import {
  markdownCode,
  markdownComparisons,
  markdownGapTable,
  markdownHeading,
  markdownMetricTable,
  markdownTable,
  markdownWarnings,
  md,
  tableHeading,
} from './markdown.js';
import { adaptationText, entryText, trainingText } from './meta.js';
import { indicatorsPresent, modelOrder } from './rows.js';
import type { GroupDisparities } from './secondary.js';
import { gapUndefined } from './tables.js';
import { indicatorTitle } from './texts.js';
import { summarizeWarnings } from './warnings.js';

/** Most significant comparisons listed per indicator. */
const COMPARISONS_LISTED = 12;

export function renderSummaryMarkdown(results: ResultsFile): string {
  const models = modelOrder(results);
  const out: string[] = [];
  out.push('# fairscope results summary', '');
  out.push(
    md`Created ${results.createdAt} by ${results.tool.name} ${results.tool.version}: ${formatCount(results.rows.length)} result rows, ${models.length} model(s), ${Object.keys(results.datasets).length} dataset(s).`,
    '',
    'This summary shows the headline results. Cells are value [95% interval] in the unit named in each heading (% = percent of images, pp = percentage points, 0–1 = proportion); ⚠ marks values with warnings (summarised at the end). Every row, with its interval, n, clusters and warnings, is in results.json and results.parquet.',
    '',
  );

  const empty = recordedEmptyEntries(results.extra);
  if (empty.length > 0) {
    out.push(`## Evaluations that scored nothing (${empty.length})`, '');
    out.push(
      'Allowed by --allow-empty or allowEmpty in the spec: their rows hold no value.',
      '',
      empty.map((e) => md`- ${describeEmpty(e)}`).join('\n'),
      '',
    );
  }

  out.push('## Models', '');
  // A training column only when the audit trained some of its models.
  const trained = models.some((m) => trainingText(results.models[m]) !== '');
  out.push(
    markdownTable(
      ['model', 'adaptation', ...(trained ? ['training'] : []), 'licence'],
      models.map((m) => [
        m,
        adaptationText(results.models[m]),
        ...(trained ? [trainingText(results.models[m]) || '—'] : []),
        entryText(results.models[m], 'license'),
      ]),
    ),
    '',
  );

  const datasetIds = Object.keys(results.datasets);
  if (datasetIds.length > 0) {
    out.push('## Datasets', '');
    out.push(
      markdownTable(
        ['dataset', 'name', 'images', 'licence'],
        datasetIds.map((d) => {
          const e = results.datasets[d];
          const images = entryText(e, 'images');
          return [
            d,
            entryText(e, 'name'),
            images === '' || Number.isNaN(Number(images)) ? images : formatCount(Number(images)),
            entryText(e, 'license'),
          ];
        }),
        ['l', 'l', 'r', 'l'],
      ),
      '',
    );
  }

  out.push('## Deviations from the reference protocol', '');
  out.push(
    results.deviations.length === 0 ? 'None recorded.' : results.deviations.map((d) => md`- ${d}`).join('\n'),
    '',
  );

  out.push(`## Failed images (${results.failures.length})`, '');
  if (results.failures.length === 0) out.push('None: every image was decoded and used.', '');
  else {
    out.push(
      'These images could not be used and are excluded from every metric (never replaced).',
      '',
      markdownTable(
        ['dataset', 'id', 'reason'],
        results.failures.map((f) => [f.dataset, f.id, f.reason]),
      ),
      '',
    );
  }

  for (const indicator of indicatorsPresent(results.rows)) {
    out.push(md`## ${indicatorTitle(indicator)} (${markdownCode(indicator)})`, '');
    out.push(...digestMarkdown(indicatorDigest(indicator, results.rows, models), { showModel: true }));
  }

  const warnings = summarizeWarnings(results.rows);
  const warned = results.rows.filter((r) => r.warnings.length > 0).length;
  out.push(`## Warnings (${warnings.length} kinds, ${formatCount(warned)} rows)`, '');
  if (warnings.length === 0) out.push('No row carries a warning.', '');
  else out.push(markdownWarnings(warnings), '');
  return `${out.join('\n').trimEnd()}\n`;
}

/**
 * One indicator's digest as Markdown lines (shared with the model card).
 * @param opts.showModel keep the model column (false in a one-model card).
 * @param opts.level heading level of the digest's subsections (default 3).
 */
export function digestMarkdown(d: IndicatorDigest, opts: { showModel: boolean; level?: number }): string[] {
  const level = opts.level ?? 3;
  const h = '#'.repeat(level);
  const out: string[] = [];
  const scope = [...d.scope];
  if (d.fixed.length > 0)
    scope.push(`Same for every row: ${d.fixed.map(([k, v]) => `${k}=${v}`).join(', ')}.`);
  if (scope.length > 0) out.push(md`${scope.join(' ')}`, '');
  const strip = (t: (typeof d.tables)[number]) =>
    opts.showModel
      ? t
      : {
          ...t,
          rowHeaders: t.rowHeaders.slice(1),
          rows: t.rows.map((r) => ({ ...r, labels: r.labels.slice(1) })),
        };
  const heading = (t: (typeof d.tables)[number]) => markdownHeading(level, tableHeading(t));
  for (const t of d.tables) out.push(heading(t), '', markdownMetricTable(strip(t)), '');
  const gaps = d.gaps.filter((g) => !gapUndefined(g));
  if (gaps.length > 0) {
    out.push(
      `${h} Gaps between groups`,
      '',
      'Largest − smallest group value (never negative; inflated by noise in small groups, so an interval above 0 is not a test), smallest ÷ largest, and the largest distance to the overall value.',
      '',
      markdownGapTable(gaps, { showModel: opts.showModel, paramColumns: d.gapColumns }),
      '',
    );
  }
  const c = d.comparisons;
  if (c.tested > 0) {
    out.push(`${h} Group differences significant after Holm’s correction`, '');
    const focus =
      c.focusText !== undefined
        ? `${formatCount(c.focusSignificant)} of ${formatCount(c.focusTested)} ${c.focusText}, ${formatCount(c.significant.length)} of ${formatCount(c.tested)} in all`
        : `${formatCount(c.significant.length)} of ${formatCount(c.tested)}`;
    out.push(
      md`Bootstrap tests between pairs of groups, Holm-adjusted within each family (one model, metric, parameter setting and attribute). Significant at α = 0.05: ${focus}.${c.significant.length === 0 && Number.isFinite(c.minPHolm) ? ` Smallest adjusted p: ${formatP(c.minPHolm)}.` : ''}`,
      '',
    );
    if (c.significant.length > 0) {
      const listed = c.significant.slice(0, COMPARISONS_LISTED);
      if (listed.length < c.significant.length) {
        out.push(`The ${listed.length} most significant (the others are in results.json):`, '');
      }
      out.push(markdownComparisons(listed, { showModel: opts.showModel }), '');
    }
  }
  if (d.disparities.length > 0) {
    out.push(
      `${h} Largest per-class prediction-rate disparities`,
      '',
      md`Per group, the classes predicted most unequally compared with the other groups (percentage points [95% interval]; ** = interval excludes 0). ${d.scope[0] ?? ''}`.trim(),
      '',
      disparityTable(d.disparities, opts.showModel),
      '',
    );
  }
  for (const t of d.secondaryTables) out.push(heading(t), '', markdownMetricTable(strip(t)), '');
  const hidden = d.coverage.filter((x) => x.shown < x.rows);
  if (hidden.length > 0) {
    out.push(
      md`Rows not shown above (all in results.json / results.parquet): ${hidden
        .map(
          (x) =>
            `${x.metric} ${formatCount(x.rows - x.shown)}${x.shown > 0 ? ` of ${formatCount(x.rows)}` : ''}`,
        )
        .join('; ')}.`,
      '',
    );
  }
  return out;
}

function disparityTable(groups: GroupDisparities[], showModel: boolean): string {
  const models = [...new Set(groups.flatMap((g) => [...g.byModel.keys()]))];
  const cell = (list: GroupDisparities['byModel'] extends Map<string, infer V> ? V : never) =>
    list.length === 0
      ? '—'
      : list
          .map((x) => {
            const text = `${x.cls} ${formatSigned(x.value, 1)} ${formatInterval(x.ci, 1)}${x.warned ? ' ⚠' : ''}`;
            return x.excludesZero ? `**${text}**` : text;
          })
          .join('; ');
  const header = ['groups by', 'group', ...(showModel ? models : ['largest disparities'])];
  return markdownTable(
    header,
    groups.map((g, i) => [
      i > 0 && groups[i - 1].attribute === g.attribute ? '' : g.attribute,
      g.group,
      ...models.map((m) => cell(g.byModel.get(m) ?? [])),
    ]),
  );
}
