/**
 * `emu3 import`: a checkpoint folder (any of the three layouts) becomes an engine model package in the
 * library, keyed by the sha256 of its source files. Import is idempotent (a second import of the same
 * files returns the package already there) and atomic: everything is written into a `.partial-*` folder that
 * is renamed into place only after its manifest is written, so an interrupted import never leaves a
 * folder that loads.
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { EngineError } from '../api/index.js';
import { studioVersion } from '../install/package-info.js';
import { loadTokenizer, type Emu3Tokenizer } from '../tokenizer/index.js';
import { SPECIAL_TOKEN_STRINGS } from './checkpoint-config.js';
import { openCheckpoint, type Checkpoint } from './checkpoint.js';
import { hashFiles, sha256File } from './file-hash.js';
import { buildDecoderGraph } from './onnx/decoder-graph.js';
import { buildVqDecoderGraph } from './onnx/vq-decoder-graph.js';
import { buildVqEncoderGraph } from './onnx/vq-encoder-graph.js';
import {
  MANIFEST_FILE,
  PACKAGE_FORMAT,
  PACKAGE_FORMAT_VERSION,
  readManifest,
  type FileRecord,
  type PackageManifest,
  type Precision,
} from './package-manifest.js';

/** Bumped whenever the graphs the builders emit change, so old packages are rebuilt rather than reused. */
export const GRAPH_BUILDER_VERSION = 1;
/**
 * Above this many weight bytes the decoder's weights go to an external data file. Protobuf caps a graph at
 * 2 GB, and an inline graph is held whole in memory until it is written; streamed weights are not.
 */
const EXTERNAL_DATA_BYTES = 256e6;

export type ImportPhase = 'hash' | 'tokenizer' | 'decoder' | 'vq_encoder' | 'vq_decoder' | 'finish';

export interface ImportProgress {
  phase: ImportPhase;
  done: number;
  total: number;
}

export interface ImportOptions {
  visionDir?: string;
  precision?: Precision;
  /** Where packages live: the library's models folder, or the folder the caller chose (the caller knows where the library is). */
  modelsDir: string;
  /** Weight bytes above which the decoder's weights go to `decoder.onnx.data` (default 256 MB). */
  externalDataAbove?: number;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportResult {
  dir: string;
  manifest: PackageManifest;
  /** True when an identical package was already there. */
  reused: boolean;
}

export async function importModel(src: string, options: ImportOptions): Promise<ImportResult> {
  const checkpoint = await openCheckpoint(src, options.visionDir ? { visionDir: options.visionDir } : {});
  const precision = options.precision ?? defaultPrecision(checkpoint);
  const root = options.modelsDir;
  const progress = options.onProgress ?? (() => {});

  const sourceFiles = [...checkpoint.sourceFiles].sort();
  const hashes = await hashFiles(sourceFiles, join(root, '.source-hashes.json'), (done, total) =>
    progress({ phase: 'hash', done, total }),
  );
  const id = packageId([...hashes.values()], precision);
  const dir = join(root, id);
  const existing = await readManifest(dir).catch(() => null);
  if (existing) return { dir, manifest: existing, reused: true };

  await mkdir(root, { recursive: true });
  await removeStalePartials(root);
  const partial = join(root, `.partial-${id}-${process.pid}`);
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial);
  try {
    progress({ phase: 'tokenizer', done: 0, total: 1 });
    const tokenizer = await copyTokenizer(checkpoint, partial);
    const visualTokens = await checkTokenizerAgainstConfig(checkpoint, tokenizer.files);
    progress({ phase: 'tokenizer', done: 1, total: 1 });

    await buildGraphs(
      checkpoint,
      partial,
      precision,
      options.externalDataAbove ?? EXTERNAL_DATA_BYTES,
      progress,
    );
    const files = await hashPackageFiles(partial);
    const manifest: PackageManifest = {
      format: PACKAGE_FORMAT,
      formatVersion: PACKAGE_FORMAT_VERSION,
      id,
      engineVersion: studioVersion(),
      createdAt: new Date().toISOString(),
      source: {
        layout: checkpoint.layout,
        paths: [resolve(src), ...(options.visionDir ? [resolve(options.visionDir)] : [])],
        files: [...hashes.values()],
      },
      precision,
      files,
      graphs: { decoder: 'decoder.onnx', vqEncoder: 'vq_encoder.onnx', vqDecoder: 'vq_decoder.onnx' },
      tokenizer: tokenizer.manifest,
      decoder: checkpoint.config.decoder,
      special: checkpoint.config.special,
      visualTokens,
      vision: checkpoint.config.vision,
      preprocessor: checkpoint.config.preprocessor,
      imageArea: checkpoint.config.imageArea,
    };
    await writeFile(join(partial, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    progress({ phase: 'finish', done: 1, total: 1 });
    try {
      await rename(partial, dir);
    } catch (error) {
      // Another import of the same files finished first: theirs is identical.
      const theirs = await readManifest(dir).catch(() => null);
      if (theirs) {
        await rm(partial, { recursive: true, force: true });
        return { dir, manifest: theirs, reused: true };
      }
      // A damaged package (no valid manifest) holds nothing but derived files: replace it.
      await rm(dir, { recursive: true, force: true });
      await rename(partial, dir).catch(() => {
        throw error;
      });
    }
    return { dir, manifest, reused: false };
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw error;
  }
}

/** Small models run in fp32 anywhere; billion-parameter ones default to int4 so they fit. */
export function defaultPrecision(checkpoint: Checkpoint): Precision {
  const { vocabSize, hiddenSize, numLayers, intermediateSize } = checkpoint.config.decoder;
  const params =
    2 * vocabSize * hiddenSize +
    numLayers * (4 * hiddenSize * hiddenSize + 3 * hiddenSize * intermediateSize);
  return params > 1e9 ? 'int4' : 'fp32';
}

function packageId(sources: FileRecord[], precision: Precision): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ format: PACKAGE_FORMAT_VERSION, builder: GRAPH_BUILDER_VERSION, precision }));
  for (const file of [...sources].sort((a, b) => a.sha256.localeCompare(b.sha256))) hash.update(file.sha256);
  return hash.digest('hex');
}

