/**
 * The report stage: everything rebuilt from results.json alone (HTML report, Markdown summary,
 * Parquet export, model cards), plus comparing two results files and gating on thresholds.
 */
export { type Comparison, type ComparisonRow, compareResults, renderComparisonMarkdown } from './compare.js';
export { renderComparisonHtml } from './compare-html.js';
export { type Evidence, evaluateGate, type GateResult, type GateThresholds, renderGateText } from './gate.js';
export { loadResults } from './load.js';
export { renderModelCard } from './model-card.js';
export { resultsTable, writeResultsParquet } from './parquet.js';
export { renderReport } from './report.js';
export { parseResults, resultRowSchema, resultsFileSchema } from './schema.js';
export { renderSummaryMarkdown } from './summary.js';
export { type ReportFiles, type WriteReportOptions, writeReportFiles } from './write.js';
