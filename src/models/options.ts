import type { ProviderChoice } from './descriptor.js';

/** How to run a model; every field overrides the descriptor's. */
export interface LoadOptions {
  /**
   * Engine device. ONNX: auto | cpu | cuda | webgpu. TF.js: auto | tensorflow (tfjs-node) | wasm | cpu.
   * Defaults to the descriptor's `provider`, then the FAIRSCOPE_PROVIDER environment variable, then auto.
   */
  provider?: ProviderChoice;
  /** onnxruntime intra-op threads; default: onnxruntime's (one per core). */
  threads?: number;
  /**
   * onnxruntime's worker threads spin between runs by default. Off here: spinning burns the cores that
   * image decoding and TF.js's single wasm thread need, and on shared machines starves other work.
   */
  spinning?: boolean;
}

/** The provider to use: the option, the descriptor's, FAIRSCOPE_PROVIDER, then 'auto'. */
export function chooseProvider(options: LoadOptions, fromDescriptor?: ProviderChoice): ProviderChoice {
  const env = process.env.FAIRSCOPE_PROVIDER;
  return (
    options.provider ?? fromDescriptor ?? ((env === undefined || env === '' ? 'auto' : env) as ProviderChoice)
  );
}