async function copyTokenizer(
  checkpoint: Checkpoint,
  dir: string,
): Promise<{ manifest: PackageManifest['tokenizer']; files: Parameters<typeof loadTokenizer>[0] }> {
  await mkdir(join(dir, 'tokenizer'));
  const source = checkpoint.tokenizer;
  if (source.kind === 'tiktoken') {
    await copyFile(source.tiktoken, join(dir, 'tokenizer', 'emu3.tiktoken'));
    await copyFile(source.visionTokens, join(dir, 'tokenizer', 'emu3_vision_tokens.txt'));
    const manifest = {
      kind: 'tiktoken' as const,
      tiktoken: 'tokenizer/emu3.tiktoken',
      visionTokens: 'tokenizer/emu3_vision_tokens.txt',
    };
    return {
      manifest,
      files: {
        ...manifest,
        tiktoken: join(dir, manifest.tiktoken),
        visionTokens: join(dir, manifest.visionTokens),
      },
    };
  }
  await copyFile(source.path, join(dir, 'tokenizer', 'tokenizer.json'));
  if (source.vocabularyMap) {
    await writeFile(join(dir, 'tokenizer', 'vocabulary_map.json'), JSON.stringify(source.vocabularyMap));
  }
  const manifest = {
    kind: 'tokenizer.json' as const,
    path: 'tokenizer/tokenizer.json',
    ...(source.vocabularyMap ? { vocabularyMap: 'tokenizer/vocabulary_map.json' } : {}),
  };
  return {
    manifest,
    files: {
      kind: 'tokenizer.json',
      path: join(dir, manifest.path),
      ...(source.vocabularyMap ? { vocabularyMap: source.vocabularyMap } : {}),
    },
  };
}

/**
 * The special ids come from config.json and the visual ids from the tokenizer files: check they agree
 * (the real model: BOS 151849, first visual token 151854), and that visual ids are one contiguous run.
 */
