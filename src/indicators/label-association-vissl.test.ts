/**
 * Indicator 1 against vissl's own metric function, get_per_attribute_predictions_freq, run by
 * tools/vissl_reference.py on its loaders' output (Casual Conversations and MIAP, τ = 0, 0.1, 0.3,
 * 0.8): every value vissl computes is compared with fairscope's row. fairscope does not round
 * (label-association.not-rounded), so values are compared after vissl's rounding; where vissl
 * computes from scores it rounded to 5 decimals (confidence means), that rounding is allowed for too.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Group, ManifestItem, ResultRow } from '../core/types.js';
import { parseGroupings } from '../stats/groups.js';
import { groupLabel } from '../stats/metric-frame.js';
import { labelAssociation } from './label-association.js';
import { labelNamesOf } from './label-association-stage.js';
import { loadTaxonomy } from './node/taxonomy-file.js';
import { rankPredictions } from './predictions.js';
import { assertClose, assertRounded, loadFixture, visslGroup } from './testing.js';

type ByValue<T> = Record<string, Record<string, T>>;
interface AtTau {
  tau: number;
  hitRate: ByValue<Record<string, number>>;
  groupSize: ByValue<number>;
  predictionCounts: ByValue<Record<string, number>>;
  predictionRateDifference: ByValue<Record<string, number | null>>;
  meanTop1Confidence: Record<string, number>;
  associatedLabelConfidence: ByValue<Record<string, number | []>>;
  disparate: ByValue<Record<string, number>>;
}
interface Fixture {
  labelAssociationMap: Record<string, string[]>;
  disparateLabels: string[];
  disparateThreshold: number;
  attributes: string[];
  inputs: {
    classes: string[];
    classToLabelNameMap: Record<string, string[]>;
    items: ManifestItem[];
    logits: number[][];
    predictions: number[][];
  };
  byTau: AtTau[];
}

/** vissl's association keys and fairscope's type names. */
const TYPE_NAMES: Record<string, string> = {
  human: 'Human',
  possibly_human: 'Possibly-Human',
  'non-human': 'Non-Human',
  possibly_non_human: 'Possibly-Non-Human',
  crime: 'Crime',
};

