import cliProgress from 'cli-progress';

/** A progress reporter for long steps: a bar with items/s and ETA on a terminal, periodic lines otherwise. */
export interface Progress {
  /** Adds `n` finished items. */
  tick(n?: number): void;
  /** Sets the total once known. */
  setTotal(total: number): void;
  stop(): void;
}

const silent: Progress = { tick() {}, setTotal() {}, stop() {} };

/**
 * Starts a progress reporter on stderr (stdout stays clean for `--json`). Quiet when
 * FAIRSCOPE_QUIET=1 or `quiet` is set.
 */
export function startProgress(label: string, total: number, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet || process.env.FAIRSCOPE_QUIET === '1') return silent;
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} [{bar}] {value}/{total} | {speed} items/s | ETA {eta_formatted}`,
        stream: process.stderr,
        etaBuffer: 50,
        hideCursor: true,
      },
      cliProgress.Presets.shades_classic,
    );
    const start = Date.now();
    let done = 0;
    bar.start(total, 0, { speed: '0.0' });
    return {
      tick(n = 1) {
        done += n;
        const speed = (done / Math.max(1e-3, (Date.now() - start) / 1000)).toFixed(1);
        bar.update(done, { speed });
      },
      setTotal(t) {
        bar.setTotal(t);
      },
      stop() {
        bar.stop();
      },
    };
  }
  // Not a terminal (CI, logs): one line every 5 seconds and one at the end.
  const start = Date.now();
  let last = start;
  let done = 0;
  let tot = total;
  const line = () => {
    const secs = (Date.now() - start) / 1000;
    const speed = done / Math.max(1e-3, secs);
    const eta = speed > 0 ? Math.max(0, (tot - done) / speed) : Number.NaN;
    process.stderr.write(
      `${label}: ${done}/${tot} (${speed.toFixed(1)} items/s, ETA ${Number.isFinite(eta) ? `${eta.toFixed(0)}s` : '?'})\n`,
    );
  };
  return {
    tick(n = 1) {
      done += n;
      if (Date.now() - last > 5000) {
        last = Date.now();
        line();
      }
    },
    setTotal(t) {
      tot = t;
    },
    stop() {
      line();
    },
  };
}
