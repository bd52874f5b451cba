import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../core/rng.js';
import { canny } from './canny.js';
import { scaledDefocusKernel } from './defocus.js';
import { distanceTransform } from './distance.js';
import { hsvToRgbInPlace, rgbToHsvInPlace } from './hsv.js';
import { gaussianKernel } from './kernels.js';
import { motionBlurFilter } from './motion.js';
import { gaussianNoise, impulseNoise, shotNoise } from './noise.js';
import { boxResize8 } from './pixelate.js';
import { plasmaFractal } from './plasma.js';
import { poisson, poissonCdf } from './poisson.js';
import { itemSeed } from './seed.js';
import { applyTapsX, borderIndex, convolutionTaps } from './taps.js';
import { clippedZoom } from './zoom.js';

describe('borders', () => {
  it('maps indices as scipy nearest / reflect / mirror', () => {
    // n = 4: a b c d
    assert.deepEqual(
      [-3, -2, -1, 4, 5, 6].map((i) => borderIndex(i, 4, 'nearest')),
      [0, 0, 0, 3, 3, 3],
    );
    // reflect: c b a | a b c d | d c b
    assert.deepEqual(
      [-3, -2, -1, 4, 5, 6].map((i) => borderIndex(i, 4, 'reflect')),
      [2, 1, 0, 3, 2, 1],
    );
    // mirror: d c b | a b c d | c b a
    assert.deepEqual(
      [-3, -2, -1, 4, 5, 6].map((i) => borderIndex(i, 4, 'mirror')),
      [3, 2, 1, 2, 1, 0],
    );
    // several reflections: mirror has period 2n - 2 = 6
    assert.equal(borderIndex(-7, 4, 'mirror'), borderIndex(-1, 4, 'mirror'));
    assert.equal(borderIndex(11, 4, 'reflect'), borderIndex(3, 4, 'reflect'));
  });

  it('folds a kernel longer than the line into the same result as a direct loop', () => {
    const n = 5;
    const line = Float32Array.from([3, -1, 4, 1, 5]);
    const kernel = gaussianKernel(3, 4); // 25 taps on 5 pixels
    const r = (kernel.length - 1) / 2;
    const got = applyTapsX(line, 1, 1, convolutionTaps(n, kernel, 'reflect'));
    for (let i = 0; i < n; i++) {
      let expected = 0;
      for (let t = 0; t < kernel.length; t++)
        expected += (kernel[t] as number) * (line[borderIndex(i + t - r, n, 'reflect')] as number);
      assert.ok(Math.abs((got[i] as number) - expected) < 1e-5, `${i}: ${got[i]} vs ${expected}`);
    }
  });
});

describe('kernels', () => {
  it('builds scipy gaussian kernels (radius floor(4 sigma + 0.5))', () => {
    const k = gaussianKernel(1);
    assert.equal(k.length, 9);
    // weights e^{-x²/2} / Σ: centre 1 / (1 + 2(e^-0.5 + e^-2 + e^-4.5 + e^-8))
    const total = 1 + 2 * (Math.exp(-0.5) + Math.exp(-2) + Math.exp(-4.5) + Math.exp(-8));
    assert.ok(Math.abs((k[4] as number) - 1 / total) < 1e-12);
  });

  it('area-averages the defocus kernel below 224 px and keeps it at scale 1', () => {
    const coarse = scaledDefocusKernel(3, 0.1, 0.25);
    let sum = 0;
    for (const w of coarse.weights) sum += w;
    assert.ok(Math.abs(sum - 1) < 1e-12);
    // radius 3 at a quarter scale: the disk spans under two coarse pixels, so the centre dominates
    // but the neighbours are not empty (a lattice disk of radius 0.75 would be the centre alone)
    const side = 2 * coarse.reach + 1;
    const centre = coarse.weights[coarse.reach * side + coarse.reach] as number;
    const right = coarse.weights[coarse.reach * side + coarse.reach + 1] as number;
    assert.ok(centre > right && right > 0.05, `centre ${centre}, neighbour ${right}`);
    // scale 1: the aliased disk of radius 3 has 29 lattice points; with sigma 0.1 the blur is nil
    const full = scaledDefocusKernel(3, 0.1, 1);
    const fullSide = 2 * full.reach + 1;
    assert.ok(Math.abs((full.weights[full.reach * fullSide + full.reach] as number) - 1 / 29) < 1e-9);
  });
});

