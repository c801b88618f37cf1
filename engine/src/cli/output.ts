/** How every `emu3` command reports: human lines on stdout, or one JSON object a line with `--json`. */
import { serializeError } from '../api/index.js';

export interface Output {
  /** A result: printed as `text`, or as the JSON object under `--json`. */
  result(text: string, json: Record<string, unknown>): void;
  /** A failure: one line on stderr (or a JSON error object on stdout); sets a non-zero exit code. */
  fail(error: unknown): void;
}

export function createOutput(json: boolean): Output {
  return {
    result(text, data) {
      process.stdout.write(json ? `${JSON.stringify(data)}\n` : `${text}\n`);
    },
    fail(error) {
      const serialized = serializeError(error);
      if (json) process.stdout.write(`${JSON.stringify({ error: serialized })}\n`);
      else process.stderr.write(`emu3: ${serialized.message.split('\n')[0]}\n`);
      if (serialized.name === 'InternalError' && serialized.stack && process.env.EMU3_DEBUG) {
        process.stderr.write(`${serialized.stack}\n`);
      }
      process.exitCode = 1;
    },
  };
}
