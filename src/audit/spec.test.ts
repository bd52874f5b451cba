import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../core/errors.js';
import { parseAuditSpec } from './spec.js';

const minimal = {
  datasets: { people: { manifest: 'people.jsonl' }, test: { from: 'people', where: { style: 'openmoji' } } },
  models: { m: { model: 'nsfwjs-mobilenetv2' } },
  probes: { p: { train: 'people' } },
  indicators: {
    'label-association': [
      { dataset: 'test', classifier: 'probe:p', taxonomy: 'emoji-demo', groups: ['skintone'] },
    ],
  },
};

test('a minimal spec gets the protocol defaults and absolute paths', () => {
  const spec = parseAuditSpec(structuredClone(minimal), '/specs/audit.yaml');
  assert.equal(spec.datasets.people?.manifest, '/specs/people.jsonl');
  assert.deepEqual(spec.indicators['label-association'][0]?.thresholds, [0, 0.1, 0.3, 0.8]);
  assert.equal(spec.bootstrap.resamples, 1000);
  assert.equal(spec.models.m?.model, 'nsfwjs-mobilenetv2');
});

test('a wrong type names the key path and what was expected', () => {
  const bad = structuredClone(minimal) as Record<string, unknown>;
  (bad.models as Record<string, unknown>).m = { model: 3 };
  assert.throws(
    () => parseAuditSpec(bad, 'a.yaml'),
    (err: unknown) =>
      err instanceof UsageError &&
      /a\.yaml: invalid audit spec:\n {2}models\.m\.model: Expected string, received number/.test(
        err.message,
      ),
  );
});

test('an unknown key is rejected with its path', () => {
  const bad = { ...structuredClone(minimal), indicator: {} };
  assert.throws(() => parseAuditSpec(bad, 'a.yaml'), /Unrecognized key\(s\) in object: 'indicator'/);
});

test('references to missing datasets and probes are errors listing what exists', () => {
  const bad = structuredClone(minimal);
  bad.indicators['label-association'][0] = {
    ...bad.indicators['label-association'][0],
    dataset: 'nope',
    classifier: 'probe:q',
  } as never;
  assert.throws(
    () => parseAuditSpec(bad, 'a.yaml'),
    (err: unknown) =>
      err instanceof UsageError &&
      err.message.includes(
        'indicators.label-association.0.dataset: no dataset "nope" (datasets: people, test)',
      ) &&
      err.message.includes('indicators.label-association.0.classifier: no probe "q" (probes: p)'),
  );
});

test('a dataset needs exactly one of manifest, import, from', () => {
  const bad = structuredClone(minimal) as Record<string, unknown>;
  (bad.datasets as Record<string, unknown>).people = { manifest: 'a.jsonl', from: 'test' };
  assert.throws(
    () => parseAuditSpec(bad, 'a.yaml'),
    /datasets\.people: give exactly one of "manifest", "import" or "from"/,
  );
});