describe('distance transform', () => {
  it('equals the brute-force nearest-source distance', () => {
    const w = 13;
    const h = 9;
    const rng = new Rng(5);
    const src = Uint8Array.from({ length: w * h }, () => (rng.next() < 0.08 ? 1 : 0));
    src[0] = 1;
    const d = distanceTransform(src, w, h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let best = Number.POSITIVE_INFINITY;
        for (let j = 0; j < h; j++)
          for (let i = 0; i < w; i++) if (src[j * w + i]) best = Math.min(best, Math.hypot(i - x, j - y));
        assert.ok(Math.abs((d[y * w + x] as number) - best) < 1e-9, `(${x}, ${y})`);
      }
    }
    assert.equal(distanceTransform(new Uint8Array(4), 2, 2)[0], Number.POSITIVE_INFINITY);
  });
});

describe('poisson', () => {
  it('has mean and variance lambda', () => {
    const rng = new Rng(1);
    for (const lambda of [0.3, 5, 42]) {
      const n = 20000;
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < n; i++) {
        const k = poisson(rng, lambda);
        s += k;
        s2 += k * k;
      }
      const mean = s / n;
      const variance = s2 / n - mean * mean;
      // 5 standard errors of the mean; variance within 10%
      assert.ok(Math.abs(mean - lambda) < 5 * Math.sqrt(lambda / n), `mean ${mean} for ${lambda}`);
      assert.ok(Math.abs(variance / lambda - 1) < 0.1, `variance ${variance} for ${lambda}`);
    }
    assert.equal(poisson(rng, 0), 0);
  });
});

describe('hsv', () => {
  it('converts as skimage', () => {
    // (0.2, 0.4, 0.8): v = 0.8, s = 0.6/0.8 = 0.75, blue max: h = (4 + (0.2 - 0.4)/0.6)/6 = 11/18
    const x = Float64Array.from([0.2, 0.4, 0.8, 0.5, 0.5, 0.5, 0, 0, 0, 1, 0, 0.5]);
    rgbToHsvInPlace(x);
    const expected = [11 / 18, 0.75, 0.8, 0, 0, 0.5, 0, 0, 0, (((-0.5 / 6) % 1) + 1) % 1, 1, 1];
    for (const [i, v] of expected.entries())
      assert.ok(Math.abs((x[i] as number) - v) < 1e-12, `${i}: ${x[i]} vs ${v}`);
    hsvToRgbInPlace(x);
    for (const [i, v] of [0.2, 0.4, 0.8, 0.5, 0.5, 0.5, 0, 0, 0, 1, 0, 0.5].entries()) {
      assert.ok(Math.abs((x[i] as number) - v) < 1e-12);
    }
  });
});

describe('edges, blur, zoom, box', () => {
  it('canny finds a vertical step and nothing in flat areas', () => {
    const w = 10;
    const h = 6;
    const src = Uint8Array.from({ length: w * h }, (_, i) => (i % w < 5 ? 0 : 200));
    const edges = canny(src, w, h, 50, 150);
    for (let y = 0; y < h; y++) {
      const row = [...edges.subarray(y * w, (y + 1) * w)].map((v) => (v ? 1 : 0));
      // gradient peaks between columns 4 and 5; ties go to the first (v > left, v ≥ right)
      assert.deepEqual(row, [0, 0, 0, 0, 1, 0, 0, 0, 0, 0], `row ${y}`);
    }
  });

  it('motion blur keeps a constant image constant and smears a dot along the angle', () => {
    const flat = new Float32Array(12 * 12).fill(100);
    for (const v of motionBlurFilter(flat, 12, 12, 1, 3, 1, 30)) assert.ok(Math.abs(v - 100) < 1e-4);
    const dot = new Float32Array(15 * 15);
    dot[7 * 15 + 7] = 1;
    const smear = motionBlurFilter(dot, 15, 15, 1, 3, 2, 0);
    // angle 0: output x reads input x + i, so the dot spreads to x = 7 - i (i = 0..6) on row 7
    for (let i = 0; i <= 6; i++) assert.ok((smear[7 * 15 + 7 - i] as number) > 0, `tap ${i}`);
    assert.equal(smear[7 * 15 + 8], 0);
    assert.equal(smear[6 * 15 + 7], 0);
  });

  it('zoom by 1 is the identity', () => {
    const rng = new Rng(3);
    const img = Float32Array.from({ length: 10 * 7 * 3 }, () => rng.next() * 255);
    const z = clippedZoom(img, 10, 7, 3, 1);
    for (const [i, v] of z.entries()) assert.ok(Math.abs(v - (img[i] as number)) < 1e-4);
  });

  it('box-resizes 4 -> 2 by averaging pairs (PIL BOX), rounding each pass', () => {
    // one row, three channels: pixels 10, 21, 30, 41 (all channels equal)
    const row = Float32Array.from([10, 10, 10, 21, 21, 21, 30, 30, 30, 41, 41, 41]);
    const out = boxResize8(row, 4, 1, 2, 1);
    // (10 + 21) / 2 = 15.5 -> 16; (30 + 41) / 2 = 35.5 -> 36
    assert.deepEqual([...out], [16, 16, 16, 36, 36, 36]);
  });
});

