/**
 * `library.readRecord`: the generation record a PNG carries, read from a file uploaded through `/api/upload`
 * and checked against the protocol's record schema, so a PNG the studio saved restores the Generate form.
 * Every refusal is one line that names the file as the user knows it, never the path it is stored at.
 */
import {
  describeIssues,
  EngineError,
  GenerationRecord,
  summarizeRecord,
  type FileRecord,
} from '../api/index.js';
import { AskStore } from '../library/ask-store.js';
import type { Library } from '../library/library.js';
import { readPngRecord, RECORD_KEYWORD } from '../media/png-record.js';
import type { MethodImpls } from './method-impls.js';

export function createFileRecordMethods(library: Library): MethodImpls<'library.readRecord'> {
  const uploads = new AskStore(library);
  return {
    'library.readRecord': ({ upload }) => {
      const file = uploads.upload(upload);
      if (!file) throw new EngineError('not_found', `uploaded file ${upload}: no such upload`);
      return readFileRecord(library.mediaPath(upload), file.name);
    },
  };
}

/** The record of the file at `path`, which the user knows as `name`. */
export async function readFileRecord(path: string, name: string): Promise<FileRecord> {
  let raw: unknown;
  try {
    raw = await readPngRecord(path);
  } catch (error) {
    // png-record.ts names the stored file; the user knows it by the name it was dropped with.
    if (error instanceof EngineError) throw new EngineError(error.code, error.message.split(path).join(name));
    throw error;
  }
  if (raw === null)
    throw new EngineError(
      'invalid_file',
      `${name}: this PNG holds no Emu3 Studio settings (only PNGs the studio saved carry them)`,
    );
  const parsed = GenerationRecord.safeParse(raw);
  if (!parsed.success)
    throw new EngineError(
      'invalid_file',
      `${name}: its ${RECORD_KEYWORD} record is not one this studio reads (${describeIssues(parsed.error, 'record')})`,
    );
  if (parsed.data.mode === 'understand')
    throw new EngineError(
      'unsupported',
      `${name}: the record is an answer's (Ask), not an image's or a video's`,
    );
  return { name, record: summarizeRecord(parsed.data) };
}
