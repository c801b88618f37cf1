/**
 * A checkpoint folder's weights: one `model.safetensors`, or the shards named by
 * `model.safetensors.index.json` ({metadata, weight_map: tensor name -> shard file}), checked against each other.
 */
import { constants as fsConstants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { EngineError, InternalError } from '../api/index.js';
import {
  type RawTensorData,
  SafetensorsFile,
  type TensorEntry,
  invalidFileError,
  listNames,
} from './safetensors.js';

export const SINGLE_FILE = 'model.safetensors';
export const INDEX_FILE = 'model.safetensors.index.json';

const ShardIndex = z.object({
  metadata: z.record(z.string(), z.unknown()).nullish(),
  weight_map: z.record(z.string(), z.string()),
});

/**
 * The weights of one checkpoint folder: `model.safetensors`, or the shards named by
 * `model.safetensors.index.json` (transformers looks for them in that order, and so do we).
 */
export class SafetensorsFolder {
  private constructor(
    readonly dir: string,
    /** Every file the weights were read from: the index first where there is one, then the shards. */
    readonly files: readonly string[],
    private readonly owner: ReadonlyMap<string, SafetensorsFile>,
  ) {}

  static async open(dir: string): Promise<SafetensorsFolder> {
    const single = join(dir, SINGLE_FILE);
    if (await exists(single)) {
      const file = await SafetensorsFile.open(single);
      return new SafetensorsFolder(dir, [single], new Map(file.names().map((name) => [name, file])));
    }
    const indexPath = join(dir, INDEX_FILE);
    if (!(await exists(indexPath))) {
      throw new EngineError('not_found', `${dir}: no ${SINGLE_FILE} or ${INDEX_FILE}`);
    }
    const weightMap = await readIndex(indexPath);
    const byShard = new Map<string, string[]>();
    for (const [name, shard] of Object.entries(weightMap)) {
      byShard.set(shard, [...(byShard.get(shard) ?? []), name]);
    }
    const shards = new Map<string, SafetensorsFile>();
    for (const [shard, names] of byShard) {
      const shardPath = join(dir, shard);
      if (!(await exists(shardPath))) {
        throw new EngineError(
          'not_found',
          `${INDEX_FILE}: shard ${shard} (holding ${names.length} tensors) does not exist`,
        );
      }
      const file = await SafetensorsFile.open(shardPath);
      const absent = names.filter((name) => !file.has(name));
      if (absent.length > 0) {
        throw invalidFileError(
          indexPath,
          `${shard} does not contain tensors the index places there: ${listNames(absent)}`,
        );
      }
      shards.set(shard, file);
    }
    const owner = new Map(Object.entries(weightMap).map(([name, shard]) => [name, shards.get(shard)!]));
    return new SafetensorsFolder(dir, [indexPath, ...[...shards.values()].map((file) => file.path)], owner);
  }

  names(): string[] {
    return [...this.owner.keys()];
  }

  has(name: string): boolean {
    return this.owner.has(name);
  }

  /** The file that holds `name`. */
  fileOf(name: string): SafetensorsFile {
    const file = this.owner.get(name);
    if (!file) throw new InternalError(`${this.dir} has no tensor ${name}`);
    return file;
  }

  entry(name: string): TensorEntry {
    return this.fileOf(name).entry(name);
  }

  readFloat32(name: string): Promise<Float32Array> {
    return this.fileOf(name).readFloat32(name);
  }

  readRaw(name: string): Promise<RawTensorData> {
    return this.fileOf(name).readRaw(name);
  }
}

async function readIndex(indexPath: string): Promise<Record<string, string>> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(indexPath, 'utf8'));
  } catch (error) {
    throw invalidFileError(indexPath, `not valid JSON (${(error as Error).message})`);
  }
  const parsed = ShardIndex.safeParse(json);
  if (!parsed.success)
    throw invalidFileError(indexPath, 'weight_map is missing or is not an object of file names');
  const weightMap = parsed.data.weight_map;
  if (Object.keys(weightMap).length === 0) throw invalidFileError(indexPath, 'weight_map is empty');
  for (const shard of new Set(Object.values(weightMap))) {
    // Shards live beside the index; anything else would let an index point at arbitrary files.
    if (shard !== basename(shard) || shard === '..' || shard === '.' || shard.includes('\\')) {
      throw invalidFileError(
        indexPath,
        `shard ${JSON.stringify(shard)} is not a file name in the same folder`,
      );
    }
  }
  return weightMap;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path, fsConstants.F_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `path` is a directory (false when it does not exist). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
