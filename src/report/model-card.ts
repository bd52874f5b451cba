/**
 * A model card section (Markdown) for one model, from results.json alone: model details, evaluation
 * data, group metrics with intervals, gaps, robustness profile, limitations. Layout after
 * model-card-toolkit's quantitative analysis (metric, slice, value, confidence interval).
 */
import { InputError } from '../core/errors.js';
import type { ResultsFile } from '../core/results.js';
import { decimalsFor, formatCount, formatInterval, formatNumber } from './format.js';
import {
  markdownGapTable,
  markdownMetricTable,
  markdownTable,
  tableHeading,
  warningPlaces,
} from './markdown.js';
import { adaptationText, entryText, otherFields } from './meta.js';
import { distinct, headlineTau, indicatorsPresent, warningsIndex } from './rows.js';
import { buildTables, gapEntries, type MetricTable } from './tables.js';
import { indicatorTitle } from './texts.js';

/** A table with the model column removed (the card is about one model). */
function withoutModel(t: MetricTable): MetricTable {
  return {
    ...t,
    rowHeaders: t.rowHeaders.slice(1),
    rows: t.rows.map((r) => ({ ...r, labels: r.labels.slice(1) })),
  };
}

/**
 * Renders the card for `model`.
 * @throws InputError when the model has no entry and no rows in the results.
 */
export function renderModelCard(results: ResultsFile, model: string): string {
  const rows = results.rows.filter((r) => r.model === model);
  const entry = results.models[model];
  if (rows.length === 0 && entry === undefined) {
    throw new InputError('results', `model "${model}" is not in the results`, { field: 'models' });
  }
  const out: string[] = [];
  const name = entryText(entry, 'name');
  out.push(`## Model card: ${model}${name ? ` (${name})` : ''}`, '');

  out.push('### Model details', '');
  out.push(`- **Adaptation for evaluation:** ${adaptationText(entry) || 'not recorded'}`);
  for (const [k, v] of otherFields(entry, [
    'name',
    'adaptation',
    'adaptationDetail',
    'license',
    'source',
    'citation',
  ])) {
    out.push(`- **${k}:** ${v}`);
  }
  for (const [label, field] of [
    ['Licence', 'license'],
    ['Source', 'source'],
    ['Citation', 'citation'],
  ] as const) {
    const v = entryText(entry, field);
    if (v) out.push(`- **${label}:** ${v}`);
  }
  out.push('');

  const datasets = distinct(
    rows.filter((r) => r.dataset !== undefined),
    (r) => r.dataset as string,
  );
  out.push('### Evaluation data', '');
  if (datasets.length === 0) out.push('No dataset recorded for this model’s rows.', '');
  else {
    out.push(
      markdownTable(
        ['dataset', 'name', 'images', 'licence', 'used for', 'failed images'],
        datasets.map((d) => {
          const e = results.datasets[d];
          const images = entryText(e, 'images');
          return [
            d,
            entryText(e, 'name'),
            images === '' || Number.isNaN(Number(images)) ? images : formatCount(Number(images)),
            entryText(e, 'license'),
            distinct(
              rows.filter((r) => r.dataset === d),
              (r) => r.indicator,
            ).join(', '),
            String(results.failures.filter((f) => f.dataset === d).length),
          ];
        }),
        ['l', 'l', 'r', 'l', 'l', 'r'],
      ),
      '',
    );
  }

  const fairness = indicatorsPresent(rows).filter((i) => i !== 'robustness');
  if (fairness.length > 0) {
    out.push('### Group metrics (value [95% interval])', '');
    for (const indicator of fairness) {
      const iRows = rows.filter((r) => r.indicator === indicator);
      const tau = indicator === 'label-association' ? headlineTau(iRows) : undefined;
      const tables = buildTables(iRows, [model]).filter(
        (t) => tau === undefined || t.params.split(', ').includes(`tau=${tau}`),
      );
      out.push(`#### ${indicatorTitle(indicator)}`, '');
      for (const t of tables)
        out.push(`**${tableHeading(t)}**`, '', markdownMetricTable(withoutModel(t)), '');
      const gaps = gapEntries(iRows, [model]);
      if (gaps.length > 0) {
        out.push(
          'Gaps between groups:',
          '',
          markdownGapTable(gaps, decimalsFor(gaps.flatMap((g) => [g.value, ...g.ci]))),
          '',
        );
      }
    }
  }

  const robust = rows.filter((r) => r.indicator === 'robustness');
  if (robust.length > 0) {
    out.push('### Robustness profile', '');
    const shifts = robust.filter(
      (r) => r.metric === 'top1' && 'shift' in r.params && Object.keys(r.group).length === 0,
    );
    if (shifts.length > 1) {
      const d = decimalsFor(shifts.map((r) => r.value));
      const best = shifts[0];
      const worst = shifts.reduce((w, r) => (r.value < w.value ? r : w), shifts[0]);
      out.push(
        `- Top-1 from \`${best.params.shift}\` (${formatNumber(best.value, d)} ${formatInterval(best.ci, d)}) to the hardest shift \`${worst.params.shift}\` (${formatNumber(worst.value, d)} ${formatInterval(worst.ci, d)}).`,
      );
    }
    const mce = robust.find((r) => r.metric === 'mce');
    if (mce) {
      const d = decimalsFor([mce.value]);
      out.push(
        `- mCE: ${formatNumber(mce.value, d)} ${formatInterval(mce.ci, d)} (lower is better; relative to the reference model).`,
      );
    }
    out.push('');
    for (const t of buildTables(robust, [model]))
      out.push(`**${tableHeading(t)}**`, '', markdownMetricTable(withoutModel(t)), '');
    const gaps = gapEntries(robust, [model]);
    if (gaps.length > 0) {
      out.push(
        'Gaps between groups:',
        '',
        markdownGapTable(gaps, decimalsFor(gaps.flatMap((g) => [g.value, ...g.ci]))),
        '',
      );
    }
  }

  out.push('### Limitations', '');
  out.push(
    '- Results depend on how the model was adapted (linear probe, zero-shot logits, fine-tuning); numbers from different adaptation protocols are not comparable (protocols.md 9.15).',
  );
  out.push(
    '- Groups come from dataset annotations (self-reported or perceived attributes, coarse buckets); they do not capture every way a model can treat people differently.',
  );
  out.push(
    '- Every value has a 95% interval over independent clusters; a difference between groups counts only when the intervals support it.',
  );
  for (const d of results.deviations) out.push(`- Deviation from the reference protocol: ${d}`);
  const failed = results.failures.filter((f) => datasets.includes(f.dataset)).length;
  if (failed > 0) out.push(`- ${failed} image(s) could not be decoded and are excluded from the metrics.`);
  for (const d of datasets) {
    const note = entryText(results.datasets[d], 'note');
    if (note) out.push(`- \`${d}\`: ${note}`);
  }
  for (const [w, wRows] of warningsIndex(rows))
    out.push(`- Warning (${wRows.length} rows): ${w} — ${warningPlaces(wRows)}`);
  return `${out.join('\n').trimEnd()}\n`;
}
