import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { GroupedConv2D } from './grouped-conv.js';
import { BACKBONES, buildBackbone } from './presets.js';
import { regnetY } from './regnet.js';
import { regnetWidths, roundHalfEven } from './regnet-widths.js';
import { resnet } from './resnet.js';

const paramCount = (m: tf.LayersModel) =>
  m.trainableWeights.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);

before(async () => {
  await tf.setBackend('cpu');
});

describe('regnetWidths (ClassyVision rule, protocols.md 7.2)', () => {
  const seer = [
    {
      name: 'RG-128GF',
      p: { w0: 456, wa: 160.83, wm: 2.52, groupWidth: 264, depth: 27 },
      w: [528, 1056, 2904, 7392],
    },
    {
      name: 'RG-256GF',
      p: { w0: 640, wa: 230.83, wm: 2.53, groupWidth: 373, depth: 27 },
      w: [746, 1492, 4103, 10444],
    },
    {
      name: 'RG-10B',
      p: { w0: 1744, wa: 620.83, wm: 2.52, groupWidth: 1010, depth: 27 },
      w: [2020, 4040, 11110, 28280],
    },
  ];
  for (const s of seer) {
    test(`SEER ${s.name}: widths ${s.w.join('/')}, depths 2/7/17/1`, () => {
      const r = regnetWidths(s.p);
      assert.deepEqual(r.widths, s.w);
      assert.deepEqual(r.depths, [2, 7, 17, 1]);
    });
  }
  test('the presets carry the same SEER parameters', () => {
    assert.deepEqual(regnetWidths(BACKBONES['seer-rg128'].options).widths, [528, 1056, 2904, 7392]);
    assert.deepEqual(regnetWidths(BACKBONES['seer-rg256'].options).widths, [746, 1492, 4103, 10444]);
    assert.deepEqual(regnetWidths(BACKBONES['seer-rg10b'].options).widths, [2020, 4040, 11110, 28280]);
  });
  test('hand-worked tiny case: w0=24, wa=24, wm=2, gw=8, depth 4', () => {
    // u = 24, 48, 72, 96; log2(u/24) = 0, 1, 1.585, 2 → s = 0, 1, 2, 2 → w = 24, 48, 96, 96.
    assert.deepEqual(regnetWidths({ w0: 24, wa: 24, wm: 2, groupWidth: 8, depth: 4 }), {
      widths: [24, 48, 96],
      depths: [1, 1, 2],
      groupWidths: [8, 8, 8],
    });
  });
  test('numpy rounding: halves go to even', () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4].map(roundHalfEven), [0, 2, 2, -0, 2]);
  });
  test('bad parameters are named', () => {
    assert.throws(() => regnetWidths({ w0: 24, wa: 24, wm: 1, groupWidth: 8, depth: 4 }), /wm > 1/);
  });
});

describe('GroupedConv2D', () => {
  test('equals a full conv with a block-diagonal kernel (stride 1 and 2)', () => {
    for (const strides of [1, 2]) {
      const layer = new GroupedConv2D({ filters: 6, kernelSize: 3, strides, groups: 3 });
      const x = tf.randomNormal([2, 5, 5, 6], 0, 1, 'float32', 1);
      const y = layer.apply(x) as tf.Tensor;
      const w = layer.getWeights()[0] as tf.Tensor4D; // (3, 3, 2, 6)
      const wv = w.arraySync();
      // Full kernel (3, 3, 6, 6): input channel c of group c/2 feeds outputs of the same group only.
      const full = tf.buffer([3, 3, 6, 6]);
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++)
          for (let c = 0; c < 6; c++)
            for (let o = 0; o < 6; o++)
              if (Math.floor(c / 2) === Math.floor(o / 2))
                full.set(wv[i]?.[j]?.[c % 2]?.[o] as number, i, j, c, o);
      const ref = tf.conv2d(x as tf.Tensor4D, full.toTensor() as tf.Tensor4D, strides, 'same');
      assert.deepEqual(y.shape, ref.shape);
      assert.ok((tf.max(tf.abs(tf.sub(y, ref))).dataSync()[0] as number) < 1e-5);
    }
  });
});

describe('backbones', () => {
  test('resnet-tiny maps (n, 28, 28, 3) to (n, 64) through layer "features"', () => {
    const m = buildBackbone('resnet-tiny', 28);
    const y = m.predict(tf.zeros([2, 28, 28, 3])) as tf.Tensor;
    assert.deepEqual(y.shape, [2, 64]);
    assert.equal(m.outputs[0]?.sourceLayer.name, 'features');
  });
  test('resnet-18 has torchvision ResNet-18 parameter count (11,176,512 without fc)', () => {
    // torchvision resnet18: 11,689,512 parameters, of which fc holds 512·1000 + 1000 = 513,000.
    // BN moving statistics are non-trainable weights in Keras and buffers in torch: both excluded.
    const m = resnet({ depth: 18, inputSize: 32 });
    const trainable = paramCount(m);
    assert.equal(trainable, 11_689_512 - 513_000);
  });
  test('resnet-50 has torchvision ResNet-50 trainable parameter count without fc', () => {
    const m = resnet({ depth: 50, inputSize: 64 });
    const trainable = paramCount(m);
    assert.equal(trainable, 25_557_032 - (2048 * 1000 + 1000));
  });
  test('regnety-tiny: stage widths, SE widths round(0.25·w_in), groups, output', () => {
    const m = buildBackbone('regnety-tiny', 32);
    const y = m.predict(tf.zeros([1, 32, 32, 3])) as tf.Tensor;
    assert.deepEqual(y.shape, [1, 96]);
    // Block inputs: 16 (stem) → 24 → 48 → 96: SE widths 4, 6, 12, 24.
    const se = ['s1_b1', 's2_b1', 's3_b1', 's3_b2'].map(
      (p) => m.getLayer(`${p}_se_squeeze`).getConfig().units as number,
    );
    assert.deepEqual(se, [4, 6, 12, 24]);
    assert.equal((m.getLayer('s3_b1_b') as GroupedConv2D).groups, 12);
  });
  test('RegNetY-400MF-like small design matches a hand count of one block', () => {
    const m = regnetY({ w0: 8, wa: 0, wm: 2, groupWidth: 8, depth: 1, stemWidth: 8, inputSize: 8 });
    // stem conv 3·3·3·8 + BN 2·8; block: a 8·8 + 16; b 3·3·8·8/1 + 16; SE 8·2+2 + 2·8+8; c 64 + 16; proj 64 + 16.
    const expected = 216 + 16 + (64 + 16) + (576 + 16) + (16 + 2 + 16 + 8) + (64 + 16) + (64 + 16);
    const trainable = paramCount(m);
    assert.equal(trainable, expected);
  });
  test('unknown backbone lists the known ones', () => {
    assert.throws(() => buildBackbone('vit-h'), /unknown backbone "vit-h"; known: resnet-tiny/);
  });
});
