import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { InputError } from '../../core/errors.js';
import { numberCell, parseCsvRecords, readCsv } from './csv.js';
import { tempDir, writeText } from './testing.js';

const tmp = await tempDir();
after(tmp.cleanup);

test('parseCsvRecords: quotes, doubled quotes, embedded commas and newlines, CRLF, blank lines', () => {
  const text = 'a,b,c\r\n1,"x, y","say ""hi"""\r\n\r\n2,"two\nlines",\n3,,""\n';
  assert.deepEqual(parseCsvRecords(text, 'f.csv'), [
    { line: 1, cells: ['a', 'b', 'c'] },
    { line: 2, cells: ['1', 'x, y', 'say "hi"'] },
    { line: 4, cells: ['2', 'two\nlines', ''] },
    { line: 6, cells: ['3', '', ''] },
  ]);
  // no trailing newline
  assert.deepEqual(parseCsvRecords('a\n1', 'f.csv'), [
    { line: 1, cells: ['a'] },
    { line: 2, cells: ['1'] },
  ]);
  assert.throws(() => parseCsvRecords('a\n"open', 'f.csv'), /unterminated/);
  assert.throws(() => parseCsvRecords('a\nx"y', 'f.csv'), /quote inside an unquoted cell/);
});

test('readCsv names a missing column, a short row, and reads cells by name', async () => {
  const f = join(tmp.dir, 'a.csv');
  await writeText(f, 'id,x\n1,0.5\n2,abc\n');
  const rows = await readCsv(f, ['id', 'x']);
  assert.deepEqual(rows[0].cells, { id: '1', x: '0.5' });
  assert.equal(numberCell(rows[0], 'x'), 0.5);
  assert.throws(
    () => numberCell(rows[1], 'x'),
    (err: unknown) =>
      err instanceof InputError && err.line === 3 && err.field === 'x' && /"abc"/.test(err.message),
  );
  await assert.rejects(
    readCsv(f, ['id', 'x', 'y']),
    (err: unknown) =>
      err instanceof InputError &&
      err.field === 'y' &&
      /missing column "y"; the header has: id, x/.test(err.message),
  );
  const short = join(tmp.dir, 'short.csv');
  await writeText(short, 'id,x\n1,2\n3\n');
  await assert.rejects(readCsv(short, ['id']), (err: unknown) => err instanceof InputError && err.line === 3);
  const headerOnly = join(tmp.dir, 'header.csv');
  await writeText(headerOnly, 'id,x\n');
  await assert.rejects(readCsv(headerOnly, ['id']), /no rows/);
  const empty = join(tmp.dir, 'empty.csv');
  await writeText(empty, '');
  await assert.rejects(readCsv(empty, ['id']), /empty/);
});
