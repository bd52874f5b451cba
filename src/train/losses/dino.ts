import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '../stop-gradient.js';
import { assert2d, assertSameShape } from './check.js';

export interface DinoLossOptions {
  /** Student softmax temperature. Default 0.1 (DINO). */
  studentTemp?: number;
  /** Teacher softmax temperature (sharpening). Default 0.04 (DINO's final value after warm-up). */
  teacherTemp?: number;
}

/**
 * DINO self-distillation loss [Caron et al. 2021, "Emerging Properties in Self-Supervised Vision
 * Transformers", arXiv:2104.14294, Algorithm 1 and the official `DINOLoss`]:
 *
 *   P_t = softmax((t − c) / τ_t)  (centering + sharpening, no gradient)
 *   ℓ = mean over pairs (teacher crop i, student crop v ≠ i) of  −mean_b Σ_k P_t[b,k] log_softmax(s_v/τ_s)_k
 *
 * Student crop v and teacher crop i are the same view when v = i: the first `teacher.length`
 * student crops must be the global crops, in the teacher's order.
 *
 * @param student student outputs per crop, each (B, K): the global crops first, then the local ones
 * @param teacher teacher outputs of the global crops, each (B, K)
 * @param center (1, K) or (K,) running center of the teacher outputs
 * @returns scalar loss
 */
export function dinoLoss(
  student: tf.Tensor[],
  teacher: tf.Tensor[],
  center: tf.Tensor,
  opts: DinoLossOptions = {},
): tf.Scalar {
  const studentTemp = opts.studentTemp ?? 0.1;
  const teacherTemp = opts.teacherTemp ?? 0.04;
  if (teacher.length === 0) throw new Error('dinoLoss: need at least one teacher crop, got 0');
  if (student.length < 2) throw new Error(`dinoLoss: need at least 2 student crops, got ${student.length}`);
  for (const x of [...student, ...teacher]) assert2d(x, 'dinoLoss(student/teacher)');
  assertSameShape([...student, ...teacher], 'dinoLoss(student, teacher)');
  return tf.tidy(() => {
    const c = center.reshape([1, -1]);
    const targets = teacher.map((t) =>
      tf.softmax(tf.div(tf.sub(stopGradient(t), stopGradient(c)), teacherTemp)),
    );
    const logProbs = student.map((s) => tf.logSoftmax(tf.div(s, studentTemp)));
    let total = tf.scalar(0);
    let pairs = 0;
    targets.forEach((pt, i) => {
      logProbs.forEach((lp, v) => {
        if (v === i) return;
        total = tf.sub(total, tf.mean(tf.sum(tf.mul(pt, lp), 1)));
        pairs++;
      });
    });
    return tf.div(total, pairs) as tf.Scalar;
  });
}

/**
 * DINO's center update: c ← m·c + (1 − m)·mean over crops and batch of the teacher outputs.
 * @param center (1, K)
 * @param teacher teacher outputs of the global crops, each (B, K)
 * @param momentum m, default 0.9 (DINO)
 * @returns (1, K) new center (the caller disposes the old one)
 */
export function updateDinoCenter(center: tf.Tensor, teacher: tf.Tensor[], momentum = 0.9): tf.Tensor2D {
  return tf.tidy(() => {
    const batchMean = tf.mean(tf.concat(teacher, 0), 0, true); // (1, K)
    return tf.add(tf.mul(center.reshape([1, -1]), momentum), tf.mul(batchMean, 1 - momentum)) as tf.Tensor2D;
  });
}
