/**
 * Model packages as the Models screen shows them (files with their hashes) and importing a checkpoint
 * folder: `models.import` starts an import whose progress arrives as `models.importProgress` and whose end
 * is `models.importEnded`. An import that fails leaves nothing in the models folder (the importer writes into
 * a partial folder and renames it into place only when complete).
 */
import { z } from 'zod';
import { SerializedError } from './errors.js';
import { Sha256 } from './library.js';

/** A file of a package or of its source checkpoint, as the manifest records it. */
export const FileHash = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: Sha256,
});
export type FileHash = z.infer<typeof FileHash>;

/** `auto`: the importer's choice (fp32, or int4 above a billion parameters). */
export const ImportPrecision = z.enum(['auto', 'fp32', 'fp16', 'int8', 'int4']);
export type ImportPrecision = z.infer<typeof ImportPrecision>;

export const ImportPhase = z.enum(['hash', 'tokenizer', 'decoder', 'vq_encoder', 'vq_decoder', 'finish']);
export type ImportPhase = z.infer<typeof ImportPhase>;

export const ImportId = z.string().min(1).max(128);

export const ModelImport = z.object({
  importId: ImportId,
  /** The checkpoint folder. */
  path: z.string(),
  precision: ImportPrecision,
  status: z.enum(['running', 'finished', 'failed']),
  /** What is being done now; null before the first step. */
  phase: ImportPhase.nullable(),
  /** 0 to 1 over the whole import. */
  fraction: z.number().min(0).max(1),
  /** Started by the engine itself: the bundled model on a first start. */
  automatic: z.boolean(),
  /** Whether the model becomes the active one when imported. */
  activate: z.boolean(),
  startedAt: z.string(),
  endedAt: z.string().optional(),
  /** The package made (or found already made: `reused`). */
  modelId: Sha256.optional(),
  reused: z.boolean().optional(),
  error: SerializedError.optional(),
});
export type ModelImport = z.infer<typeof ModelImport>;

export const ModelImportParams = z.strictObject({
  /** The checkpoint folder's full path on the engine's machine (`~/` is the user's home). */
  path: z.string().trim().min(1, 'give the checkpoint folder').max(4096),
  precision: ImportPrecision.default('auto'),
  /** Make it the active model once imported. */
  activate: z.boolean().default(false),
});
export type ModelImportParams = z.input<typeof ModelImportParams>;

export const ModelImportMethods = {
  /** Starts importing a checkpoint folder; one import runs at a time. */
  'models.import': { params: ModelImportParams, result: z.object({ importId: ImportId }) },
  /** The import running now and the last ones that ended, oldest first. */
  'models.imports': { params: z.strictObject({}), result: z.array(ModelImport) },
} as const;

export const ModelImportEvents = {
  /** At most every 100 ms while an import runs. */
  'models.importProgress': ModelImport,
  /** Finished (the model is in `models.list`) or failed (with a one-line error). */
  'models.importEnded': ModelImport,
} as const;
