/**
 * The engine model package: what an import produces and what the engine loads.
 * `manifest.json` is written last, after every other file is complete, so a folder without a valid
 * manifest is never a package.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../api/index.js';

export const PACKAGE_FORMAT = 'emu3-studio-model';
export const PACKAGE_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

export const Precision = z.enum(['fp32', 'fp16', 'int8', 'int4']);
export type Precision = z.infer<typeof Precision>;

const FileRecord = z.object({
  path: z.string(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type FileRecord = z.infer<typeof FileRecord>;

const positiveInt = z.number().int().positive();

export const PackageManifest = z.object({
  format: z.literal(PACKAGE_FORMAT),
  formatVersion: z.literal(PACKAGE_FORMAT_VERSION),
  /** sha256 of the source files' hashes, the precision and the graph builder version. */
  id: z.string().regex(/^[0-9a-f]{64}$/),
  engineVersion: z.string(),
  createdAt: z.string(),
  source: z.object({
    layout: z.enum(['baai', 'hf-disk', 'hf-memory']),
    paths: z.array(z.string()),
    files: z.array(FileRecord),
  }),
  precision: Precision,
  /** Every file of the package but the manifest, with its hash. */
  files: z.array(FileRecord),
  graphs: z.object({ decoder: z.string(), vqEncoder: z.string(), vqDecoder: z.string() }),
  tokenizer: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('tiktoken'), tiktoken: z.string(), visionTokens: z.string() }),
    z.object({ kind: z.literal('tokenizer.json'), path: z.string(), vocabularyMap: z.string().optional() }),
  ]),
  decoder: z.object({
    vocabSize: positiveInt,
    hiddenSize: positiveInt,
    numLayers: positiveInt,
    numHeads: positiveInt,
    numKvHeads: positiveInt,
    headDim: positiveInt,
    intermediateSize: positiveInt,
    rmsNormEps: z.number().positive(),
    ropeTheta: z.number().positive(),
    maxPositionEmbeddings: positiveInt,
  }),
  special: z.object({
    pad: z.number().int(),
    bos: z.number().int(),
    eos: z.number().int(),
    img: z.number().int(),
    boi: z.number().int(),
    eoi: z.number().int(),
    eol: z.number().int(),
    eof: z.number().int(),
  }),
  /** Token id of visual code 0, and the codebook size: visual ids are contiguous (checked at import). */
  visualTokens: z.object({ first: z.number().int(), count: positiveInt }),
  vision: z.object({
    codebookSize: positiveInt,
    embedDim: positiveInt,
    zChannels: positiveInt,
    inChannels: positiveInt,
    outChannels: positiveInt,
    ch: positiveInt,
    chMult: z.array(positiveInt),
    numResBlocks: positiveInt,
    attnResolutions: z.array(z.number().int().nonnegative()),
    temporalDownsampleFactor: positiveInt,
    spatialFactor: positiveInt,
  }),
  preprocessor: z.object({
    imageMean: z.tuple([z.number(), z.number(), z.number()]),
    imageStd: z.tuple([z.number(), z.number(), z.number()]),
    rescaleFactor: z.number(),
    minPixels: positiveInt,
    maxPixels: positiveInt,
    spatialFactor: positiveInt,
  }),
  imageArea: positiveInt,
});
export type PackageManifest = z.infer<typeof PackageManifest>;

/** Reads and validates `dir/manifest.json`; null when the folder has no manifest at all. */
export async function readManifest(dir: string): Promise<PackageManifest | null> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new EngineError('invalid_file', `${path}: not valid JSON`);
  }
  const parsed = PackageManifest.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new EngineError(
      'invalid_file',
      `${path}: ${issue?.path.join('.') || 'manifest'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}
