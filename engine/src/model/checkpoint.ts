/**
 * Opens an Emu3 checkpoint folder in any of the three layouts (docs/emu3-facts.md#checkpoint-layouts): BAAI's
 * original decoder + vision tokenizer folders, transformers' save_pretrained layout, or transformers'
 * in-memory names. The result speaks canonical names and shapes only (checkpoint-names.ts), so nothing
 * downstream knows which layout it came from. Opening checks every name and shape against the config; tensor
 * data is read later, one tensor at a time.
 */
import { readdir, readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { EngineError, InternalError } from '../api/index.js';
import { baaiModelConfig, hfModelConfig } from './checkpoint-config.js';
import {
  type CheckpointLayout,
  type ModelPart,
  expectedTensors,
  isIgnoredTensor,
  toCanonicalName,
  toCanonicalShape,
  toSourceName,
} from './checkpoint-names.js';
import type { ModelConfig } from './model-config.js';
import { SafetensorsFolder, exists, isDirectory } from './safetensors-folder.js';
import { isFloatDtype, listNames } from './safetensors.js';

export type { CheckpointLayout } from './checkpoint-names.js';
export { expectedTensors } from './checkpoint-names.js';

/** The weights under canonical names and shapes. */
export interface TensorSource {
  /** Canonical names, in the order of `expectedTensors`. */
  names(): string[];
  shape(name: string): number[];
  /** The safetensors dtype the checkpoint stores (F32, BF16, F16, F64). */
  sourceDtype(name: string): string;
  /** The tensor in canonical layout; reads only this tensor. */
  readFloat32(name: string): Promise<Float32Array>;
}

export type TokenizerFiles =
  | { kind: 'tiktoken'; tiktoken: string; visionTokens: string }
  | { kind: 'tokenizer.json'; path: string; vocabularyMap?: Record<string, number> };

export interface Checkpoint {
  layout: CheckpointLayout;
  config: ModelConfig;
  tokenizer: TokenizerFiles;
  /** Every file the import reads, for hashing. */
  sourceFiles: string[];
  tensors: TensorSource;
}

const CONFIG = 'config.json';
const PREPROCESSOR = 'preprocessor_config.json';
const VISION_MODEL_TYPE = 'Emu3VisionVQ';

export async function openCheckpoint(src: string, options: { visionDir?: string } = {}): Promise<Checkpoint> {
  const dir = resolve(src);
  if (!(await isDirectory(dir))) throw new EngineError('not_found', `${src}: no such folder`);
  const configPath = join(dir, CONFIG);
  const json = await readJson(configPath, label(configPath));
  const modelType = modelTypeOf(json);
  if (modelType === 'Emu3') return openBaai(dir, json, options.visionDir);
  if (modelType === 'emu3') return openHf(dir, json);
  if (modelType === VISION_MODEL_TYPE) {
    throw new EngineError(
      'unsupported',
      `${src} holds the vision tokenizer (model_type ${VISION_MODEL_TYPE}); give the decoder folder and pass this one with --vq`,
    );
  }
  throw new EngineError(
    'unsupported',
    `${label(configPath)}: model_type ${JSON.stringify(modelType)} is not an Emu3 checkpoint (expected "Emu3" or "emu3")`,
  );
}

async function openBaai(
  dir: string,
  decoderJson: unknown,
  visionDirOption: string | undefined,
): Promise<Checkpoint> {
  const visionDir = visionDirOption === undefined ? await findVisionDir(dir) : resolve(visionDirOption);
  if (!(await isDirectory(visionDir)))
    throw new EngineError('not_found', `${visionDirOption}: no such folder`);
  const visionConfigPath = join(visionDir, CONFIG);
  const visionJson = await readJson(visionConfigPath, label(visionConfigPath));
  const visionType = modelTypeOf(visionJson);
  if (visionType !== VISION_MODEL_TYPE) {
    throw new EngineError(
      'unsupported',
      `${label(visionConfigPath)}: model_type ${JSON.stringify(visionType)} is not the Emu3 vision tokenizer (${VISION_MODEL_TYPE})`,
    );
  }
  const preprocessorPath = join(visionDir, PREPROCESSOR);
  const preprocessorJson = await readJson(preprocessorPath, label(preprocessorPath));
  const config = baaiModelConfig(decoderJson, visionJson, preprocessorJson, {
    decoder: label(join(dir, CONFIG)),
    vision: label(visionConfigPath),
    preprocessor: label(preprocessorPath),
  });
  const tiktoken = await requireFile(join(dir, 'emu3.tiktoken'));
  const visionTokens = await requireFile(join(dir, 'emu3_vision_tokens.txt'));
  const [decoderWeights, visionWeights] = await Promise.all([
    SafetensorsFolder.open(dir),
    SafetensorsFolder.open(visionDir),
  ]);
  const tensors = buildSource('baai', config, [
    { folder: decoderWeights, part: 'decoder' },
    { folder: visionWeights, part: 'vision' },
  ]);
  return {
    layout: 'baai',
    config,
    tokenizer: { kind: 'tiktoken', tiktoken, visionTokens },
    sourceFiles: [
      join(dir, CONFIG),
      ...decoderWeights.files,
      tiktoken,
      visionTokens,
      visionConfigPath,
      preprocessorPath,
      ...visionWeights.files,
    ],
    tensors,
  };
}

async function openHf(dir: string, json: unknown): Promise<Checkpoint> {
  const preprocessorPath = join(dir, PREPROCESSOR);
  const preprocessorJson = await readJson(preprocessorPath, label(preprocessorPath));
  const { config, vocabularyMap } = hfModelConfig(json, preprocessorJson, {
    config: label(join(dir, CONFIG)),
    preprocessor: label(preprocessorPath),
  });
  const tokenizerPath = await requireFile(join(dir, 'tokenizer.json'));
  // tokenizer_config.json carries the special-token settings of the tokenizer.json beside it.
  const tokenizerConfig = join(dir, 'tokenizer_config.json');
  const weights = await SafetensorsFolder.open(dir);
  const layout = detectHfLayout(dir, weights.names());
  return {
    layout,
    config,
    tokenizer: { kind: 'tokenizer.json', path: tokenizerPath, vocabularyMap },
    sourceFiles: [
      join(dir, CONFIG),
      preprocessorPath,
      tokenizerPath,
      ...((await exists(tokenizerConfig)) ? [tokenizerConfig] : []),
      ...weights.files,
    ],
    tensors: buildSource(layout, config, [{ folder: weights }]),
  };
}

/** save_pretrained writes `text_model.*` / `vqmodel.*`; a state dict of the live module has `model.*`. */
function detectHfLayout(dir: string, names: string[]): 'hf-disk' | 'hf-memory' {
  const disk = names.some((name) => name.startsWith('text_model.') || name.startsWith('vqmodel.'));
  const memory = names.some(
    (name) => name.startsWith('model.text_model.') || name.startsWith('model.vqmodel.'),
  );
  if (disk && !memory) return 'hf-disk';
  if (memory && !disk) return 'hf-memory';
  throw new EngineError(
    'invalid_file',
    disk
      ? `${dir}: the weights mix transformers' on-disk names (text_model.*) with its in-memory names (model.text_model.*)`
      : `${dir}: no tensor is named like an Emu3 transformers checkpoint (text_model.* or model.text_model.*)`,
  );
}

/** The Emu3VisionVQ folder beside a BAAI decoder: a child first, then a sibling. */
async function findVisionDir(dir: string): Promise<string> {
  for (const parent of [dir, dirname(dir)]) {
    const found: string[] = [];
    for (const child of await subfolders(parent)) {
      if (child === dir) continue;
      const json = await readJson(join(child, CONFIG), '').catch(() => undefined);
      if (json !== undefined && modelTypeOf(json) === VISION_MODEL_TYPE) found.push(child);
    }
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw new EngineError(
        'unsupported',
        `${dir}: several vision tokenizer folders found (${listNames(found)}); pass the one to use with --vq DIR`,
      );
    }
  }
  throw new EngineError(
    'not_found',
    `${dir}: no vision tokenizer folder (config.json with model_type ${VISION_MODEL_TYPE}) beside or inside it; pass it with --vq DIR`,
  );
}

