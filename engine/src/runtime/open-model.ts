/**
 * The one way the engine gets at a model: MODEL is a package folder, or a checkpoint folder that is
 * imported on the fly (then found in the library by its hash next time). Sessions and the tokenizer are
 * opened when first used.
 */
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../api/index.js';
import { openSession, type OpenedSession, type SessionOptions } from './session.js';
import { loadTokenizer, type Emu3Tokenizer } from '../tokenizer/index.js';
import { modelsDir as libraryModelsDir } from '../library/paths.js';
import { importModel, type ImportOptions } from '../model/import-model.js';
import { decoderCacheNames } from '../model/onnx/decoder-graph.js';
import { readManifest, type PackageManifest } from '../model/package-manifest.js';

export type GraphName = keyof PackageManifest['graphs'];

export interface ModelHandle {
  readonly dir: string;
  readonly manifest: PackageManifest;
  tokenizer(): Promise<Emu3Tokenizer>;
  session(graph: GraphName): Promise<OpenedSession>;
  close(): Promise<void>;
}

export interface OpenModelOptions extends SessionOptions, Omit<ImportOptions, 'precision' | 'modelsDir'> {
  precision?: ImportOptions['precision'];
  /** Where a checkpoint given as MODEL is imported to (default: the library's models folder). */
  modelsDir?: string;
}

export async function openModel(path: string, options: OpenModelOptions = {}): Promise<ModelHandle> {
  let dir = path;
  let manifest = await readManifest(path);
  if (!manifest)
    ({ dir, manifest } = await importModel(path, {
      ...options,
      modelsDir: options.modelsDir ?? libraryModelsDir(),
    }));
  await checkFilesPresent(dir, manifest);
  return createHandle(dir, manifest, options);
}

/** Cheap integrity check at load: every file is there with its recorded size (hashes: `emu3 info --verify`). */
async function checkFilesPresent(dir: string, manifest: PackageManifest): Promise<void> {
  for (const file of manifest.files) {
    const size = await stat(join(dir, file.path)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== file.bytes) {
      throw new EngineError(
        'invalid_file',
        size < 0
          ? `${join(dir, file.path)}: missing from the model package`
          : `${join(dir, file.path)}: ${size} bytes, the manifest says ${file.bytes} (damaged package; import again)`,
      );
    }
  }
}

function createHandle(dir: string, manifest: PackageManifest, options: SessionOptions): ModelHandle {
  const sessions = new Map<GraphName, Promise<OpenedSession>>();
  let tokenizer: Promise<Emu3Tokenizer> | undefined;
  return {
    dir,
    manifest,
    tokenizer() {
      tokenizer ??= loadTokenizer(
        manifest.tokenizer.kind === 'tiktoken'
          ? {
              kind: 'tiktoken',
              tiktoken: join(dir, manifest.tokenizer.tiktoken),
              visionTokens: join(dir, manifest.tokenizer.visionTokens),
            }
          : {
              kind: 'tokenizer.json',
              path: join(dir, manifest.tokenizer.path),
              ...(manifest.tokenizer.vocabularyMap
                ? { vocabularyMap: readVocabularyMap(join(dir, manifest.tokenizer.vocabularyMap)) }
                : {}),
            },
      );
      return tokenizer;
    },
    session(graph) {
      let opened = sessions.get(graph);
      if (!opened) {
        const cache =
          graph === 'decoder'
            ? decoderCacheNames(manifest.decoder.numLayers).map((name) => name.present)
            : [];
        opened = openSession(join(dir, manifest.graphs[graph]), { ...options, gpuOutputs: cache });
        sessions.set(graph, opened);
      }
      return opened;
    },
    async close() {
      for (const opened of sessions.values()) await (await opened.catch(() => null))?.session.release();
      sessions.clear();
    },
  };
}

function readVocabularyMap(path: string): Record<string, number> {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
  } catch {
    throw new EngineError('invalid_file', `${path}: missing or not valid JSON`);
  }
}
