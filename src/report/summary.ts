/**
 * summary.md: every result row as Markdown tables (per indicator: models × groups, value [lo, hi], n),
 * then the gaps and the list of warnings. Deterministic for a given results file (snapshot-tested).
 */
import type { ResultsFile } from '../core/results.js';
import { decimalsFor, formatCount } from './format.js';
import {
  markdownGapTable,
  markdownMetricTable,
  markdownTable,
  tableHeading,
  warningPlaces,
} from './markdown.js';
import { adaptationText, entryText } from './meta.js';
import { indicatorsPresent, modelOrder, warningsIndex } from './rows.js';
import { buildTables, gapEntries } from './tables.js';
import { indicatorTitle } from './texts.js';

export function renderSummaryMarkdown(results: ResultsFile): string {
  const models = modelOrder(results);
  const out: string[] = [];
  out.push('# fairscope results summary', '');
  out.push(
    `Created ${results.createdAt} by ${results.tool.name} ${results.tool.version}: ${formatCount(results.rows.length)} result rows, ${models.length} model(s), ${Object.keys(results.datasets).length} dataset(s). Cells are value [95% interval]; ⚠ marks rows with warnings (listed at the end).`,
    '',
  );

  out.push('## Models', '');
  out.push(
    markdownTable(
      ['model', 'adaptation', 'licence'],
      models.map((m) => [m, adaptationText(results.models[m]), entryText(results.models[m], 'license')]),
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
            images === '' ? '' : formatCount(Number(images)),
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
    results.deviations.length === 0 ? 'None recorded.' : results.deviations.map((d) => `- ${d}`).join('\n'),
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
    const rows = results.rows.filter((r) => r.indicator === indicator);
    out.push(`## ${indicatorTitle(indicator)} (\`${indicator}\`)`, '');
    for (const t of buildTables(rows, models)) {
      out.push(`### ${tableHeading(t)}`, '', markdownMetricTable(t), '');
    }
    const gaps = gapEntries(rows, models);
    if (gaps.length > 0) {
      out.push(`### Gaps between groups (${indicator})`, '');
      out.push(markdownGapTable(gaps, decimalsFor(gaps.flatMap((g) => [g.value, ...g.ci]))), '');
    }
  }

  const warnings = warningsIndex(results.rows);
  out.push(`## Warnings (${warnings.size})`, '');
  if (warnings.size === 0) out.push('No row carries a warning.', '');
  else {
    out.push(
      markdownTable(
        ['warning', 'rows', 'where'],
        [...warnings].map(([w, rows]) => [w, String(rows.length), warningPlaces(rows)]),
        ['l', 'r', 'l'],
      ),
      '',
    );
  }
  return `${out.join('\n').trimEnd()}\n`;
}
