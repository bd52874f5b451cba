/**
 * Indicator 3 against vissl's own get_gender_precision_fairness_indicator (apply_l2_norm=True), run by
 * tools/vissl_reference.py after vissl's parse_cc_data and parse_utk_data on these inputs. vissl does
 * not round precision@K, so values are compared to 1e-9. The draw has no near-tie at any K boundary:
 * vissl's ranking is an unstable argsort in float32, fairscope breaks ties by database index (a
 * deliberate departure, protocols.md 9.9) and the two only agree where the order is unambiguous.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ManifestItem } from '../core/types.js';
import { parseGroupings } from '../stats/groups.js';
import { groupLabel } from '../stats/metric-frame.js';
import { retrieval } from './retrieval.js';
import { assertClose, loadFixture, visslGroup } from './testing.js';

interface Fixture {
  inputs: {
    k: number[];
    queries: ManifestItem[];
    queryEmbeddings: number[][];
    database: ManifestItem[];
    databaseEmbeddings: number[][];
  };
  /** precision@K -> { overall, attribute -> value -> precision } */
  precision: Record<string, Record<string, number | Record<string, number>>>;
  counts: Record<string, Record<string, Record<string, number>>>;
}

const fx = loadFixture<Fixture>('vissl-retrieval.json');

test('retrieval precision@K equals vissl’s get_gender_precision_fairness_indicator, every group', async () => {
  const { queries, database } = fx.inputs;
  const dim = fx.inputs.queryEmbeddings[0]?.length as number;
  const out = await retrieval(
    queries,
    Float32Array.from(fx.inputs.queryEmbeddings.flat()),
    database,
    Float32Array.from(fx.inputs.databaseEmbeddings.flat()),
    dim,
    {
      model: 'fixture-model',
      attribute: 'gender',
      ks: fx.inputs.k,
      groupings: parseGroupings('gender,age,skintone,gender*skintone', queries),
      comparisons: 'none',
      bootstrap: { seed: 0, resamples: 0 },
      threads: 1,
    },
  );
  assert.equal(out.tiedQueries, 0);
  let compared = 0;
  for (const k of fx.inputs.k) {
    const theirs = fx.precision[`precision@${k}`] as Fixture['precision'][string];
    const counts = fx.counts[`precision@${k}`] as Fixture['counts'][string];
    for (const [attribute, values] of Object.entries(theirs)) {
      const entries = typeof values === 'number' ? [['', values] as const] : Object.entries(values);
      for (const [value, precision] of entries) {
        const group = visslGroup(attribute, value);
        const row = out.rows.find(
          (r) =>
            r.kind === 'value' &&
            r.metric === 'precision_at_k' &&
            r.params.k === k &&
            groupLabel(r.group) === groupLabel(group),
        );
        assert.ok(row, `no row k=${k} ${attribute}=${value}`);
        assertClose(row.value, precision, `P@${k} ${attribute}=${value}`);
        assert.equal(
          row.n,
          attribute === 'overall' ? queries.length : counts[attribute]?.[value],
          `n ${value}`,
        );
        compared++;
      }
    }
  }
  assert.ok(compared > 60, `${compared} values compared`);
});
