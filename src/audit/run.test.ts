import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { stringify as toYaml } from 'yaml';
import type { ManifestItem } from '../core/types.js';
import { writeManifest } from '../data/manifest.js';
import { runAudit } from './run.js';
import { parseAuditSpec } from './spec.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'test', 'fixtures', 'models');

const COLOURS: Record<string, [number, number, number]> = {
  red: [220, 30, 30],
  green: [30, 200, 40],
  blue: [30, 40, 220],
};

/** 36 small images: 3 colour classes x 2 groups (tone a/b) x 6 subjects; one corrupt file. */
async function makeDataset(dir: string): Promise<ManifestItem[]> {
  const items: ManifestItem[] = [];
  let k = 0;
  for (const [label, rgb] of Object.entries(COLOURS)) {
    for (const tone of ['a', 'b']) {
      for (let s = 0; s < 6; s++, k++) {
        const file = `img${k}.png`;
        const shade = tone === 'a' ? 0 : 25;
        const pixels = Buffer.alloc(24 * 24 * 3);
        for (let p = 0; p < 24 * 24; p++) {
          const noise = ((p * 7 + k * 13) % 17) - 8;
          for (let c = 0; c < 3; c++)
            pixels[p * 3 + c] = Math.max(0, Math.min(255, (rgb[c] as number) - shade + noise));
        }
        await sharp(pixels, { raw: { width: 24, height: 24, channels: 3 } })
          .png()
          .toFile(join(dir, file));
        items.push({
          id: `i${k}`,
          source: file,
          labels: [label],
          attrs: { tone, gender: s % 2 === 0 ? 'x' : 'y', split: s < 4 ? 'train' : 'test' },
          cluster: `subject-${label}-${tone}-${Math.floor(s / 2)}`,
        });
      }
    }
  }
  await writeFile(join(dir, 'broken.png'), 'not an image');
  items.push({
    id: 'broken',
    source: 'broken.png',
    labels: ['red'],
    attrs: { tone: 'a', gender: 'x', split: 'test' },
  });
  return items;
}

test('an audit runs every indicator and robustness test end to end, records failed images, and reuses finished results', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fairscope-audit-'));
  try {
    const items = await makeDataset(dir);
    await writeManifest(join(dir, 'data.jsonl'), items);
    await writeFile(
      join(dir, 'taxonomy.json'),
      JSON.stringify({
        name: 'colours',
        associations: { Human: ['red'], 'Non-Human': ['blue'], Crime: ['green'] },
        harmful: { types: ['Non-Human', 'Crime'] },
      }),
    );
    const raw = {
      name: 'test audit',
      seed: 3,
      bootstrap: { resamples: 100, minGroupSize: 5 },
      datasets: {
        all: { manifest: 'data.jsonl' },
        train: { from: 'all', where: { split: 'train' } },
        test: { from: 'all', where: { split: 'test' } },
        testA: { from: 'all', where: { split: 'test', tone: 'a' } },
      },
      models: { tiny: { model: join(fixtures, 'tiny-resnet.yaml'), batch: 8 } },
      probes: { colour: { train: 'train', labelFrom: 'labels' } },
      indicators: {
        'label-association': [
          {
            dataset: 'test',
            classifier: 'probe:colour',
            taxonomy: 'taxonomy.json',
            groups: ['tone', ['tone', 'gender']],
          },
        ],
        geographic: [{ dataset: 'test', classifier: 'probe:colour', groups: ['tone'] }],
        retrieval: [{ queries: 'test', database: 'train', attribute: 'tone', k: [1, 5], groups: ['tone'] }],
      },
      curation: [{ dataset: 'test', model: 'tiny', budget: 6, strategy: 'balanced', balance: ['tone'] }],
      robustness: {
        styleShift: [
          { inDistribution: 'train', shifted: ['testA'], classifier: 'probe:colour', groups: ['tone'] },
        ],
        corruptions: [
          {
            dataset: 'test',
            classifier: 'probe:colour',
            corruptions: ['contrast'],
            severities: [1, 5],
            groups: ['tone'],
          },
        ],
      },
    };
    const specPath = join(dir, 'audit.yaml');
    await writeFile(specPath, toYaml(raw));
    const spec = parseAuditSpec(raw, specPath);
    const logs: string[] = [];
    const out = join(dir, 'out');
    const first = await runAudit(spec, { outDir: out, specDir: dir, log: (l) => logs.push(l) });
    assert.equal(first.reused, false);
    const { rows } = first.results;
    const indicators = new Set(rows.map((r) => r.indicator));
    for (const name of ['label-association', 'geographic', 'retrieval', 'robustness'])
      assert.ok(indicators.has(name), `no ${name} rows`);

    // The corrupt image is recorded once per dataset it was embedded in, and never scored.
    assert.ok(first.results.failures.some((f) => f.id === 'broken' && /decode|image/i.test(f.reason)));
    const overallHits = rows.filter(
      (r) =>
        r.indicator === 'label-association' && r.metric === 'hit_rate' && Object.keys(r.group).length === 0,
    );
    assert.ok(overallHits.length > 0);
    // 12 test images decode (the broken one is excluded), by hand: 3 colours x 2 tones x 2 subjects.
    for (const r of overallHits) assert.equal(r.n, 12, `${JSON.stringify(r.params)} n`);
    const toneA = rows.find(
      (r) =>
        r.indicator === 'label-association' &&
        r.metric === 'hit_rate' &&
        r.group.tone === 'a' &&
        Object.keys(r.group).length === 1,
    );
    assert.equal(toneA?.n, 6);
    for (const r of rows.filter(
      (x) => x.metric === 'hit_rate' || x.metric === 'precision_at_k' || x.metric === 'top1',
    )) {
      if (!Number.isFinite(r.value)) continue;
      const hi = r.metric === 'precision_at_k' || r.metric === 'top1' ? 1 : 100;
      assert.ok(r.value >= 0 && r.value <= hi, `${r.metric} ${r.value}`);
      if (Number.isFinite(r.ci[0]))
        assert.ok(r.ci[0] <= r.value + 1e-9 && r.value <= r.ci[1] + 1e-9, `${r.metric} ci ${r.ci}`);
    }
    // Balanced curation of 6 of the 12 decodable test images: 3 per tone, so each share is exactly 0.5.
    const shares = rows.filter(
      (r) => r.indicator === 'curation' && r.metric === 'share' && r.params.stage === 'after',
    );
    assert.deepEqual(shares.map((r) => [r.group.tone, r.value]).sort(), [
      ['a', 0.5],
      ['b', 0.5],
    ]);
    const corruptionRows = rows.filter(
      (r) => r.indicator === 'robustness' && r.params.corruption === 'contrast',
    );
    assert.ok(corruptionRows.length > 0, 'no corruption rows');

    // A second run with the same spec recomputes nothing and returns the same rows.
    const again = await runAudit(spec, { outDir: out, specDir: dir, log: () => {} });
    assert.equal(again.reused, true);
    assert.equal(
      JSON.stringify(again.results.rows.map((r) => r.value)),
      JSON.stringify(rows.map((r) => r.value)),
    );
    const html = await readFile(join(out, 'report.html'), 'utf8');
    assert.match(html, /<svg/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
