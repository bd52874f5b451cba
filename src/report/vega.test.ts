import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactSvg, renderVegaLite } from './vega.js';

test('compactSvg rounds geometry only, sets the font once, drops invisible groups and inner ARIA', () => {
  const svg =
    '<svg class="marks" width="100" height="50">' +
    '<g class="mark-group role-frame" role="graphics-object" aria-roledescription="group mark container">' +
    '<path class="background" aria-hidden="true" d="M0,0h0v0h0Z"/>' +
    '<path class="background" d="M0.5,0.5h99v49h-99Z" stroke="#dde1e6"/>' +
    '<path transform="translate(12.345678,3.14159)" d="M3.391,0A3.391,3.391,0,1,1,-3.391,0" opacity="1"/>' +
    '<text font-family="Arial, sans-serif" transform="translate(1.26,2)">0.125</text>' +
    '<text font-family="Arial, sans-serif">-0.04999</text>' +
    '<path class="foreground" aria-hidden="true" d="" pointer-events="none" display="none"/>' +
    '</g></svg>';
  const out = compactSvg(svg);
  assert.equal(
    out,
    '<svg font-family="Arial, sans-serif" class="marks" width="100" height="50">' +
      '<g class="mark-group role-frame">' +
      '<path class="background" d="M0.5,0.5h99v49h-99Z" stroke="#dde1e6"/>' +
      '<path transform="translate(12.3,3.1)" d="M3.4,0A3.4,3.4,0,1,1,-3.4,0"/>' +
      '<text transform="translate(1.3,2)">0.125</text>' +
      '<text>-0.04999</text>' +
      '</g></svg>',
  );
});

test('a rendered chart is compacted and keeps its marks, title and role', async () => {
  const spec = {
    description: 'test chart',
    data: {
      values: [
        { x: 1 / 3, y: 'a' },
        { x: 2 / 3, y: 'b' },
      ],
    },
    mark: 'point',
    encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'nominal' } },
  } as const;
  const svg = await renderVegaLite(spec);
  assert.match(svg, /^<svg font-family="[^"]+"[^>]* role="img"><title>test chart<\/title>/);
  assert.equal((svg.match(/class="mark-symbol role-mark/g) ?? []).length, 1);
  assert.equal((svg.match(/<path[^>]*transform="translate\(/g) ?? []).length >= 2, true);
  assert.doesNotMatch(svg, /aria-label|\s(?:transform|d|x|y|x2|y2)="[^"]*\d\.\d{2,}/);
});
