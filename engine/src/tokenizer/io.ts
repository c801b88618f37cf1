/** Reading tokenizer files, with one-line errors that name the file. */
import { readFile } from 'node:fs/promises';
import { EngineError } from '../api/index.js';

export async function readTextFile(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new EngineError('not_found', `${path}: no such file`);
    throw new EngineError('invalid_file', `${path}: cannot be read (${code ?? (error as Error).message})`);
  }
}

/** A short, single-line excerpt of file content for an error message. */
export function excerpt(text: string, max = 40): string {
  const clipped = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(clipped);
}

/** Checks an id passed to decode(). */
export function checkId(id: number, vocabSize: number, known: boolean): void {
  if (!Number.isInteger(id) || id < 0 || id >= vocabSize || !known) {
    throw new EngineError(
      'bad_request',
      `token id ${id} is not in the tokenizer (vocabulary of ${vocabSize})`,
    );
  }
}
