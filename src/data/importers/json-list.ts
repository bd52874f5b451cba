/**
 * Reading a JSON list of records (the metadata format of Casual Conversations, Dollar Street and the
 * vissl MIAP list) with errors that name the file, the line where a record starts, and the field.
 */
import { readFile } from 'node:fs/promises';
import { InputError } from '../../core/errors.js';
import { readProblem } from '../lines.js';

/** One record of a JSON list, with where it sits in its file. */
export interface JsonRecord {
  /** The parsed object. */
  value: Record<string, unknown>;
  /** 0-based position in the list. */
  index: number;
  /** 1-based line where the record starts. */
  line: number;
  file: string;
}

/** Reads a file as UTF-8 text (BOM removed), or an InputError saying why it cannot be read. */
export async function readInputText(file: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InputError(file, `cannot read input: ${readProblem(err)}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw new InputError(file, 'the input file is empty');
  return text;
}

/** The 1-based line of a character offset. */
function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * The offset of the first JSON syntax error in `text`, or -1 when it is valid. Used only after
 * JSON.parse failed, because V8's messages do not always give a position.
 */
export function jsonSyntaxErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r'))
      i++;
  };
  const fail = (): never => {
    throw i;
  };
  const str = () => {
    i++;
    for (;;) {
      if (i >= text.length || text.charCodeAt(i) < 0x20) fail();
      const c = text[i];
      if (c === '"') {
        i++;
        return;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail();
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail();
      } else i++;
    }
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === '{') {
          ws();
          if (text[i] !== '"') fail();
          str();
          ws();
          if (text[i] !== ':') fail();
          i++;
        }
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    }
    if (c === '"') {
      str();
      return;
    }
    const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
    if (m === null) fail();
    else i += m[0].length;
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return -1;
  } catch (pos) {
    if (typeof pos === 'number') return pos;
    throw pos;
  }
}

/** JSON.parse with an InputError naming the file and the line of the syntax error. */
export function parseJsonText(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const offset = jsonSyntaxErrorOffset(text);
    throw new InputError(
      file,
      `invalid JSON: ${(err as Error).message.split('\n')[0]}`,
      offset >= 0 ? { line: lineOf(text, offset) } : {},
    );
  }
}

/**
 * The 1-based line on which each element of the top-level JSON array starts. The text must be valid
 * JSON whose top level is an array.
 */
export function topLevelElementLines(text: string): number[] {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let expectElement = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n') line++;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') continue;
    if (depth === 1 && expectElement && c !== ']') {
      lines.push(line);
      expectElement = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectElement = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectElement = true;
  }
  return lines;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Reads a JSON file that must hold a non-empty list of objects. Errors name the file, and the line
 * of the offending record.
 */
export async function readJsonList(file: string): Promise<JsonRecord[]> {
  const text = await readInputText(file);
  const parsed = parseJsonText(text, file);
  if (!Array.isArray(parsed)) {
    throw new InputError(file, `expected a JSON list of records, got ${describe(parsed)}`);
  }
  if (parsed.length === 0) throw new InputError(file, 'the JSON list is empty (no records)');
  const lines = topLevelElementLines(text);
  return parsed.map((value, index) => {
    const line = lines.length === parsed.length ? lines[index] : 1;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new InputError(file, `record ${index} must be a JSON object, got ${describe(value)}`, { line });
    }
    return { value: value as Record<string, unknown>, index, line, file };
  });
}

/**
 * A required field of a record that must be a non-empty string (numbers are accepted and written as
 * strings, as the published metadata mixes both). Missing or other types: InputError naming the
 * file, line and field.
 */
export function stringField(rec: JsonRecord, name: string): string {
  const v = rec.value[name];
  if (v === undefined) {
    throw new InputError(rec.file, `record ${rec.index} has no "${name}"`, { line: rec.line, field: name });
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v !== 'string' || v === '') {
    throw new InputError(rec.file, `must be a non-empty string, got ${JSON.stringify(v)}`, {
      line: rec.line,
      field: name,
    });
  }
  return v;
}

/** An optional string field: undefined when absent or null, otherwise as stringField. */
export function optionalStringField(rec: JsonRecord, name: string): string | undefined {
  const v = rec.value[name];
  return v === undefined || v === null ? undefined : stringField(rec, name);
}

/** A required field that may hold any JSON value (missing → InputError naming it). */
export function anyField(rec: JsonRecord, name: string): unknown {
  if (!(name in rec.value)) {
    throw new InputError(rec.file, `record ${rec.index} has no "${name}"`, { line: rec.line, field: name });
  }
  return rec.value[name];
}