describe('seeds', () => {
  it('plasma is in [0, 1], hits both ends, and is seeded', () => {
    const a = plasmaFractal(32, 2, new Rng(1));
    assert.equal(Math.min(...a), 0);
    assert.equal(Math.max(...a), 1);
    assert.deepEqual(a, plasmaFractal(32, 2, new Rng(1)));
    assert.notDeepEqual(a, plasmaFractal(32, 2, new Rng(2)));
  });

  it('item seeds depend on the seed and the id only', () => {
    assert.equal(itemSeed(0, 'a'), itemSeed(0, 'a'));
    assert.notEqual(itemSeed(0, 'a'), itemSeed(1, 'a'));
    assert.notEqual(itemSeed(0, 'a'), itemSeed(0, 'b'));
    assert.ok(Number.isInteger(itemSeed(3, 'x')) && itemSeed(3, 'x') >= 0 && itemSeed(3, 'x') < 2 ** 32);
  });
});

describe('noise statistics', () => {
  const flat = (level: number) => ({
    data: new Float32Array(64 * 64 * 3).fill(level),
    width: 64,
    height: 64,
  });
  const moments = (data: Float32Array) => {
    let s = 0;
    let s2 = 0;
    for (const v of data) {
      s += v / 255;
      s2 += (v / 255) ** 2;
    }
    const mean = s / data.length;
    return { mean, variance: s2 / data.length - mean * mean, n: data.length };
  };

  it('shot noise: Poisson(x c) / c has mean x and variance x / c, tabulated or not', () => {
    // severity 5: c = 3. Level 100 (x = 100/255, tabulated) and 100.5 (not an 8-bit level)
    for (const level of [100, 100.5]) {
      const x = level / 255;
      const { mean, variance, n } = moments(shotNoise(flat(level), 5, new Rng(9)).data);
      // clipping at 1 removes k ≥ 3, which shifts the moments: compare with the clipped law
      const lambda = x * 3;
      const pk = (k: number) => (Math.exp(-lambda) * lambda ** k) / ([1, 1, 2][k] as number);
      const p0 = pk(0);
      const p1 = pk(1);
      const p2 = pk(2);
      const rest = 1 - p0 - p1 - p2;
      const m = (p1 * 1 + p2 * 2 + rest * 3) / 3;
      const m2 = (p1 * 1 + p2 * 4 + rest * 9) / 9;
      const v = m2 - m * m;
      assert.ok(Math.abs(mean - m) < 5 * Math.sqrt(v / n), `level ${level}: mean ${mean} vs ${m}`);
      assert.ok(Math.abs(variance / v - 1) < 0.1, `level ${level}: variance ${variance} vs ${v}`);
    }
    const cdf = poissonCdf(2);
    assert.ok(Math.abs((cdf[0] as number) - Math.exp(-2)) < 1e-15);
    assert.ok(Math.abs((cdf[1] as number) - 3 * Math.exp(-2)) < 1e-15);
    assert.equal(cdf[cdf.length - 1], 1);
  });

  it('gaussian noise has the severity`s standard deviation; impulse noise hits the severity`s fraction', () => {
    // mid-grey, severity 1 (sigma 0.08): clipping at 0 and 1 is 6 sigma away
    const g = moments(gaussianNoise(flat(127.5), 1, new Rng(4)).data);
    assert.ok(Math.abs(g.mean - 0.5) < 5 * (0.08 / Math.sqrt(g.n)));
    assert.ok(Math.abs(Math.sqrt(g.variance) / 0.08 - 1) < 0.03);
    // severity 4: amount 0.17, half salt, half pepper
    const imp = impulseNoise(flat(127.5), 4, new Rng(4)).data;
    let salt = 0;
    let pepper = 0;
    for (const v of imp) {
      if (v === 255) salt++;
      else if (v === 0) pepper++;
    }
    const n = imp.length;
    assert.ok(Math.abs((salt + pepper) / n - 0.17) < 5 * Math.sqrt((0.17 * 0.83) / n));
    assert.ok(Math.abs(salt / (salt + pepper) - 0.5) < 0.05);
  });
});
