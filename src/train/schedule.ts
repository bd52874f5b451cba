/**
 * Learning rate at `step` of `total`: linear warm-up from `warmupStart` to `peak` over
 * `warmupSteps`, then cosine decay to `final` (SwAV / SEER schedule, protocols.md 7.1-7.2).
 */
export function warmupCosine(
  step: number,
  total: number,
  opts: { peak: number; warmupSteps: number; warmupStart?: number; final?: number },
): number {
  const start = opts.warmupStart ?? 0;
  const final = opts.final ?? 0;
  if (step < opts.warmupSteps) return start + ((opts.peak - start) * step) / Math.max(1, opts.warmupSteps);
  const t = Math.min(1, (step - opts.warmupSteps) / Math.max(1, total - opts.warmupSteps));
  return final + 0.5 * (opts.peak - final) * (1 + Math.cos(Math.PI * t));
}