async function subfolders(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}

interface Located {
  folder: SafetensorsFolder;
  sourceName: string;
  shape: number[];
  dtype: string;
}

/**
 * Maps every stored tensor to its canonical name and checks the result against `expectedTensors(config)`.
 * `part`, where given, is the only model part a folder may hold (BAAI keeps decoder and VQ apart).
 */
function buildSource(
  layout: CheckpointLayout,
  config: ModelConfig,
  folders: { folder: SafetensorsFolder; part?: ModelPart }[],
): TensorSource {
  const located = new Map<string, Located>();
  const unexpected: string[] = [];
  const notFloat: string[] = [];
  for (const { folder, part } of folders) {
    for (const sourceName of folder.names()) {
      if (isIgnoredTensor(sourceName)) continue;
      const canonical = toCanonicalName(layout, sourceName);
      if (!canonical || (part !== undefined && canonical.part !== part)) {
        unexpected.push(sourceName);
        continue;
      }
      const entry = folder.entry(sourceName);
      const earlier = located.get(canonical.name);
      if (earlier) {
        throw new EngineError(
          'invalid_file',
          `${folder.dir}: tensors ${earlier.sourceName} and ${sourceName} are both ${canonical.name}`,
        );
      }
      if (!isFloatDtype(entry.dtype)) notFloat.push(`${sourceName} (${entry.dtype})`);
      located.set(canonical.name, {
        folder,
        sourceName,
        shape: toCanonicalShape(layout, canonical.name, entry.shape),
        dtype: entry.dtype,
      });
    }
  }
  const expected = expectedTensors(config);
  const missing = [...expected.keys()]
    .filter((name) => !located.has(name))
    .map((name) => toSourceName(layout, name));
  for (const [name, tensor] of located) if (!expected.has(name)) unexpected.push(tensor.sourceName);
  const misshapen: string[] = [];
  for (const [name, shape] of expected) {
    const tensor = located.get(name);
    if (tensor && !sameShape(tensor.shape, shape)) {
      misshapen.push(`${tensor.sourceName} is [${tensor.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
  }
  const problems = [
    missing.length > 0 ? `missing ${listNames(missing)}` : '',
    unexpected.length > 0 ? `unexpected ${listNames(unexpected)}` : '',
    misshapen.length > 0 ? `wrong shape: ${listNames(misshapen, 3)}` : '',
    notFloat.length > 0 ? `not floating-point: ${listNames(notFloat)}` : '',
  ].filter(Boolean);
  if (problems.length > 0) {
    const where = folders.map(({ folder }) => folder.dir).join(' + ');
    throw new EngineError(
      'invalid_file',
      `${where}: the weights do not match the config: ${problems.join('; ')}`,
    );
  }
  return new CanonicalTensors([...expected.keys()], located);
}

class CanonicalTensors implements TensorSource {
  constructor(
    private readonly order: readonly string[],
    private readonly located: ReadonlyMap<string, Located>,
  ) {}

  names(): string[] {
    return [...this.order];
  }

  shape(name: string): number[] {
    return [...this.get(name).shape];
  }

  sourceDtype(name: string): string {
    return this.get(name).dtype;
  }

  /** Canonical and stored layouts differ by reshapes only, so the stored element order is already right. */
  readFloat32(name: string): Promise<Float32Array> {
    const tensor = this.get(name);
    return tensor.folder.readFloat32(tensor.sourceName);
  }

  private get(name: string): Located {
    const tensor = this.located.get(name);
    if (!tensor) throw new InternalError(`the checkpoint has no tensor ${name}`);
    return tensor;
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((dim, i) => dim === b[i]);
}

function modelTypeOf(json: unknown): unknown {
  return typeof json === 'object' && json !== null ? (json as Record<string, unknown>).model_type : undefined;
}

/** `decoder/config.json`: enough to tell the BAAI layout's two config.json files apart. */
function label(path: string): string {
  return `${basename(dirname(path))}/${basename(path)}`;
}

async function readJson(path: string, name: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new EngineError(
      code === 'ENOENT' ? 'not_found' : 'invalid_file',
      `${path}: ${code === 'ENOENT' ? 'missing' : (error as Error).message}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EngineError('invalid_file', `${name}: not valid JSON (${(error as Error).message})`);
  }
}

async function requireFile(path: string): Promise<string> {
  if (!(await exists(path))) throw new EngineError('not_found', `${path}: missing`);
  return path;
}
