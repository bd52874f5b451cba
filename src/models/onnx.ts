/**
 * FeatureExtractor over an ONNX model run by onnxruntime-node: one float32 image input, the embedding
 * read from a named output (flattened per item) and optional logits from another.
 */
import { existsSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { FairscopeError, InputError } from '../core/errors.js';
import type { EmbedOutput, FeatureExtractor, ImageBatch, Preprocess } from '../core/types.js';
import { type ModelDescriptor, modelRef } from './descriptor.js';
import { checkBatch, checkInputShape, type Dims, preprocessSize } from './input-shape.js';
import { type OnnxProvider, onnxProviderCandidates } from './onnx-provider.js';
import { chooseProvider, type LoadOptions } from './options.js';
import { checkClasses, perItemWidth, type RawOutput, runFixedBatch } from './outputs.js';

type Session = ort.InferenceSession;

function sessionOptions(provider: OnnxProvider, options: LoadOptions): ort.InferenceSession.SessionOptions {
  const spin = options.spinning === true ? '1' : '0';
  return {
    executionProviders: [provider === 'cuda' ? { name: 'cuda', deviceId: 0 } : provider],
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    ...(options.threads === undefined ? {} : { intraOpNumThreads: options.threads }),
    extra: { session: { intra_op: { allow_spinning: spin }, inter_op: { allow_spinning: spin } } },
  };
}

/** Creates a session on the first provider that works; a forced provider's failure is an error. */
async function createSession(
  d: ModelDescriptor,
  options: LoadOptions,
): Promise<{ session: Session; provider: OnnxProvider; skipped: string[] }> {
  const candidates = onnxProviderCandidates(chooseProvider(options, d.provider));
  const skipped: string[] = [];
  for (const provider of candidates) {
    try {
      const session = await ort.InferenceSession.create(d.path, sessionOptions(provider, options));
      return { session, provider, skipped };
    } catch (err) {
      const message = (err as Error).message;
      if (/protobuf parsing failed|ModelProto|invalid model|No graph was found/i.test(message)) {
        throw new InputError(d.path, `is not an ONNX model (onnxruntime: ${message.trim()})`);
      }
      if (candidates.length === 1 || provider === 'cpu') {
        throw new FairscopeError(
          `${d.path}: onnxruntime could not create a session on provider "${provider}": ${message.trim()}`,
        );
      }
      skipped.push(`${provider}: ${message.trim().split('\n')[0]}`);
    }
  }
  throw new FairscopeError(`${d.path}: no onnxruntime provider could run the model (${skipped.join('; ')})`);
}

function metadataOf(
  meta: readonly ort.InferenceSession.ValueMetadata[],
  name: string,
): ort.InferenceSession.ValueMetadata {
  const m = meta.find((v) => v.name === name);
  if (m === undefined) throw new FairscopeError(`no metadata for "${name}"`);
  return m;
}

function pickName(
  names: readonly string[],
  wanted: string | undefined,
  what: 'input' | 'output' | 'logitsOutput',
  d: ModelDescriptor,
): string {
  const list = names.map((n) => JSON.stringify(n)).join(', ');
  if (wanted !== undefined) {
    if (!names.includes(wanted)) {
      throw new InputError(
        d.origin,
        `${modelRef(d)} has no ${what === 'input' ? 'input' : 'output'} "${wanted}"; it has ${list}`,
        {
          field: what,
        },
      );
    }
    return wanted;
  }
  if (names.length === 1) return names[0];
  throw new InputError(
    d.origin,
    `${modelRef(d)} has ${names.length} ${what}s (${list}); name the one to use with \`${what}:\` in a descriptor`,
    {
      field: what,
    },
  );
}

function toFloat32(t: ort.Tensor, name: string, path: string): Float32Array {
  if (t.type === 'float32') return t.data as Float32Array;
  if (t.type === 'float64') return Float32Array.from(t.data as Float64Array);
  throw new FairscopeError(
    `${path}: output "${name}" is ${t.type}; fairscope reads float32 or float64 outputs`,
  );
}

/** An ONNX model behind the FeatureExtractor interface. Create with `loadOnnxExtractor`. */
export class OnnxExtractor implements FeatureExtractor {
  readonly provider: string;
  readonly classes?: string[];

  constructor(
    readonly id: string,
    readonly preprocess: Preprocess,
    readonly embeddingDim: number,
    private readonly session: Session,
    readonly inputName: string,
    readonly outputName: string,
    readonly logitsName: string | undefined,
    /** The batch size the graph fixes, or null for a symbolic batch dimension. */
    readonly fixedBatch: number | null,
    readonly logitsDim: number | undefined,
    classes: string[] | undefined,
    provider: OnnxProvider,
    /** GPU providers that `auto` tried and could not use, with the reason. */
    readonly skippedProviders: string[],
    private readonly path: string,
  ) {
    this.provider = `onnxruntime/${provider}`;
    if (classes !== undefined) this.classes = classes;
  }

  /** Runs the session on n items. @param data (n, c, h, w) or (n, h, w, c) */
  async run(
    data: Float32Array,
    shape: readonly number[],
  ): Promise<RawOutput & { dims: Record<string, readonly number[]> }> {
    const feeds = { [this.inputName]: new ort.Tensor('float32', data, shape) };
    const fetches = this.logitsName === undefined ? [this.outputName] : [this.outputName, this.logitsName];
    const out = await this.session.run(feeds, fetches);
    const emb = out[this.outputName];
    const dims: Record<string, readonly number[]> = { [this.outputName]: emb.dims };
    const result: RawOutput & { dims: Record<string, readonly number[]> } = {
      embedding: toFloat32(emb, this.outputName, this.path),
      dims,
    };
    if (this.logitsName !== undefined) {
      const logits = out[this.logitsName];
      dims[this.logitsName] = logits.dims;
      result.logits = toFloat32(logits, this.logitsName, this.path);
    }
    return result;
  }

  async embed(batch: ImageBatch): Promise<EmbedOutput> {
    const n = checkBatch(batch, this.preprocess, this.id);
    if (n === 0)
      return { embedding: new Float32Array(0), ...(this.logitsName ? { logits: new Float32Array(0) } : {}) };
    const itemShape = batch.shape.slice(1);
    const itemSize = itemShape[0] * itemShape[1] * itemShape[2];
    const runChecked = async (data: Float32Array, rows: number): Promise<RawOutput> => {
      const out = await this.run(data, [rows, ...itemShape]);
      if (out.embedding.length !== rows * this.embeddingDim) {
        throw new FairscopeError(
          `${this.path}: output "${this.outputName}" gave shape [${out.dims[this.outputName].join(', ')}] for ${rows} items; expected ${this.embeddingDim} values per item`,
        );
      }
      return out;
    };
    if (this.fixedBatch === null) {
      const out = await runChecked(batch.data, n);
      return out.logits === undefined
        ? { embedding: out.embedding }
        : { embedding: out.embedding, logits: out.logits };
    }
    const fixed = this.fixedBatch;
    return runFixedBatch(
      batch.data,
      n,
      itemSize,
      fixed,
      { embedding: this.embeddingDim, ...(this.logitsDim === undefined ? {} : { logits: this.logitsDim }) },
      (chunk) => runChecked(chunk, fixed),
    );
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

/**
 * Loads an ONNX model and checks it against the descriptor: input shape vs preprocess, output names,
 * class count vs logits width. A dry run on zeros measures the output widths.
 */
export async function loadOnnxExtractor(
  d: ModelDescriptor,
  options: LoadOptions = {},
): Promise<OnnxExtractor> {
  if (!existsSync(d.path))
    throw new InputError(d.path, `model file does not exist (model "${d.id}", ${d.origin})`);
  const { session, provider, skipped } = await createSession(d, options);
  try {
    const inputName = pickName(session.inputNames, d.input, 'input', d);
    const outputName = pickName(session.outputNames, d.output, 'output', d);
    const logitsName =
      d.logitsOutput === undefined
        ? undefined
        : pickName(session.outputNames, d.logitsOutput, 'logitsOutput', d);
    if (logitsName === outputName) {
      throw new InputError(d.origin, `logitsOutput and output are both "${outputName}"`, {
        field: 'logitsOutput',
      });
    }
    const meta = metadataOf(session.inputMetadata, inputName);
    if (!meta.isTensor || meta.type !== 'float32') {
      throw new InputError(
        d.path,
        `model input "${inputName}" is ${meta.isTensor ? meta.type : 'not a tensor'}; fairscope feeds float32 images`,
      );
    }
    const dims: Dims = meta.shape.map((s) => (typeof s === 'number' && s > 0 ? s : null));
    const fixedBatch = checkInputShape(dims, d.preprocess, d.path, inputName);

    const [h, w] = preprocessSize(d.preprocess) ?? [d.preprocess.resize, d.preprocess.resize];
    const rows = fixedBatch ?? 1;
    const shape = d.preprocess.layout === 'nchw' ? [rows, 3, h, w] : [rows, h, w, 3];
    const probe = new OnnxExtractor(
      d.id,
      d.preprocess,
      0,
      session,
      inputName,
      outputName,
      logitsName,
      fixedBatch,
      undefined,
      undefined,
      provider,
      skipped,
      d.path,
    );
    const dry = await probe.run(new Float32Array(rows * 3 * h * w), shape);
    const embeddingDim = perItemWidth(dry.dims[outputName], rows, outputName, d.path);
    const logitsDim =
      logitsName === undefined ? undefined : perItemWidth(dry.dims[logitsName], rows, logitsName, d.path);
    checkClasses(d, logitsName, logitsDim);
    return new OnnxExtractor(
      d.id,
      d.preprocess,
      embeddingDim,
      session,
      inputName,
      outputName,
      logitsName,
      fixedBatch,
      logitsDim,
      d.classes,
      provider,
      skipped,
      d.path,
    );
  } catch (err) {
    await session.release();
    throw err;
  }
}
