import * as tf from '@tensorflow/tfjs';

export type OptimizerName = 'sgd' | 'lars' | 'adamw';

export interface OptimizerOptions {
  name: OptimizerName;
  /** Decoupled for AdamW; added to the gradient (L2) for SGD and LARS, as torch does. */
  weightDecay: number;
  /** SGD/LARS momentum. Default 0.9. */
  momentum?: number;
  /** LARS trust coefficient η. Default 0.001 (SwAV, no clipping). */
  trustCoefficient?: number;
  /** AdamW betas. Default [0.9, 0.999]. */
  betas?: [number, number];
}

/**
 * Biases and BatchNorm parameters (every rank-1 variable) get no weight decay and no LARS
 * adaptation, as in SwAV/vissl (`exclude_bias_and_norm`).
 */
export function isExcludedFromDecay(v: { shape: number[] }): boolean {
  return v.shape.length <= 1;
}

/**
 * SGD with momentum, LARS [You et al. 2017, arXiv:1708.03888] or AdamW [Loshchilov & Hutter,
 * arXiv:1711.05101] over named variables. State tensors are kept per variable name so a
 * checkpoint can save and restore them (`state()` / `load()`).
 */
export class TrainOptimizer {
  readonly opts: Required<OptimizerOptions>;
  private slots = new Map<string, tf.Variable[]>();
  private t = 0;

  constructor(opts: OptimizerOptions) {
    this.opts = { momentum: 0.9, trustCoefficient: 0.001, betas: [0.9, 0.999], ...opts };
  }

  private slot(name: string, v: tf.Variable, n: number): tf.Variable[] {
    let s = this.slots.get(name);
    if (s === undefined) {
      s = Array.from({ length: n }, () => tf.tidy(() => tf.variable(tf.zerosLike(v), false)));
      this.slots.set(name, s);
    }
    return s;
  }

  /** One update of every variable that has a gradient, at learning rate `lr`. */
  step(vars: Map<string, tf.Variable>, grads: Record<string, tf.Tensor>, lr: number): void {
    this.t++;
    const { name, weightDecay, momentum, trustCoefficient, betas } = this.opts;
    for (const [key, v] of vars) {
      const g0 = grads[key];
      if (g0 === undefined) continue;
      const excluded = isExcludedFromDecay(v);
      const wd = excluded ? 0 : weightDecay;
      tf.tidy(() => {
        if (name === 'adamw') {
          const [m, s] = this.slot(key, v, 2) as [tf.Variable, tf.Variable];
          m.assign(tf.add(tf.mul(m, betas[0]), tf.mul(g0, 1 - betas[0])));
          s.assign(tf.add(tf.mul(s, betas[1]), tf.mul(tf.square(g0), 1 - betas[1])));
          const mh = tf.div(m, 1 - betas[0] ** this.t);
          const sh = tf.div(s, 1 - betas[1] ** this.t);
          const update = tf.add(tf.div(mh, tf.add(tf.sqrt(sh), 1e-8)), tf.mul(v, wd));
          v.assign(tf.sub(v, tf.mul(update, lr)));
          return;
        }
        let g = wd > 0 ? tf.add(g0, tf.mul(v, wd)) : g0;
        if (name === 'lars' && !excluded) {
          // Local LR η‖w‖ / ‖g + wd·w‖ (1 when either norm is 0).
          const wn = tf.norm(v);
          const gn = tf.norm(g);
          const ratio = tf.where(
            tf.logicalAnd(tf.greater(wn, 0), tf.greater(gn, 0)),
            tf.div(tf.mul(wn, trustCoefficient), gn),
            tf.onesLike(wn),
          );
          g = tf.mul(g, ratio);
        }
        const [buf] = this.slot(key, v, 1) as [tf.Variable];
        buf.assign(tf.add(tf.mul(buf, momentum), g));
        v.assign(tf.sub(v, tf.mul(buf, lr)));
      });
    }
  }

  /** Slot tensors by `${variable}/${index}`, and the step count. */
  state(): { step: number; slots: Map<string, tf.Variable> } {
    const out = new Map<string, tf.Variable>();
    for (const [k, s] of this.slots) {
      s.forEach((v, i) => {
        out.set(`${k}/${i}`, v);
      });
    }
    return { step: this.t, slots: out };
  }

  /** Restores what `state()` returned (values copied). */
  load(step: number, slots: Map<string, tf.Tensor>): void {
    this.t = step;
    const grouped = new Map<string, tf.Tensor[]>();
    for (const [k, t] of slots) {
      const i = k.lastIndexOf('/');
      const key = k.slice(0, i);
      const idx = Number(k.slice(i + 1));
      const arr = grouped.get(key) ?? [];
      arr[idx] = t;
      grouped.set(key, arr);
    }
    for (const [key, ts] of grouped)
      this.slots.set(
        key,
        ts.map((t) => tf.variable(t, false)),
      );
  }
}