for (const [name, file, taxonomyName, groups] of [
  [
    'Casual Conversations',
    'vissl-label-association-cc.json',
    'casual-conversations',
    'gender,age,skintone,gender*skintone',
  ],
  ['MIAP', 'vissl-label-association-miap.json', 'miap', 'gender,age'],
] as const) {
  const fx = loadFixture<Fixture>(file);
  const { classes, items } = fx.inputs;
  const logits = Float32Array.from(fx.inputs.logits.flat());

  test(`${name}: the built-in taxonomy is vissl's IN22K_SUBSET_LABEL_ASSOCIATION_MAP`, async () => {
    const tax = await loadTaxonomy(taxonomyName);
    const ours = Object.fromEntries(
      tax.associations.filter((a) => a.labels.length > 0).map((a) => [a.name, [...a.labels].sort()]),
    );
    const theirs = Object.fromEntries(
      Object.entries(fx.labelAssociationMap).map(([k, v]) => [TYPE_NAMES[k] ?? k, [...v].sort()]),
    );
    assert.deepEqual(ours, theirs);
    assert.deepEqual(tax.disparateLabels, fx.disparateLabels);
    assert.equal(tax.disparateThreshold, fx.disparateThreshold);
  });

  test(`${name}: fairscope ranks the logits as the predictions fed to vissl (top-10, ties by index)`, () => {
    const ranked = rankPredictions(logits, items.length, classes.length, 10);
    assert.deepEqual(
      Array.from({ length: items.length }, (_, i) =>
        Array.from(ranked.classes.subarray(i * 10, (i + 1) * 10)),
      ),
      fx.inputs.predictions,
    );
  });

  test(`${name}: every value of get_per_attribute_predictions_freq equals fairscope's rows`, async () => {
    const taxonomy = await loadTaxonomy(taxonomyName);
    const labelNames = labelNamesOf({ map: fx.inputs.classToLabelNameMap, file: 'name-map.json' }, classes);
    const rows = labelAssociation(items, logits, {
      model: 'fixture-model',
      taxonomy,
      classes,
      labelNames,
      thresholds: fx.byTau.map((t) => t.tau),
      groupings: parseGroupings(groups, items),
      perClass: { classes },
      comparisons: 'none',
      bootstrap: { seed: 0, resamples: 0 },
    });
    const index = new Map<string, ResultRow>();
    for (const r of rows.filter((x) => x.kind === 'value')) {
      const p = r.params;
      index.set(
        `${r.metric}|${p.tau}|${p.association ?? p.class ?? p.label ?? ''}|${groupLabel(r.group)}`,
        r,
      );
    }
    const get = (metric: string, tau: number, param: string, group: Group) => {
      const row = index.get(`${metric}|${tau}|${param}|${groupLabel(group)}`);
      assert.ok(row, `no row ${metric} τ=${tau} ${param} ${groupLabel(group)}`);
      return row;
    };
    let compared = 0;
    for (const at of fx.byTau) {
      const { tau } = at;
      for (const attribute of fx.attributes) {
        for (const [value, hits] of Object.entries(at.hitRate[attribute] ?? {})) {
          const group = visslGroup(attribute, value);
          const what = `τ=${tau} ${attribute}=${value}`;
          // Hit rates, in percent, rounded by vissl to 3 decimals; fairscope reports the groups vissl's
          // printer drops (n/a, unknown) too, so all of them are compared.
          for (const [assoc, v] of Object.entries(hits)) {
            if (assoc === 'total') continue;
            const row = get('hit_rate', tau, TYPE_NAMES[assoc] as string, group);
            assertRounded(row.value, v, 3, `hit_rate ${assoc} ${what}`);
            assert.equal(row.n, hits.total, `n ${what}`);
            compared++;
          }
          // Disparate-label statistics: fractions rounded to 5 decimals.
          const d = at.disparate[attribute]?.[value] as Record<string, number>;
          for (const label of fx.disparateLabels) {
            assertRounded(
              get('disparate_label_rate', tau, label, group).value,
              d[label] as number,
              5,
              `${label} ${what}`,
            );
          }
          const top1 = get('top1_above_disparate_threshold_rate', tau, '', group);
          assertRounded(
            top1.value,
            d.above_disparate_threshold_images as number,
            5,
            `top-1 ≥ threshold ${what}`,
          );
          // Mean top-1 confidence: vissl averages the 5-decimal scores and rounds to 4 (and keeps no
          // n/a or unknown group; a group without prediction has no mean).
          const mean = get('mean_top1_confidence', tau, '', group);
          const theirs = at.meanTop1Confidence[value];
          if (theirs !== undefined) assertRounded(mean.value, theirs, 4, `mean top-1 ${what}`, 5e-6);
          else if (!/n\/a|unknown/.test(value)) assert.ok(Number.isNaN(mean.value), `mean top-1 ${what}`);
          // Confidence of each associated label where it is predicted ([] = never: NaN here).
          for (const [label, c] of Object.entries(at.associatedLabelConfidence[attribute]?.[value] ?? {})) {
            const row = get('associated_label_confidence', tau, label, group);
            assertRounded(row.value, Array.isArray(c) ? null : c, 5, `confidence of ${label} ${what}`, 5e-6);
            compared++;
          }
          // Per-class prediction rates, from vissl's counts, and their signed disparity, which vissl
          // computes from rates it rounded to 3 decimals: |error| ≤ 5e-4 · 2.
          const counts = at.predictionCounts[attribute]?.[value] as Record<string, number>;
          const total = Object.values(counts).reduce((a, b) => a + b, 0);
          for (const cls of classes) {
            const rate = get('prediction_rate', tau, cls, group);
            assertClose(
              rate.value,
              total > 0 ? (100 * (counts[cls] as number)) / total : null,
              `rate ${cls} ${what}`,
            );
            const diff = at.predictionRateDifference[attribute]?.[value]?.[cls] ?? null;
            const ours = get('prediction_rate_disparity', tau, cls, group);
            assertClose(ours.value, diff, `disparity ${cls} ${what}`, 1e-3 + 1e-9);
            compared++;
          }
        }
      }
    }
    assert.ok(compared > 1000, `${compared} values compared`);
  });
}
