/**
 * Test helpers: load a golden fixture written by tools/indicators_reference.py and compare rows.
 * (Used by the *.test.ts files only.)
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Group, ResultRow } from '../core/types.js';
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

/**
 * Compares an unrounded value with vissl's value rounded to `decimals` (its `round(x, decimals)`):
 * the unrounded value must lie within half a unit of the last decimal, plus `slack` for inputs vissl
 * rounded before computing (e.g. confidences it stores to 5 decimals). null = NaN.
 */
export function assertRounded(
  actual: number,
  expected: number | null,
  decimals: number,
  what: string,
  slack = 0,
): void {
  assertClose(
    actual,
    expected,
    `${what} (vissl rounds to ${decimals} decimals)`,
    0.5 * 10 ** -decimals + slack + 1e-12,
  );
}

/**
 * The fairscope group of one of vissl's attribute values: `overall` is the whole population, and
 * vissl's `gender_skintone` attribute ("n/a_lighter") is the gender × skintone intersection.
 */
export function visslGroup(attribute: string, value: string): Group {
  if (attribute === 'overall') return {};
  if (attribute !== 'gender_skintone') return { [attribute]: value };
  const cut = value.lastIndexOf('_');
  return { gender: value.slice(0, cut), skintone: value.slice(cut + 1) };
}
