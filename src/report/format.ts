/**
 * Text formatting shared by the HTML report, the Markdown summary, the model card and `compare`.
 * Values are shown as stored in results.json (no unit conversion); the number of decimals is chosen
 * once per table so that a column never mixes precisions.
 */
import type { AttrValue, Group } from '../core/types.js';

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/** 'overall' for {}, else the values joined: 'female × darker'. */
export function groupLabel(group: Group): string {
  const values = Object.values(group);
  return values.length === 0 ? 'overall' : values.map(String).join(' × ');
}

/** 'overall' for {}, else the attribute names joined: 'gender × skintone'. */
export function attributeSetLabel(group: Group): string {
  const keys = Object.keys(group);
  return keys.length === 0 ? 'overall' : keys.join(' × ');
}

/** 'gender=female, skintone=darker'; 'overall' for {}. */
export function groupAssignment(group: Group): string {
  const entries = Object.entries(group);
  return entries.length === 0 ? 'overall' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

/** Protocol parameters as 'tau=0.1, association=Human', leaving out `omit`; '' when none are left. */
export function paramsLabel(params: Record<string, AttrValue>, omit: readonly string[] = []): string {
  return Object.entries(params)
    .filter(([k]) => !omit.includes(k))
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
}

/**
 * Decimals for a set of values: 3 for proportions and other values up to 2 in magnitude, then 2, 1
 * and 0 as the magnitude grows (a percentage like 94.9 gets 1 decimal).
 */
export function decimalsFor(values: readonly number[]): number {
  let max = 0;
  for (const v of values) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  if (max <= 2) return 3;
  if (max <= 20) return 2;
  if (max <= 200) return 1;
  return 0;
}

/** Fixed decimals; 'n/a' for NaN; never '-0.000'. */
export function formatNumber(v: number, decimals: number): string {
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'n/a' : v > 0 ? '∞' : '-∞';
  const s = v.toFixed(decimals);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** '[0.121, 0.343]'; '[n/a]' when either bound is undefined. */
export function formatInterval(ci: readonly [number, number], decimals: number): string {
  if (!Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return '[n/a]';
  return `[${formatNumber(ci[0], decimals)}, ${formatNumber(ci[1], decimals)}]`;
}

/**
 * The interval as distances from the value: '±0.022' when symmetric at the shown precision,
 * else '+0.019/−0.028'; '' when the interval is undefined.
 */
export function formatPlusMinus(value: number, ci: readonly [number, number], decimals: number): string {
  if (!Number.isFinite(value) || !Number.isFinite(ci[0]) || !Number.isFinite(ci[1])) return '';
  const up = formatNumber(ci[1] - value, decimals);
  const down = formatNumber(value - ci[0], decimals);
  return up === down ? `±${up}` : `+${up}/−${down}`;
}

/** Whole numbers with thousands separators: 50889 -> '50,889'. */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** '+0.123' / '-0.045': the sign always shown (ASCII, like the intervals beside it); '0.000' for 0. */
export function formatSigned(v: number, decimals: number): string {
  const s = formatNumber(v, decimals);
  if (!Number.isFinite(v) || /^0\.?0*$/.test(s)) return s;
  return v > 0 ? `+${s}` : s;
}

/** p-values: '<0.001', else 3 decimals. */
export function formatP(p: number): string {
  if (!Number.isFinite(p)) return 'n/a';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}
