/** Building and reading the result record every generated image, video and answer carries. */
import { EngineError, GenerationRecord, RECORD_FORMAT } from '../api/index.js';
import { studioVersion } from '../install/package-info.js';

export type RecordFields = Omit<GenerationRecord, 'format' | 'version' | 'engineVersion' | 'createdAt'>;

export function makeRecord(fields: RecordFields): GenerationRecord {
  return {
    format: RECORD_FORMAT,
    version: 1,
    engineVersion: studioVersion(),
    createdAt: new Date().toISOString(),
    ...fields,
  };
}

/** Validates a record read back from a file; `where` names the file in the error. */
export function parseRecord(data: unknown, where: string): GenerationRecord {
  const parsed = GenerationRecord.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EngineError(
      'invalid_file',
      `${where}: not an Emu3 Studio record (${issue?.path.join('.') || 'record'}: ${issue?.message})`,
    );
  }
  return parsed.data;
}
