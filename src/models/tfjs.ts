/**
 * FeatureExtractor over a TensorFlow.js model: a graph model (the embedding is any node, read with
 * `execute(x, [node])`) or a layers model (the embedding is any layer, read through a sub-model that
 * ends at it). Logits: for a Dense layer with a softmax or sigmoid activation the pre-activation is
 * returned (downstream code applies the softmax itself, protocols.md 9.5).
 */
import { extname } from 'node:path';
import { FairscopeError, InputError } from '../core/errors.js';
import type { EmbedOutput, FeatureExtractor, ImageBatch, Preprocess } from '../core/types.js';
import { type ModelDescriptor, modelRef } from './descriptor.js';
import { checkBatch, checkInputShape, type Dims, preprocessSize } from './input-shape.js';
import { chooseProvider, type LoadOptions } from './options.js';
import { checkClasses, perItemWidth, type RawOutput, runFixedBatch } from './outputs.js';
import { initTfjsBackend, type TfjsBackend, tf } from './tfjs-backend.js';
import {
  bundledModelHandler,
  fileModelHandler,
  type ModelJson,
  modelJsonKind,
  readBundledModelJson,
  readModelJson,
} from './tfjs-io.js';

/** Turns a batch tensor into the [embedding, logits?] tensors; must not dispose its input. */
type Forward = (x: tf.Tensor4D) => Promise<tf.Tensor[]>;

/** A TF.js model behind the FeatureExtractor interface. Create with `loadTfjsExtractor`. */
export class TfjsExtractor implements FeatureExtractor {
  readonly provider: string;
  readonly classes?: string[];

  constructor(
    readonly id: string,
    readonly preprocess: Preprocess,
    readonly embeddingDim: number,
    readonly logitsDim: number | undefined,
    classes: string[] | undefined,
    readonly fixedBatch: number | null,
    backend: TfjsBackend,
    private readonly forward: Forward,
    private readonly release: () => void,
  ) {
    this.provider = `tfjs/${backend}`;
    if (classes !== undefined) this.classes = classes;
  }

  /** @param data (n, h, w, c) or (n, c, h, w) as the preprocess says; returns rows flattened. */
  async run(
    data: Float32Array,
    shape: [number, number, number, number],
  ): Promise<RawOutput & { dims: number[][] }> {
    // TF.js models take NHWC; an NCHW preprocess is transposed here.
    const x = tf.tidy(() => {
      const t = tf.tensor4d(data, shape);
      return this.preprocess.layout === 'nchw' ? tf.transpose(t, [0, 2, 3, 1]) : t;
    });
    let outs: tf.Tensor[] = [];
    try {
      outs = await this.forward(x as tf.Tensor4D);
      const [embedding, logits] = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
      const dims = outs.map((t) => t.shape);
      return logits === undefined ? { embedding, dims } : { embedding, logits, dims };
    } finally {
      tf.dispose([x, ...outs]);
    }
  }

  async embed(batch: ImageBatch): Promise<EmbedOutput> {
    const n = checkBatch(batch, this.preprocess, this.id);
    if (n === 0)
      return { embedding: new Float32Array(0), ...(this.logitsDim ? { logits: new Float32Array(0) } : {}) };
    const [, a, b, c] = batch.shape;
    const check = (out: RawOutput, rows: number): RawOutput => {
      if (out.embedding.length !== rows * this.embeddingDim) {
        throw new FairscopeError(
          `${this.id}: the embedding has ${out.embedding.length} values for ${rows} items`,
        );
      }
      return out;
    };
    if (this.fixedBatch === null) {
      const { embedding, logits } = check(await this.run(batch.data, [n, a, b, c]), n);
      return logits === undefined ? { embedding } : { embedding, logits };
    }
    const fixed = this.fixedBatch;
    return runFixedBatch(
      batch.data,
      n,
      a * b * c,
      fixed,
      { embedding: this.embeddingDim, ...(this.logitsDim === undefined ? {} : { logits: this.logitsDim }) },
      async (chunk) => check(await this.run(chunk, [fixed, a, b, c]), fixed),
    );
  }

  async dispose(): Promise<void> {
    this.release();
  }
}

