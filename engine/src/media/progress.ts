/**
 * Pure parsers for ffmpeg's stderr, kept apart from the process code so they are tested with captured lines.
 * ffmpeg ends each stats line with '\r' while running and '\n' at the end; callers split on both.
 */

export interface ProgressLine {
  frame?: number;
  seconds?: number;
}

// `time=` is HH:MM:SS.cc, negative for the first packet of a stream that starts before zero, or N/A.
const TIME = /\btime=\s*(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/;
const FRAME = /\bframe=\s*(\d+)/;

/**
 * One stats line (`frame=… time=…`, or `size=… time=…` when there is no video) as frame and seconds;
 * null for every other line. A `time=N/A` line still gives its frame.
 */
export function parseProgressLine(line: string): ProgressLine | null {
  const text = line.trim();
  if (!/^(frame|size)=/.test(text) || !/\btime=/.test(text)) return null;
  const result: ProgressLine = {};
  const frame = FRAME.exec(text);
  if (frame) result.frame = Number(frame[1]);
  const time = TIME.exec(text);
  if (time) {
    const seconds = Number(time[2]) * 3600 + Number(time[3]) * 60 + Number(time[4]);
    // A slightly negative start is "not started yet" for a progress bar.
    result.seconds = time[1] === '-' ? 0 : seconds;
  }
  return result;
}

/** `Duration: 00:01:02.50` from `ffmpeg -i`; undefined for N/A. */
export function parseDuration(text: string): number | undefined {
  const match = /Duration:\s*(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

// Lines that say ffmpeg gave up without saying why; the reason is on an earlier line.
const GENERIC =
  /^(Conversion failed!?|Error closing file.*|Error writing trailer.*|\s*Last message repeated.*)$/i;
const ERRORISH =
  /error|invalid|fail|not found|no such|unable|cannot|can't|could not|denied|unknown|unsupported|not supported|no space|does not|mismatch|too (large|small|big)|corrupt|truncat/i;

/**
 * The line of ffmpeg's stderr that best explains a failure: the last error-like line, else the last line,
 * without the `[codec @ 0x…]` prefix and cut to one short line.
 */
export function meaningfulLine(lines: readonly string[]): string {
  let fallback: string | undefined;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/i, '').trim();
    if (!line || parseProgressLine(line) || GENERIC.test(line)) continue;
    if (ERRORISH.test(line)) return shorten(line);
    fallback ??= line;
  }
  return fallback === undefined ? 'no error message' : shorten(fallback);
}

function shorten(line: string): string {
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
