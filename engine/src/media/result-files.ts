/** Results on disk: a PNG or an MP4 that carries its generation record, and reading that record back. */
import { extname } from 'node:path';
import { EngineError, type GenerationRecord, type RgbFrame } from '../api/index.js';
import { readPngRecord, writePngWithRecord } from './png-record.js';
import { readMp4Comment, writeMp4 } from './video.js';

export type ResultKind = 'png' | 'mp4';

export function resultKind(path: string): ResultKind {
  const ext = extname(path).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.mp4') return 'mp4';
  throw new EngineError('bad_request', `${path}: results are written as .png (images) or .mp4 (videos)`);
}

/** Writes an image (first frame) as PNG or frames as MP4, with the record inside; never leaves a partial file. */
export async function writeResult(
  path: string,
  frames: readonly RgbFrame[],
  record: GenerationRecord,
  options: { fps?: number; signal?: AbortSignal } = {},
): Promise<void> {
  if (resultKind(path) === 'png') return writePngWithRecord(path, frames[0]!, record);
  await writeMp4(path, frames, {
    fps: options.fps ?? record.grid?.fps ?? 8,
    comment: JSON.stringify(record),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** The record inside a result file, unvalidated (see generate/record.ts parseRecord); null when it has none. */
export async function readResultRecord(path: string, signal?: AbortSignal): Promise<unknown | null> {
  if (resultKind(path) === 'png') return readPngRecord(path);
  const comment = await readMp4Comment(path, signal);
  if (comment === null) return null;
  try {
    return JSON.parse(comment);
  } catch {
    throw new EngineError('invalid_file', `${path}: its metadata comment is not an Emu3 Studio record`);
  }
}