async function checkTokenizerAgainstConfig(
  checkpoint: Checkpoint,
  files: Parameters<typeof loadTokenizer>[0],
): Promise<PackageManifest['visualTokens']> {
  const tokenizer: Emu3Tokenizer = await loadTokenizer(files);
  const { special, vision, decoder } = checkpoint.config;
  for (const [key, token] of Object.entries(SPECIAL_TOKEN_STRINGS)) {
    const id = special[key as keyof typeof SPECIAL_TOKEN_STRINGS];
    const actual = tokenizer.tokenToId(token);
    if (actual !== id) {
      throw new EngineError(
        'invalid_file',
        `config.json says ${token} is ${id}, but the tokenizer files give ${actual ?? 'no id'}`,
      );
    }
  }
  if (tokenizer.codebookSize !== vision.codebookSize) {
    throw new EngineError(
      'invalid_file',
      `the tokenizer has ${tokenizer.codebookSize} visual tokens but the vision tokenizer's codebook has ${vision.codebookSize}`,
    );
  }
  const first = tokenizer.visualTokenId(0);
  for (let code = 1; code < vision.codebookSize; code++) {
    if (tokenizer.visualTokenId(code) !== first + code) {
      throw new EngineError(
        'unsupported',
        `visual tokens are not contiguous: code ${code} has id ${tokenizer.visualTokenId(code)}`,
      );
    }
  }
  if (first + vision.codebookSize > decoder.vocabSize) {
    throw new EngineError(
      'invalid_file',
      `visual token ids reach ${first + vision.codebookSize - 1}, past vocab_size ${decoder.vocabSize}`,
    );
  }
  return { first, count: vision.codebookSize };
}

async function buildGraphs(
  checkpoint: Checkpoint,
  dir: string,
  precision: Precision,
  externalDataAbove: number,
  progress: (p: ImportProgress) => void,
): Promise<void> {
  const { tensors, config } = checkpoint;
  const counting = (phase: ImportPhase, prefix: (name: string) => boolean) => {
    const total = tensors.names().filter(prefix).length;
    let done = 0;
    progress({ phase, done, total });
    return async (name: string) => {
      const data = await tensors.readFloat32(name);
      progress({ phase, done: ++done, total });
      return data;
    };
  };
  const isVision = (name: string) =>
    name.startsWith('encoder.') ||
    name.startsWith('decoder.') ||
    /^(quantize|quant_conv|post_quant_conv)\./.test(name);

  const bytesPerWeight = { fp32: 4, fp16: 2, int8: 1, int4: 0.5 }[precision];
  const weightBytes = tensors
    .names()
    .filter((name) => !isVision(name))
    .reduce((sum, name) => sum + tensors.shape(name).reduce((a, b) => a * b, 1) * bytesPerWeight, 0);
  const decoderGraph = await buildDecoderGraph(
    config.decoder,
    counting('decoder', (n) => !isVision(n)),
    {
      precision,
      // ONNX Runtime's fused operators (GroupQueryAttention, MatMulNBits, ...) run on its CPU, CUDA, DirectML
      // and WebGPU providers, and are the fast path; the plain form stays available to the graph builder.
      attention: 'fused',
      ...(weightBytes > externalDataAbove
        ? { externalData: { path: join(dir, 'decoder.onnx.data'), location: 'decoder.onnx.data' } }
        : {}),
    },
  );
  await writeFile(join(dir, 'decoder.onnx'), decoderGraph);
  const encoder = await buildVqEncoderGraph(config.vision, counting('vq_encoder', isVision));
  await writeFile(join(dir, 'vq_encoder.onnx'), encoder);
  const vqDecoder = await buildVqDecoderGraph(config.vision, counting('vq_decoder', isVision));
  await writeFile(join(dir, 'vq_decoder.onnx'), vqDecoder);
}

async function hashPackageFiles(dir: string): Promise<FileRecord[]> {
  const records: FileRecord[] = [];
  const walk = async (sub: string): Promise<void> => {
    for (const entry of await readdir(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(rel);
      else
        records.push({
          path: rel,
          bytes: (await stat(join(dir, rel))).size,
          sha256: await sha256File(join(dir, rel)),
        });
    }
  };
  await walk('');
  return records.sort((a, b) => a.path.localeCompare(b.path));
}

/** Partial folders of imports whose process is gone (killed, crashed) are only litter. */
async function removeStalePartials(root: string): Promise<void> {
  for (const entry of await readdir(root)) {
    const match = /^\.partial-[0-9a-f]{64}-(\d+)$/.exec(entry);
    if (!match || isAlive(Number(match[1]))) continue;
    await rm(join(root, entry), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