/** Reads the model.json (plain or nsfwjs bundle) behind a descriptor's path. */
export function readTfjsModelJson(path: string): { json: ModelJson; handler: tf.io.IOHandler } {
  const bundled = extname(path) === '.js';
  const json = bundled ? readBundledModelJson(path) : readModelJson(path);
  return { json, handler: bundled ? bundledModelHandler(path) : fileModelHandler(path) };
}

function checkKind(d: ModelDescriptor, json: ModelJson): void {
  const kind = modelJsonKind(json);
  const wanted = d.format === 'tfjs-graph' ? 'graph' : 'layers';
  if (kind !== wanted) {
    throw new InputError(
      d.origin,
      `format is ${d.format} but ${d.path} is a TF.js ${kind} model (use tfjs-${kind})`,
      {
        field: 'format',
      },
    );
  }
}

function listSome(names: string[], max = 12): string {
  const shown = names.slice(-max).map((n) => JSON.stringify(n));
  return names.length > max ? `... ${shown.join(', ')} (last ${max} of ${names.length})` : shown.join(', ');
}

/** Layers model: a sub-model from the input to the embedding layer (and the logits pre-activation). */
async function layersForward(
  d: ModelDescriptor,
  handler: tf.io.IOHandler,
): Promise<{ forward: Forward; dims: Dims; release: () => void; logitsName?: string }> {
  const model = await tf.loadLayersModel(handler);
  const names = model.layers.map((l) => l.name);
  const layerOf = (name: string, field: 'output' | 'logitsOutput') => {
    const layer = model.layers.find((l) => l.name === name);
    if (layer === undefined) {
      throw new InputError(
        d.origin,
        `${modelRef(d)} has no layer "${name}"; its layers are ${listSome(names)}`,
        { field },
      );
    }
    return layer;
  };
  if (d.output === undefined && model.outputs.length !== 1) {
    throw new InputError(
      d.origin,
      `${modelRef(d)} has ${model.outputs.length} outputs; name the embedding layer`,
      {
        field: 'output',
      },
    );
  }
  const embOut =
    d.output === undefined ? model.outputs[0] : (layerOf(d.output, 'output').output as tf.SymbolicTensor);
  const outputs: tf.SymbolicTensor[] = [embOut];
  let head: { kernel: tf.Tensor; bias?: tf.Tensor } | undefined;
  if (d.logitsOutput !== undefined) {
    const layer = layerOf(d.logitsOutput, 'logitsOutput');
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    const squashed =
      layer.getClassName() === 'Dense' && ['softmax', 'sigmoid'].includes(String(config.activation));
    const source = (squashed ? layer.input : layer.output) as tf.SymbolicTensor;
    // A model may not list one tensor twice as an output (predict returns null for the repeat).
    if (source !== embOut) outputs.push(source);
    if (squashed) {
      // Read the Dense layer's input and apply its kernel and bias here, without the activation.
      const [kernel, bias] = layer.getWeights();
      head = config.useBias === false ? { kernel } : { kernel, bias };
    }
  }
  const sub = tf.model({ inputs: model.inputs, outputs });
  const forward: Forward = async (x) =>
    tf.tidy(() => {
      const raw = sub.predict(x) as tf.Tensor | tf.Tensor[];
      const outs = Array.isArray(raw) ? raw : [raw];
      const n = x.shape[0];
      const embedding = tf.reshape(outs[0], [n, -1]);
      if (d.logitsOutput === undefined) return [embedding];
      const features = tf.reshape(outs[1] ?? outs[0], [n, -1]);
      const logits = head === undefined ? features : tf.matMul(features, head.kernel);
      return [embedding, head?.bias === undefined ? logits : tf.add(logits, head.bias)];
    });
  const shape = model.inputs[0].shape;
  return {
    forward,
    dims: shape.map((s) => (typeof s === 'number' && s > 0 ? s : null)),
    release: () => model.dispose(),
    ...(d.logitsOutput === undefined ? {} : { logitsName: d.logitsOutput }),
  };
}

/** Strips a `:0` output index; TF node names never contain ':'. */
function nodeName(name: string): string {
  return name.replace(/:\d+$/, '');
}

