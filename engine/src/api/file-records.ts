/**
 * Settings back from a file: a PNG the studio saved carries its generation record (an 'emu3-studio' iTXt
 * chunk), so a PNG dropped on the studio fills the Generate form again. The file reaches the engine as an
 * upload (`POST /api/upload`, ask.ts); the engine reads the record and validates it.
 *
 * This file imports no other protocol file but generation.ts and library.ts: protocol.ts spreads
 * `FileRecordMethods` into its method map.
 */
import { z } from 'zod';
import { RecordSummary } from './generation.js';
import { Sha256 } from './library.js';

/** The record a file carries, without its token ids (the Generate form needs none). */
export const FileRecord = z.object({
  /** The file's own name, as it was uploaded. */
  name: z.string(),
  record: RecordSummary,
});
export type FileRecord = z.infer<typeof FileRecord>;

/** The methods of this file, spread into protocol.ts's map. */
export const FileRecordMethods = {
  /**
   * The generation record of a PNG uploaded through `/api/upload` (`upload`: its AskUpload's sha256).
   * `invalid_file`, naming the file, when it is not a PNG, is damaged, or carries no record this studio
   * reads; `unsupported` when its record is an answer's (Ask), which no generation repeats.
   */
  'library.readRecord': { params: z.strictObject({ upload: Sha256 }), result: FileRecord },
} as const satisfies Record<string, { params: z.ZodType; result: z.ZodType }>;
