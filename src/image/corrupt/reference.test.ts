/**
 * The deterministic corruptions against tools/corruptions_reference.py (numpy/scipy/PIL versions of
 * the reference functions at their 224-px parameters, i.e. scale 1 here), on a 16 x 16 image.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { corruptImage } from './index.js';

interface Reference {
  size: number;
  severities: number[];
  outputs: Record<string, Record<string, number[]>>;
}

const reference = JSON.parse(
  readFileSync(
    new URL('../../../test/fixtures/robustness/corruptions-reference.json', import.meta.url),
    'utf8',
  ),
) as Reference;

function referenceInput(size: number) {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 3;
      data[i] = (x * 13 + y * 7) % 256;
      data[i + 1] = (x * 5 + y * 11 + 40) % 256;
      data[i + 2] = (((x - 8) ** 2 + (y - 6) ** 2) * 3) % 256;
    }
  }
  return { data, width: size, height: size };
}

/**
 * Tolerances on the 0..255 scale. Exact float formulas agree to rounding. defocus_blur: the
 * reference blurs its kernel inside a fixed 17 x 17 (or 21 x 21) array, folding back the little
 * mass that crosses the array's edge (up to 2 levels here, where the kernel is wider than the
 * image); fairscope lets it spread, and matches the reference computed that way
 * (defocus_blur_unfolded) exactly. pixelate: PIL rounds fixed-point weights.
 */
const TOLERANCE: Record<string, number> = {
  gaussian_blur: 1e-3,
  defocus_blur: 2.5,
  defocus_blur_unfolded: 1e-3,
  zoom_blur: 1e-3,
  contrast: 1e-3,
  brightness: 1e-3,
  saturate: 1e-3,
  pixelate: 1,
};

describe('deterministic corruptions match the reference at 224-px parameters', () => {
  const input = referenceInput(reference.size);
  for (const [name, bySeverity] of Object.entries(reference.outputs)) {
    for (const severity of reference.severities) {
      it(`${name} severity ${severity}`, async () => {
        const expected = bySeverity[String(severity)] as number[];
        const corruption = name === 'defocus_blur_unfolded' ? 'defocus_blur' : name;
        const out = await corruptImage(input, corruption, severity, { seed: 0, scale: 1 });
        assert.equal(out.data.length, expected.length);
        let worst = 0;
        let at = -1;
        for (let i = 0; i < expected.length; i++) {
          const d = Math.abs((out.data[i] as number) - (expected[i] as number));
          if (d > worst) {
            worst = d;
            at = i;
          }
        }
        const tolerance = TOLERANCE[name] as number;
        assert.ok(
          worst <= tolerance,
          `${name} ${severity}: max |diff| ${worst} at value ${at} > ${tolerance}`,
        );
      });
    }
  }
});
