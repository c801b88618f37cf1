/**
 * A validating safetensors reader (https://github.com/huggingface/safetensors, "Format"): an 8-byte
 * little-endian header length N, N bytes of JSON describing every tensor, then the data region.
 *
 * Checkpoints run to tens of gigabytes, so nothing here loads a whole file: the header is parsed once and each
 * tensor is read on demand with positioned reads, in bounded chunks. Every problem with a file becomes one
 * `EngineError` line that names the file and what is wrong with it.
 */
import { open } from 'node:fs/promises';
import { endianness } from 'node:os';
import { basename } from 'node:path';
import { EngineError, InternalError } from '../api/index.js';

/** Bytes per element of each dtype the reader understands. */
const DTYPE_SIZE = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
} as const;
export type SafetensorsDtype = keyof typeof DTYPE_SIZE;

const FLOAT_DTYPES: ReadonlySet<SafetensorsDtype> = new Set(['F64', 'F32', 'F16', 'BF16']);

export function isFloatDtype(dtype: SafetensorsDtype): boolean {
  return FLOAT_DTYPES.has(dtype);
}

/** A header this long is not a checkpoint header (a real one is at most a few MB), it is a broken file. */
const MAX_HEADER_BYTES = 100 * 1024 * 1024;
/** Positioned reads and dtype conversion go in chunks this size, so a 3 GB embedding needs no 3 GB scratch. */
const READ_CHUNK_BYTES = 64 * 1024 * 1024;

export interface TensorEntry {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  /** Absolute byte offset of the tensor's data in the file. */
  readonly offset: number;
  readonly byteLength: number;
}

/** A tensor's bytes as the file stores them: F16/BF16 come back as their raw 16-bit patterns. */
export type RawTensorData =
  | { dtype: 'F64'; data: Float64Array }
  | { dtype: 'F32'; data: Float32Array }
  | { dtype: 'F16' | 'BF16'; data: Uint16Array }
  | { dtype: 'I64'; data: BigInt64Array }
  | { dtype: 'I32'; data: Int32Array }
  | { dtype: 'I16'; data: Int16Array }
  | { dtype: 'I8'; data: Int8Array }
  | { dtype: 'U8' | 'BOOL'; data: Uint8Array };

/** "a, b, c, d, e and 3 more": keeps messages about many tensors to one readable line. */
export function listNames(names: readonly string[], max = 5): string {
  const shown = names.slice(0, max).join(', ');
  return names.length > max ? `${shown} and ${names.length - max} more` : shown;
}

