/**
 * A small RFC 4180 CSV reader (quoted fields, doubled quotes, CRLF) for the published annotation
 * files (MIAP boxes, FairFace labels). Rows keep the line they start on so errors can name it.
 */
import { InputError } from '../../core/errors.js';
import { readInputText } from './json-list.js';

/** One data row, cells keyed by column name. */
export interface CsvRow {
  /** 1-based line where the row starts (the header is line 1 of a file without blank lead lines). */
  line: number;
  cells: Record<string, string>;
  file: string;
}

/** Splits CSV text into records of raw cells, each with its starting line. Blank lines are dropped. */
export function parseCsvRecords(text: string, file: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let quotedCell = false;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '' && !quotedCell)) records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
    quotedCell = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (c === '\n') line++;
        cell += c;
      }
      continue;
    }
    if (c === '"') {
      if (cell !== '') {
        throw new InputError(file, 'a quote inside an unquoted cell (quote the whole cell)', { line });
      }
      inQuotes = true;
      quotedCell = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += c;
  }
  if (inQuotes) throw new InputError(file, 'unterminated quoted cell', { line: recordLine });
  if (cell !== '' || cells.length > 0 || quotedCell) endRecord();
  return records;
}

/**
 * Reads a CSV file with a header row. `required` columns must be present (an InputError names the
 * first missing one and lists the columns found); every row must have as many cells as the header.
 */
export async function readCsv(file: string, required: readonly string[]): Promise<CsvRow[]> {
  const text = await readInputText(file);
  const records = parseCsvRecords(text, file);
  const [head, ...body] = records;
  if (head === undefined) throw new InputError(file, 'the CSV file is empty');
  const header = head.cells.map((h) => h.trim());
  for (const col of required) {
    if (!header.includes(col)) {
      throw new InputError(file, `missing column "${col}"; the header has: ${header.join(', ')}`, {
        line: head.line,
        field: col,
      });
    }
  }
  if (body.length === 0) throw new InputError(file, 'the CSV file has a header but no rows');
  return body.map((rec) => {
    if (rec.cells.length !== header.length) {
      throw new InputError(
        file,
        `expected ${header.length} cells as in the header, got ${rec.cells.length}`,
        {
          line: rec.line,
        },
      );
    }
    const cells: Record<string, string> = {};
    header.forEach((h, k) => {
      cells[h] = rec.cells[k];
    });
    return { line: rec.line, cells, file };
  });
}

/** A numeric cell, or an InputError naming the file, line and column. */
export function numberCell(row: CsvRow, column: string): number {
  const raw = row.cells[column].trim();
  const v = raw === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(v)) {
    throw new InputError(row.file, `must be a number, got ${JSON.stringify(raw)}`, {
      line: row.line,
      field: column,
    });
  }
  return v;
}
