/**
 * Progress of long commands: a bar redrawn on stderr when it is a terminal, and, with `--json` into a
 * pipe, one JSON line per update on stdout for programs that drive the CLI.
 */
const BAR_WIDTH = 28;
const MIN_INTERVAL_MS = 100;

export interface Progress {
  update(label: string, done: number, total: number): void;
  finish(): void;
}

export function createProgress(json: boolean): Progress {
  const bar = process.stderr.isTTY === true;
  const lines = json && process.stdout.isTTY !== true;
  let last = 0;
  let drawn = false;
  let lastLabel = '';
  return {
    update(label, done, total) {
      const now = Date.now();
      const complete = total > 0 && done >= total;
      if (!complete && label === lastLabel && now - last < MIN_INTERVAL_MS) return;
      last = now;
      lastLabel = label;
      if (lines)
        process.stdout.write(`${JSON.stringify({ event: 'progress', phase: label, done, total })}\n`);
      if (bar) {
        const fraction = total > 0 ? Math.min(1, done / total) : 0;
        const filled = Math.round(fraction * BAR_WIDTH);
        const text = `${label.padEnd(12)} ${'█'.repeat(filled)}${'░'.repeat(BAR_WIDTH - filled)} ${(fraction * 100).toFixed(0).padStart(3)}%`;
        process.stderr.write(`\r${text}`);
        drawn = true;
      }
    },
    finish() {
      if (drawn) process.stderr.write('\n');
      drawn = false;
    },
  };
}
