/**
 * Test helpers: load a golden fixture written by tools/indicators_reference.py and compare rows.
 * (Used by the *.test.ts files only.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ResultRow } from '../core/types.js';
import { groupLabel } from '../stats/metric-frame.js';

export function loadFixture<T>(name: string): T {
  return JSON.parse(
    readFileSync(new URL(`../../test/fixtures/indicators/${name}`, import.meta.url), 'utf8'),
  ) as T;
}

/** Compares an expected value (null = NaN) to an actual one within `tol`. */
export function assertClose(actual: number, expected: number | null, what: string, tol = 1e-9): void {
  if (expected === null) {
    assert.ok(Number.isNaN(actual), `${what}: expected NaN, got ${actual}`);
    return;
  }
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: expected ${expected}, got ${actual}`);
}

/** Rows indexed by a key built from the metric, chosen params and the group label. */
export function indexRows(
  rows: readonly ResultRow[],
  key: (row: ResultRow) => string,
): Map<string, ResultRow> {
  const out = new Map<string, ResultRow>();
  for (const row of rows) {
    const k = `${key(row)}|${groupLabel(row.group)}`;
    assert.ok(!out.has(k), `duplicate row ${k}`);
    out.set(k, row);
  }
  return out;
}