/** An `invalid_file` error that names the file as the shard index does: by its base name. */
export function invalidFileError(file: string, problem: string): EngineError {
  return new EngineError('invalid_file', `${basename(file)}: ${problem}`);
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** Checks one header entry and turns it into a `TensorEntry` with absolute offsets. */
function parseEntry(
  file: string,
  name: string,
  raw: unknown,
  dataStart: number,
  dataBytes: number,
): TensorEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalidFileError(file, `tensor ${name}: header entry is not an object`);
  }
  const { dtype, shape, data_offsets: offsets } = raw as Record<string, unknown>;
  if (typeof dtype !== 'string' || !Object.hasOwn(DTYPE_SIZE, dtype)) {
    throw invalidFileError(file, `tensor ${name}: unknown dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw invalidFileError(
      file,
      `tensor ${name}: shape ${JSON.stringify(shape)} is not a list of non-negative integers`,
    );
  }
  const numel = shape.reduce((product: number, dim: number) => product * dim, 1);
  if (!Number.isSafeInteger(numel))
    throw invalidFileError(file, `tensor ${name}: shape ${JSON.stringify(shape)} is too large`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw invalidFileError(
      file,
      `tensor ${name}: data_offsets ${JSON.stringify(offsets)} are not two non-negative integers`,
    );
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin)
    throw invalidFileError(file, `tensor ${name}: data_offsets end ${end} is before begin ${begin}`);
  const size = DTYPE_SIZE[dtype as SafetensorsDtype];
  if (end - begin !== numel * size) {
    throw invalidFileError(
      file,
      `tensor ${name}: holds ${end - begin} bytes but ${dtype} ${JSON.stringify(shape)} needs ${numel * size}`,
    );
  }
  if (end > dataBytes) {
    throw invalidFileError(
      file,
      `truncated: tensor ${name} ends at byte ${end} but the file has ${dataBytes} data bytes`,
    );
  }
  return {
    name,
    dtype: dtype as SafetensorsDtype,
    shape,
    offset: dataStart + begin,
    byteLength: end - begin,
  };
}

/** One `.safetensors` file: its validated header, and reads of single tensors. */
export class SafetensorsFile {
  private constructor(
    readonly path: string,
    readonly metadata: Readonly<Record<string, unknown>>,
    private readonly entries: ReadonlyMap<string, TensorEntry>,
  ) {}

  static async open(path: string): Promise<SafetensorsFile> {
    const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
      throw new EngineError(
        error.code === 'ENOENT' ? 'not_found' : 'invalid_file',
        `${basename(path)}: cannot open: ${error.message}`,
      );
    });
    try {
      const fileBytes = (await handle.stat()).size;
      if (fileBytes < 8)
        throw invalidFileError(path, `${fileBytes} bytes is too short for a safetensors file`);
      const prefix = Buffer.alloc(8);
      await handle.read(prefix, 0, 8, 0);
      const headerLength = prefix.readBigUInt64LE(0);
      if (headerLength > BigInt(fileBytes - 8)) {
        throw invalidFileError(
          path,
          `header length ${headerLength} is larger than the file (${fileBytes} bytes)`,
        );
      }
      if (headerLength > BigInt(MAX_HEADER_BYTES)) {
        throw invalidFileError(
          path,
          `header length ${headerLength} is absurd (more than ${MAX_HEADER_BYTES} bytes)`,
        );
      }
      const headerBytes = Number(headerLength);
      const headerBuffer = Buffer.alloc(headerBytes);
      await handle.read(headerBuffer, 0, headerBytes, 8);
      let header: unknown;
      try {
        header = JSON.parse(headerBuffer.toString('utf8'));
      } catch (error) {
        throw invalidFileError(path, `header is not valid JSON (${(error as Error).message})`);
      }
      if (typeof header !== 'object' || header === null || Array.isArray(header)) {
        throw invalidFileError(path, 'header is not a JSON object');
      }
      const dataStart = 8 + headerBytes;
      const dataBytes = fileBytes - dataStart;
      let metadata: Record<string, unknown> = {};
      const entries = new Map<string, TensorEntry>();
      for (const [name, raw] of Object.entries(header)) {
        if (name === '__metadata__') {
          if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
            throw invalidFileError(path, '__metadata__ is not an object');
          }
          metadata = raw as Record<string, unknown>;
          continue;
        }
        entries.set(name, parseEntry(path, name, raw, dataStart, dataBytes));
      }
      checkNoOverlap(path, [...entries.values()]);
      return new SafetensorsFile(path, metadata, entries);
    } finally {
      await handle.close();
    }
  }

  names(): string[] {
    return [...this.entries.keys()];
  }

  has(name: string): boolean {
    return this.entries.has(name);
  }

  entry(name: string): TensorEntry {
    const entry = this.entries.get(name);
    if (!entry) throw new InternalError(`${basename(this.path)} has no tensor ${name}`);
    return entry;
  }

  /** The tensor as float32, whatever float dtype the file stores. */
  async readFloat32(name: string): Promise<Float32Array> {
    const entry = this.entry(name);
    const count = entry.byteLength / DTYPE_SIZE[entry.dtype];
    const out = new Float32Array(count);
    switch (entry.dtype) {
      case 'F32':
        await this.readInto(entry, new Uint8Array(out.buffer));
        return out;
      case 'BF16':
      case 'F16':
      case 'F64': {
        const convert = entry.dtype === 'BF16' ? bf16ToF32 : entry.dtype === 'F16' ? f16ToF32 : f64ToF32;
        const size = DTYPE_SIZE[entry.dtype];
        await this.readChunks(entry, (chunk, byteOffset) => convert(chunk, out, byteOffset / size));
        return out;
      }
      default:
        throw new EngineError(
          'invalid_file',
          `${basename(this.path)}: tensor ${name} is ${entry.dtype}, not a floating-point tensor`,
        );
    }
  }

  /** The tensor's elements as stored (integer buffers, and the raw bits of F16/BF16). */
  async readRaw(name: string): Promise<RawTensorData> {
    const entry = this.entry(name);
    const bytes = new Uint8Array(entry.byteLength);
    await this.readInto(entry, bytes);
    const buffer = bytes.buffer;
    switch (entry.dtype) {
      case 'F64':
        return { dtype: entry.dtype, data: new Float64Array(buffer) };
      case 'F32':
        return { dtype: entry.dtype, data: new Float32Array(buffer) };
      case 'F16':
      case 'BF16':
        return { dtype: entry.dtype, data: new Uint16Array(buffer) };
      case 'I64':
        return { dtype: entry.dtype, data: new BigInt64Array(buffer) };
      case 'I32':
        return { dtype: entry.dtype, data: new Int32Array(buffer) };
      case 'I16':
        return { dtype: entry.dtype, data: new Int16Array(buffer) };
      case 'I8':
        return { dtype: entry.dtype, data: new Int8Array(buffer) };
      case 'U8':
      case 'BOOL':
        return { dtype: entry.dtype, data: bytes };
    }
  }

  private async readInto(entry: TensorEntry, target: Uint8Array): Promise<void> {
    await this.readChunks(entry, (chunk, byteOffset) => target.set(chunk, byteOffset));
  }

  /** Reads the tensor's bytes in order, `READ_CHUNK_BYTES` at a time (a multiple of every dtype size). */
  private async readChunks(entry: TensorEntry, sink: (chunk: Uint8Array, byteOffset: number) => void) {
    if (endianness() !== 'LE') throw new EngineError('unsupported', 'big-endian machines are not supported');
    const handle = await open(this.path, 'r');
    try {
      const scratch = new Uint8Array(Math.min(READ_CHUNK_BYTES, entry.byteLength));
      for (let done = 0; done < entry.byteLength;) {
        const want = Math.min(scratch.length, entry.byteLength - done);
        let got = 0;
        while (got < want) {
          const { bytesRead } = await handle.read(scratch, got, want - got, entry.offset + done + got);
          if (bytesRead === 0) {
            // The file shrank after its header was checked.
            throw invalidFileError(this.path, `truncated while reading tensor ${entry.name}`);
          }
          got += bytesRead;
        }
        sink(scratch.subarray(0, want), done);
        done += want;
      }
    } finally {
      await handle.close();
    }
  }
}

function checkNoOverlap(file: string, entries: TensorEntry[]): void {
  const sorted = entries.filter((entry) => entry.byteLength > 0).sort((a, b) => a.offset - b.offset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (current.offset < previous.offset + previous.byteLength) {
      throw invalidFileError(file, `tensors ${previous.name} and ${current.name} overlap`);
    }
  }
}

/** bfloat16 is the upper half of a float32, so widening is a shift. */
function bf16ToF32(chunk: Uint8Array, out: Float32Array, start: number): void {
  const src = new Uint16Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 2);
  const bits = new Uint32Array(out.buffer, start * 4, src.length);
  for (let i = 0; i < src.length; i++) bits[i] = src[i]! << 16;
}

/** IEEE half: rebias normal numbers' exponents, keep inf/NaN payloads, and scale subnormals exactly. */
function f16ToF32(chunk: Uint8Array, out: Float32Array, start: number): void {
  const src = new Uint16Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 2);
  const bits = new Uint32Array(out.buffer, start * 4, src.length);
  for (let i = 0; i < src.length; i++) {
    const half = src[i]!;
    const sign = (half & 0x8000) << 16;
    const exponent = (half >> 10) & 0x1f;
    const mantissa = half & 0x3ff;
    if (exponent === 0) {
      if (mantissa === 0) bits[i] = sign;
      else out[start + i] = (sign ? -mantissa : mantissa) * 2 ** -24;
    } else if (exponent === 0x1f) {
      bits[i] = sign | 0x7f800000 | (mantissa << 13);
    } else {
      bits[i] = sign | ((exponent + 112) << 23) | (mantissa << 13);
    }
  }
}

function f64ToF32(chunk: Uint8Array, out: Float32Array, start: number): void {
  out.set(new Float64Array(chunk.buffer, chunk.byteOffset, chunk.byteLength / 8), start);
}
