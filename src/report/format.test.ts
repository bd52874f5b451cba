import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  attributeSetLabel,
  decimalsFor,
  escapeHtml,
  formatCount,
  formatInterval,
  formatNumber,
  formatPlusMinus,
  groupLabel,
  paramsLabel,
} from './format.js';
import { textWidth } from './text-width.js';

test('numbers: fixed decimals, n/a for NaN, no negative zero', () => {
  assert.equal(formatNumber(0.12345, 3), '0.123');
  assert.equal(formatNumber(Number.NaN, 3), 'n/a');
  assert.equal(formatNumber(-0.0001, 3), '0.000');
  assert.equal(formatNumber(-0.012, 2), '-0.01');
  assert.equal(formatCount(50889), '50,889');
  assert.equal(formatCount(999), '999');
});

test('decimals follow the magnitude of the whole table', () => {
  assert.equal(decimalsFor([0.5, 0.02, Number.NaN]), 3);
  assert.equal(decimalsFor([94.9, 3]), 1);
  assert.equal(decimalsFor([12.5]), 2);
  assert.equal(decimalsFor([1234]), 0);
});

test('intervals: brackets, and ± only when symmetric at the shown precision', () => {
  assert.equal(formatInterval([0.1, 0.25], 2), '[0.10, 0.25]');
  assert.equal(formatInterval([Number.NaN, 0.2], 2), '[n/a]');
  // 0.5 - 0.45 = 0.05 and 0.55 - 0.5 = 0.05
  assert.equal(formatPlusMinus(0.5, [0.45, 0.55], 3), '±0.050');
  // up 0.6 - 0.5 = 0.1, down 0.5 - 0.45 = 0.05
  assert.equal(formatPlusMinus(0.5, [0.45, 0.6], 2), '+0.10/−0.05');
  assert.equal(formatPlusMinus(0.5, [Number.NaN, 0.6], 2), '');
});

test('groups and params as text', () => {
  assert.equal(groupLabel({}), 'overall');
  assert.equal(groupLabel({ gender: 'female', skintone: 'darker' }), 'female × darker');
  assert.equal(attributeSetLabel({ gender: 'female', skintone: 'darker' }), 'gender × skintone');
  assert.equal(paramsLabel({ tau: 0.1, association: 'harmful' }, ['association']), 'tau=0.1');
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
});

test('text width: per-character em widths times the font size, bold 7% wider', () => {
  // 'ab' = (0.613 + 0.635) em at 10 px
  assert.ok(Math.abs(textWidth({ fontSize: 10 }, 'ab') - 12.48) < 1e-9);
  // '10' = 2 digits of 0.636 em at the default 11 px, bold
  assert.ok(Math.abs(textWidth({ fontWeight: 'bold' }, '10') - 2 * 0.636 * 11 * 1.07) < 1e-9);
});
