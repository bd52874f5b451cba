/**
 * A model card section (Markdown) for one model, from results.json alone: model details, evaluation
 * data, group metrics with intervals, gaps, robustness profile, limitations. Layout after
 * model-card-toolkit's quantitative analysis (metric, slice, value, confidence interval). Every
 * string from the results file goes through markdown.ts's escaping helpers.
 */
import { InputError } from '../core/errors.js';
import type { ResultsFile } from '../core/results.js';
import { indicatorDigest } from './digest.js';
import { decimalsFor, formatCount, formatInterval, formatNumber } from './format.js';
import { markdownCode, markdownHeading, markdownTable, md } from './markdown.js';
import { adaptationText, datasetListings, entryText, otherFields, trainingText } from './meta.js';
import { distinct, indicatorsPresent } from './rows.js';
import { digestMarkdown } from './summary.js';
import { indicatorTitle } from './texts.js';
import { commonUnit, unitDecimals, unitText } from './units.js';
import { summarizeWarnings } from './warnings.js';

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
  out.push(markdownHeading(2, `Model card: ${model}${name ? ` (${name})` : ''}`), '');

  out.push('### Model details', '');
  out.push(md`- **Adaptation for evaluation:** ${adaptationText(entry) || 'not recorded'}`);
  const training = trainingText(entry);
  if (training) out.push(md`- **Training:** ${training}`);
  for (const [k, v] of otherFields(entry, [
    'name',
    'adaptation',
    'adaptationDetail',
    'license',
    'source',
    'citation',
    'training',
  ])) {
    out.push(md`- **${k}:** ${v}`);
  }
  for (const [label, field] of [
    ['Licence', 'license'],
    ['Source', 'source'],
    ['Citation', 'citation'],
  ] as const) {
    const v = entryText(entry, field);
    if (v) out.push(md`- **${label}:** ${v}`);
  }
  out.push('');

  const datasets = distinct(
    rows.filter((r) => r.dataset !== undefined),
    (r) => r.dataset as string,
  );
  // Derived ids (corrupted copies, query → database pairs, aggregates) are listed as the header does.
  const listings = datasetListings(results).filter((l) => l.ids.some((id) => datasets.includes(id)));
  out.push('### Evaluation data', '');
  if (datasets.length === 0) out.push('No dataset recorded for this model’s rows.', '');
  else {
    out.push(
      markdownTable(
        ['dataset', 'name', 'images', 'licence', 'used for', 'failed images'],
        listings.map((l) => {
          const e = l.entry;
          const images = entryText(e, 'images');
          return [
            l.id,
            entryText(e, 'name') || l.derived,
            images === '' || Number.isNaN(Number(images)) ? images : formatCount(Number(images)),
            entryText(e, 'license'),
            distinct(
              rows.filter((r) => r.dataset !== undefined && l.ids.includes(r.dataset)),
              (r) => r.indicator,
            ).join(', '),
            String(results.failures.filter((f) => l.ids.includes(f.dataset)).length),
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
      out.push(markdownHeading(4, indicatorTitle(indicator)), '');
      out.push(...digestMarkdown(indicatorDigest(indicator, rows, [model]), { showModel: false, level: 5 }));
    }
  }

  const robust = rows.filter((r) => r.indicator === 'robustness');
  if (robust.length > 0) {
    out.push('### Robustness profile', '');
    const shifts = robust.filter(
      (r) => r.metric === 'top1' && 'shift' in r.params && Object.keys(r.group).length === 0,
    );
    if (shifts.length > 1) {
      const d = unitDecimals(commonUnit(shifts), []);
      const best = shifts[0];
      const worst = shifts.reduce((w, r) => (r.value < w.value ? r : w), shifts[0]);
      out.push(
        md`- Top-1 (${unitText(commonUnit(shifts)) || 'value'}) from ${markdownCode(String(best.dataset ?? best.params.shift))} (${formatNumber(best.value, d)} ${formatInterval(best.ci, d)}) to the hardest shift ${markdownCode(String(worst.dataset ?? worst.params.shift))} (${formatNumber(worst.value, d)} ${formatInterval(worst.ci, d)}).`,
      );
    }
    const mce = robust.find((r) => r.metric === 'mce' && Object.keys(r.group).length === 0);
    if (mce) {
      const d = decimalsFor([mce.value]);
      out.push(
        `- mCE: ${formatNumber(mce.value, d)} ${formatInterval(mce.ci, d)} (lower is better${mce.params.normalization === 'none' ? '; unnormalised: summed top-1 errors' : '; relative to the reference model'}).`,
      );
    }
    out.push('');
    out.push(...digestMarkdown(indicatorDigest('robustness', rows, [model]), { showModel: false, level: 4 }));
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
  for (const d of results.deviations) out.push(md`- Deviation from the reference protocol: ${d}`);
  const failed = results.failures.filter((f) => datasets.includes(f.dataset)).length;
  if (failed > 0) out.push(`- ${failed} image(s) could not be decoded and are excluded from the metrics.`);
  for (const d of datasets) {
    const note = entryText(results.datasets[d], 'note');
    if (note) out.push(md`- ${markdownCode(d)}: ${note}`);
  }
  for (const w of summarizeWarnings(rows))
    out.push(
      md`- Warning (${formatCount(w.rows)} rows): ${w.kind} — ${w.where}${w.detail ? `; ${w.detail}` : ''}`,
    );
  return `${out.join('\n').trimEnd()}\n`;
}
