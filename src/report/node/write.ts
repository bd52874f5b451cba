/**
 * Writes the report files of a results file into a folder (used by `fairscope report`, and by
 * `audit`/`demo` after they write results.json).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/node/atomic-write.js';
import type { ResultsFile } from '../../core/results.js';
import { renderModelCard } from '../model-card.js';
import { renderReport } from '../report.js';
import { modelOrder } from '../rows.js';
import { renderSummaryMarkdown } from '../summary.js';
import { writeResultsParquet } from './parquet.js';

export interface ReportFiles {
  html: string;
  summary: string;
  parquet?: string;
  modelCard?: string;
}

export interface WriteReportOptions {
  /** Write results.parquet (default true). */
  parquet?: boolean;
  /** Write model-card.md with one section per model (default false). */
  modelCard?: boolean;
}

/** The files writeReportFiles may write into its folder. */
export const REPORT_FILES = ['report.html', 'summary.md', 'results.parquet', 'model-card.md'] as const;

/** Writes DIR/report.html, DIR/summary.md, DIR/results.parquet and optionally DIR/model-card.md. */
export async function writeReportFiles(
  results: ResultsFile,
  dir: string,
  opts: WriteReportOptions = {},
): Promise<ReportFiles> {
  await mkdir(dir, { recursive: true });
  const files: ReportFiles = { html: join(dir, 'report.html'), summary: join(dir, 'summary.md') };
  await writeFileAtomic(files.html, await renderReport(results));
  await writeFileAtomic(files.summary, renderSummaryMarkdown(results));
  if (opts.parquet ?? true) {
    files.parquet = join(dir, 'results.parquet');
    await writeResultsParquet(files.parquet, results);
  }
  if (opts.modelCard) {
    files.modelCard = join(dir, 'model-card.md');
    const cards = modelOrder(results).map((m) => renderModelCard(results, m));
    await writeFileAtomic(files.modelCard, `# Model cards\n\n${cards.join('\n')}`);
  }
  return files;
}