/** Graph model: execute to the named nodes. */
async function graphForward(
  d: ModelDescriptor,
  json: ModelJson,
  handler: tf.io.IOHandler,
): Promise<{ forward: Forward; dims: Dims; release: () => void; logitsName?: string }> {
  const model = await tf.loadGraphModel(handler);
  const nodes = ((json.modelTopology.node ?? []) as { name: string; op: string }[])
    .filter((n) => n.op !== 'Const')
    .map((n) => n.name);
  const check = (name: string, field: 'output' | 'logitsOutput') => {
    if (!nodes.includes(nodeName(name))) {
      throw new InputError(
        d.origin,
        `${modelRef(d)} has no node "${name}"; its last nodes are ${listSome(nodes)}`,
        {
          field,
        },
      );
    }
    return name;
  };
  if (model.inputs.length !== 1) {
    throw new InputError(
      d.path,
      `graph model has ${model.inputs.length} inputs; fairscope feeds one image input`,
    );
  }
  let output: string;
  if (d.output !== undefined) output = check(d.output, 'output');
  else if (model.outputNodes.length === 1) output = model.outputNodes[0];
  else {
    throw new InputError(
      d.origin,
      `${modelRef(d)} has outputs ${listSome(model.outputNodes)}; name the embedding node`,
      {
        field: 'output',
      },
    );
  }
  const targets = d.logitsOutput === undefined ? [output] : [output, check(d.logitsOutput, 'logitsOutput')];
  let asyncOnly = false;
  const forward: Forward = async (x) => {
    const n = x.shape[0];
    let raw: tf.Tensor | tf.Tensor[];
    if (!asyncOnly) {
      try {
        raw = model.execute(x, targets);
      } catch (err) {
        // Graphs with control flow must run with executeAsync; remember and retry.
        if (!/executeAsync/.test((err as Error).message)) throw err;
        asyncOnly = true;
        raw = await model.executeAsync(x, targets);
      }
    } else raw = await model.executeAsync(x, targets);
    const outs = Array.isArray(raw) ? raw : [raw];
    const flat = tf.tidy(() => outs.map((t) => tf.reshape(t, [n, -1])));
    tf.dispose(outs);
    return flat;
  };
  const shape = model.inputs[0].shape ?? [];
  return {
    forward,
    dims: shape.map((s) => (s > 0 ? s : null)),
    release: () => model.dispose(),
    ...(d.logitsOutput === undefined ? {} : { logitsName: d.logitsOutput }),
  };
}

/**
 * Loads a TF.js graph or layers model and checks it against the descriptor (kind, node/layer names,
 * input shape vs preprocess, classes vs logits). A dry run on zeros measures the output widths.
 */
export async function loadTfjsExtractor(
  d: ModelDescriptor,
  options: LoadOptions = {},
): Promise<TfjsExtractor> {
  const backend = await initTfjsBackend(chooseProvider(options, d.provider));
  const { json, handler } = readTfjsModelJson(d.path);
  checkKind(d, json);
  const { forward, dims, release, logitsName } =
    d.format === 'tfjs-graph' ? await graphForward(d, json, handler) : await layersForward(d, handler);
  try {
    // The input check is written for the model's NHWC input, whatever layout the batches come in.
    const nhwc: Preprocess = { ...d.preprocess, layout: 'nhwc' };
    const fixedBatch = checkInputShape(dims, nhwc, d.path, 'input');
    const [h, w] = preprocessSize(d.preprocess) ?? [d.preprocess.resize, d.preprocess.resize];
    const rows = fixedBatch ?? 1;
    const x = tf.zeros([rows, h, w, 3]) as tf.Tensor4D;
    const outs = await forward(x);
    const embeddingDim = perItemWidth(outs[0].shape, rows, d.output ?? 'output', d.path);
    const logitsDim =
      outs[1] === undefined ? undefined : perItemWidth(outs[1].shape, rows, logitsName ?? '', d.path);
    tf.dispose([x, ...outs]);
    checkClasses(d, logitsName, logitsDim);
    return new TfjsExtractor(
      d.id,
      d.preprocess,
      embeddingDim,
      logitsDim,
      d.classes,
      fixedBatch,
      backend,
      forward,
      release,
    );
  } catch (err) {
    release();
    throw err;
  }
}
