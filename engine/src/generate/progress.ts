/** What a generation job reports while it runs: tokens done, speed and time left. */

export interface GenerationProgress {
  done: number;
  total: number;
  tokensPerSecond: number;
  /** Estimated from the speed so far; null until a few tokens are done. */
  secondsLeft: number | null;
}

export function createProgressMeter(total: number, now: () => number = () => performance.now()) {
  const started = now();
  return (done: number): GenerationProgress => {
    const seconds = (now() - started) / 1000;
    const tokensPerSecond = seconds > 0 ? done / seconds : 0;
    return {
      done,
      total,
      tokensPerSecond,
      secondsLeft: done >= 4 && tokensPerSecond > 0 ? (total - done) / tokensPerSecond : null,
    };
  };
}

/** Calls `fn` at most every `intervalMs` (and always for the last call), for previews that cost a decode. */
export function throttle(intervalMs: number, now: () => number = () => performance.now()) {
  let last = -Infinity;
  return (force = false): boolean => {
    const t = now();
    if (!force && t - last < intervalMs) return false;
    last = t;
    return true;
  };
}
