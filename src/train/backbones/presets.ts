import type * as tf from '@tensorflow/tfjs';
import { type RegnetYOptions, regnetY } from './regnet.js';
import { type ResnetOptions, resnet } from './resnet.js';

export type BackbonePreset =
  | { kind: 'resnet'; options: ResnetOptions; note: string }
  | { kind: 'regnety'; options: RegnetYOptions; note: string };

/**
 * Named backbones. The `-tiny` ones train on a CPU at 28-32 px; the others are the published
 * designs (SEER values from the vissl yaml files, protocols.md 7.2; RegNetY-16GF from pycls).
 */
export const BACKBONES = Object.freeze({
  'resnet-tiny': {
    kind: 'resnet',
    options: { blocks: [1, 1, 1], block: 'basic', width: 16, stem: 'cifar' },
    note: 'CPU-sized: 3 basic stages of 16/32/64 channels, 3×3 stem, for 28-32 px images',
  },
  'resnet18-cifar': {
    kind: 'resnet',
    options: { depth: 18, stem: 'cifar' },
    note: 'ResNet-18 with a 3×3 stem (32 px)',
  },
  resnet18: { kind: 'resnet', options: { depth: 18 }, note: 'ResNet-18 (torchvision v1.5)' },
  resnet50: { kind: 'resnet', options: { depth: 50 }, note: 'ResNet-50 (torchvision v1.5), SwAV RN50 trunk' },
  'regnety-tiny': {
    kind: 'regnety',
    options: { w0: 24, wa: 24, wm: 2, groupWidth: 8, depth: 4, stemWidth: 16 },
    note: 'CPU-sized RegNetY: stages 24/48/96, depths 1/1/2, group width 8',
  },
  'regnety-16gf': {
    kind: 'regnety',
    options: { w0: 200, wa: 106.23, wm: 2.48, groupWidth: 112, depth: 18 },
    note: 'RegNetY-16GF (pycls)',
  },
  'seer-rg128': {
    kind: 'regnety',
    options: { w0: 456, wa: 160.83, wm: 2.52, groupWidth: 264, depth: 27 },
    note: 'SEER RegNetY-128GF trunk (693M parameters)',
  },
  'seer-rg256': {
    kind: 'regnety',
    options: { w0: 640, wa: 230.83, wm: 2.53, groupWidth: 373, depth: 27 },
    note: 'SEER RegNetY-256GF trunk (1.3B parameters); not ClassyVision regnet_y_256gf',
  },
  'seer-rg10b': {
    kind: 'regnety',
    options: { w0: 1744, wa: 620.83, wm: 2.52, groupWidth: 1010, depth: 27 },
    note: 'SEER RegNetY-10B trunk (10B parameters)',
  },
} satisfies Record<string, BackbonePreset>);

export type BackboneName = keyof typeof BACKBONES;

/** Builds a named backbone for square inputs of `inputSize` (null: any) with `channels` channels. */
export function buildBackbone(name: string, inputSize: number | null = null, channels = 3): tf.LayersModel {
  const preset = (BACKBONES as Record<string, BackbonePreset>)[name];
  if (preset === undefined)
    throw new Error(`unknown backbone "${name}"; known: ${Object.keys(BACKBONES).join(', ')}`);
  return preset.kind === 'resnet'
    ? resnet({ ...preset.options, inputSize, channels, name })
    : regnetY({ ...preset.options, inputSize, channels, name });
}
