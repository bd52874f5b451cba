/**
 * The report stage: everything rebuilt from results.json alone (HTML report, Markdown summary,
 * Parquet export, model cards), plus comparing two results files and gating on thresholds.
 */
export { type Comparison, type ComparisonRow, compareResults, renderComparisonMarkdown } from './compare.js';
export { renderComparisonHtml } from './compare-html.js';
export { type ComparisonSummary, summarizeComparisons, type TestedComparison } from './comparisons.js';
export { type IndicatorDigest, indicatorDigest } from './digest.js';
export { type Evidence, evaluateGate, type GateResult, type GateThresholds, renderGateText } from './gate.js';
export { renderModelCard } from './model-card.js';
export { renderReport } from './report.js';
export { parseResults, resultRowSchema, resultsFileSchema } from './schema.js';
export { renderSummaryMarkdown } from './summary.js';
export { rowUnit, type Unit, unitText } from './units.js';
export { summarizeWarnings, type WarningSummary } from './warnings.js';
