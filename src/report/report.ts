/**
 * report.html: one self-contained page rebuilt from results.json alone. Charts are Vega-Lite specs
 * rendered to inline SVG here (vega.ts), so the page has no script and makes no network request.
 * Sections appear only for the indicators present in the results. Each shows the headline view (the
 * main metric per group at the protocol's τ / K, gaps, tests significant after Holm, summaries of
 * secondary statistics) and folds the rest: the page stays a few MB for audits with tens of thousands
 * of rows, every one of which stays in results.json and results.parquet.
 *
 * Row conventions (see rows.ts, units.ts): `<metric>.difference|.ratio|.comparison` and `_gap` rows are
 * gaps, ratios and tests between groups; `params.unit` gives each value's unit.
 *
 * Conventions read from results.json beyond the core types:
 * - `models[id]`: name, adaptation ('linear-probe' | 'zero-shot-logits' | ...), adaptationDetail,
 *   license, source, citation; other keys are listed as details.
 * - `datasets[id]`: name, images, license, source, citation, note (shown beside the dataset).
 * - `extra.protocol`: an object of protocol choices (label → text), listed in the header.
 */
import type { ResultsFile } from '../core/results.js';
import { escapeHtml, formatCount } from './format.js';
import { html, slug } from './html.js';
import { indicatorsPresent, modelOrder } from './rows.js';
import type { SectionContext } from './sections/common.js';
import { curationSection } from './sections/curation.js';
import { genericSection } from './sections/generic.js';
import { geographicSection } from './sections/geographic.js';
import { labelAssociationSection } from './sections/label-association.js';
import { overviewSection } from './sections/overview.js';
import { retrievalSection } from './sections/retrieval.js';
import { robustnessSection } from './sections/robustness.js';
import { REPORT_CSS } from './style.js';
import { CHART_TEXT, INDICATOR_TEXT, indicatorTitle } from './texts.js';

type SectionRenderer = (rows: ResultsFile['rows'], ctx: SectionContext) => Promise<string>;

const SECTIONS: Record<string, SectionRenderer> = {
  'label-association': labelAssociationSection,
  geographic: geographicSection,
  retrieval: retrievalSection,
  robustness: robustnessSection,
  curation: curationSection,
  probe: (rows, ctx) => genericSection(rows, ctx, CHART_TEXT.probe),
};

/** Renders the whole report as one HTML document (async: vega renders asynchronously). */
export async function renderReport(results: ResultsFile): Promise<string> {
  const models = modelOrder(results);
  const ctx: SectionContext = { models };
  const indicators = indicatorsPresent(results.rows);
  const sections: string[] = [];
  for (const indicator of indicators) {
    const rows = results.rows.filter((r) => r.indicator === indicator);
    const render = SECTIONS[indicator] ?? genericSection;
    const text = INDICATOR_TEXT[indicator];
    const body = await render(rows, ctx);
    sections.push(html`<section id="${sectionId(indicator)}" class="section indicator" data-indicator="${escapeHtml(indicator)}">
<h2>${escapeHtml(indicatorTitle(indicator))}</h2>
${text ? html`<p class="lede">${escapeHtml(text.measures)}</p>` : ''}
${body}
</section>`);
  }
  const toc = [['overview', 'About this audit'], ...indicators.map((i) => [sectionId(i), indicatorTitle(i)])]
    .map(([id, label]) => html`<li><a href="#${id}">${escapeHtml(label)}</a></li>`)
    .join('');
  const modelList = models.map((m) => html`<code>${escapeHtml(m)}</code>`).join(', ');
  const title = 'Fairness and robustness audit';
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${escapeHtml(`${results.tool.name} ${results.tool.version}`)}">
<title>${title} — fairscope</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="masthead"><div class="wrap">
<p class="eyebrow">fairscope report</p>
<h1>${title}</h1>
<p class="subtitle">${models.length} model(s): ${modelList} · ${results.rows.length} results · created ${escapeHtml(results.createdAt)} · ${escapeHtml(`${results.tool.name} ${results.tool.version}`)}</p>
</div></header>
<nav class="toc" aria-label="Sections"><ul>${toc}</ul></nav>
<main class="wrap">
${overviewSection(results, models)}
${sections.join('\n')}
</main>
<footer class="wrap"><p>Rebuilt from results.json alone with <code>fairscope report</code>. Every value carries its 95% interval; a difference between groups counts only when its Holm-adjusted test says so. This page shows the headline results; all ${formatCount(results.rows.length)} rows are in results.json and results.parquet.</p></footer>
</body>
</html>
`;
}

function sectionId(indicator: string): string {
  return `indicator-${slug(indicator)}`;
}
