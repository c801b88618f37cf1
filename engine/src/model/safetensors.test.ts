import { mkdirSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { SafetensorsFolder } from './safetensors-folder.js';
import { SafetensorsFile, listNames } from './safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'safetensors-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface TestTensor {
  dtype: string;
  shape: number[];
  bytes: Uint8Array;
}

/** A file with exactly this header text (or object) and data region; `headerLength` overrides the prefix. */
function rawFile(name: string, header: unknown, data = new Uint8Array(0), headerLength?: bigint): string {
  const text = Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(headerLength ?? BigInt(text.length));
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([prefix, text, data]));
  return path;
}

/** A well-formed file: tensors laid out back to back in the given order. */
function writeSafetensors(
  name: string,
  tensors: Record<string, TestTensor>,
  metadata?: Record<string, string>,
) {
  const header: Record<string, unknown> = metadata ? { __metadata__: metadata } : {};
  let offset = 0;
  for (const [tensorName, tensor] of Object.entries(tensors)) {
    header[tensorName] = {
      dtype: tensor.dtype,
      shape: tensor.shape,
      data_offsets: [offset, offset + tensor.bytes.length],
    };
    offset += tensor.bytes.length;
  }
  return rawFile(name, header, Buffer.concat(Object.values(tensors).map((tensor) => tensor.bytes)));
}

const f32 = (...values: number[]) => new Uint8Array(new Float32Array(values).buffer);
const u16 = (...values: number[]) => new Uint8Array(new Uint16Array(values).buffer);

async function expectError(promise: Promise<unknown>, code: string, message: string) {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(code);
  expect((error as EngineError).message).toBe(message);
}

describe('SafetensorsFile header validation', () => {
  const entry = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

  it('rejects a file shorter than the length prefix', async () => {
    const path = join(dir, 'short.safetensors');
    writeFileSync(path, Buffer.alloc(5));
    await expectError(
      SafetensorsFile.open(path),
      'invalid_file',
      'short.safetensors: 5 bytes is too short for a safetensors file',
    );
  });

  it('rejects a header length beyond the end of the file', async () => {
    const path = rawFile('long.safetensors', { x: entry }, f32(1, 2), 1000n);
    await expectError(
      SafetensorsFile.open(path),
      'invalid_file',
      'long.safetensors: header length 1000 is larger than the file (70 bytes)',
    );
  });

  it('rejects an absurd header length even when the file is that big', async () => {
    const path = rawFile('absurd.safetensors', '{}', undefined, 200_000_000n);
    truncateSync(path, 210_000_000); // sparse: costs no disk
    await expectError(
      SafetensorsFile.open(path),
      'invalid_file',
      'absurd.safetensors: header length 200000000 is absurd (more than 104857600 bytes)',
    );
  });

  it('rejects a header that is not JSON, or not an object', async () => {
    const notJson = rawFile('not-json.safetensors', '{"x": ');
    await expect(SafetensorsFile.open(notJson)).rejects.toThrow(
      /^not-json\.safetensors: header is not valid JSON/,
    );
    await expectError(
      SafetensorsFile.open(rawFile('array.safetensors', '[1, 2]')),
      'invalid_file',
      'array.safetensors: header is not a JSON object',
    );
    await expectError(
      SafetensorsFile.open(rawFile('meta.safetensors', { __metadata__: 'x' })),
      'invalid_file',
      'meta.safetensors: __metadata__ is not an object',
    );
  });

  it.each([
    [{ ...entry, dtype: 'F8_E4M3' }, 'tensor x: unknown dtype "F8_E4M3"'],
    [{ ...entry, shape: [-2] }, 'tensor x: shape [-2] is not a list of non-negative integers'],
    [{ ...entry, shape: [1.5] }, 'tensor x: shape [1.5] is not a list of non-negative integers'],
    [{ ...entry, shape: 'big' }, 'tensor x: shape "big" is not a list of non-negative integers'],
    [
      { ...entry, data_offsets: [0, 8.5] },
      'tensor x: data_offsets [0,8.5] are not two non-negative integers',
    ],
    [{ ...entry, data_offsets: [0] }, 'tensor x: data_offsets [0] are not two non-negative integers'],
    [{ ...entry, data_offsets: [8, 0] }, 'tensor x: data_offsets end 0 is before begin 8'],
    [{ ...entry, shape: [3] }, 'tensor x: holds 8 bytes but F32 [3] needs 12'],
    [
      { ...entry, data_offsets: [4, 12] },
      'truncated: tensor x ends at byte 12 but the file has 8 data bytes',
    ],
    ['nope', 'tensor x: header entry is not an object'],
  ])('rejects a bad entry: %j', async (bad, problem) => {
    await expectError(
      SafetensorsFile.open(rawFile('bad.safetensors', { x: bad }, f32(1, 2))),
      'invalid_file',
      `bad.safetensors: ${problem}`,
    );
  });

  it('names the tensor and the sizes when a shard is truncated', async () => {
    const path = rawFile(
      'model-00002-of-00004.safetensors',
      { 'model.norm.weight': { dtype: 'F32', shape: [2250], data_offsets: [0, 9000] } },
      new Uint8Array(4096),
    );
    await expectError(
      SafetensorsFile.open(path),
      'invalid_file',
      'model-00002-of-00004.safetensors: truncated: tensor model.norm.weight ends at byte 9000 but the file has 4096 data bytes',
    );
  });

  it('rejects overlapping tensors', async () => {
    const header = { a: entry, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    await expectError(
      SafetensorsFile.open(rawFile('overlap.safetensors', header, f32(1, 2))),
      'invalid_file',
      'overlap.safetensors: tensors a and b overlap',
    );
  });

  it('reports a missing file as not found', async () => {
    const error = await SafetensorsFile.open(join(dir, 'absent.safetensors')).catch(
      (caught: unknown) => caught,
    );
    expect((error as EngineError).code).toBe('not_found');
    expect((error as EngineError).message).toMatch(/^absent\.safetensors: cannot open/);
  });

  it('accepts empty tensors, metadata and a space-padded header', async () => {
    const header = JSON.stringify({
      __metadata__: { format: 'pt' },
      empty: { dtype: 'F32', shape: [0, 3], data_offsets: [0, 0] },
      x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    });
    const file = await SafetensorsFile.open(rawFile('ok.safetensors', header + '    ', f32(1, 2)));
    expect(file.metadata).toEqual({ format: 'pt' });
    expect(file.names()).toEqual(['empty', 'x']);
    expect(file.entry('empty').shape).toEqual([0, 3]);
    expect(await file.readFloat32('empty')).toEqual(new Float32Array(0));
    expect(await file.readFloat32('x')).toEqual(new Float32Array([1, 2]));
  });
});

describe('SafetensorsFile reads', () => {
  it('decodes bfloat16 bit patterns', async () => {
    const patterns = [0x3f80, 0xc000, 0x0000, 0x8000, 0x7f80, 0xff80, 0x7fc0, 0x0001, 0x3eaa, 0x7f7f];
    const path = writeSafetensors('bf16.safetensors', {
      x: { dtype: 'BF16', shape: [patterns.length], bytes: u16(...patterns) },
    });
    const values = await (await SafetensorsFile.open(path)).readFloat32('x');
    const bits = new Uint32Array(values.buffer);
    expect([...bits]).toEqual(patterns.map((pattern) => (pattern << 16) >>> 0));
    expect(values[0]).toBe(1);
    expect(values[1]).toBe(-2);
    expect(Object.is(values[3], -0)).toBe(true);
    expect(values[4]).toBe(Infinity);
    expect(values[5]).toBe(-Infinity);
    expect(values[6]).toBeNaN();
    expect(values[7]).toBe(2 ** -133); // the smallest bf16 subnormal
    expect(values[8]).toBe(0.33203125);
  });

  it('decodes float16 bit patterns, subnormals, infinities and NaN included', async () => {
    const cases: [number, number][] = [
      [0x3c00, 1],
      [0xc000, -2],
      [0x7bff, 65504],
      [0x0400, 2 ** -14],
      [0x0001, 2 ** -24],
      [0x03ff, 1023 * 2 ** -24],
      [0x8001, -(2 ** -24)],
      [0x3555, 0.333251953125],
      [0x0000, 0],
      [0x8000, -0],
      [0x7c00, Infinity],
      [0xfc00, -Infinity],
    ];
    const nan = [0x7e00, 0xfe01];
    const path = writeSafetensors('f16.safetensors', {
      x: {
        dtype: 'F16',
        shape: [cases.length + nan.length],
        bytes: u16(...cases.map(([bits]) => bits), ...nan),
      },
    });
    const values = await (await SafetensorsFile.open(path)).readFloat32('x');
    cases.forEach(([bits, expected], i) => expect(values[i], `0x${bits.toString(16)}`).toBe(expected));
    expect(values[cases.length]).toBeNaN();
    expect(values[cases.length + 1]).toBeNaN();
  });

  it('reads F32 and F64 as float32, and integer tensors raw', async () => {
    const path = writeSafetensors('mixed.safetensors', {
      a: { dtype: 'F32', shape: [2, 2], bytes: f32(1, -2.5, 3, 1e-30) },
      b: { dtype: 'F64', shape: [2], bytes: new Uint8Array(new Float64Array([0.1, -7]).buffer) },
      c: { dtype: 'I64', shape: [2], bytes: new Uint8Array(new BigInt64Array([-3n, 2n ** 40n]).buffer) },
      d: { dtype: 'BOOL', shape: [3], bytes: new Uint8Array([1, 0, 1]) },
      e: { dtype: 'I32', shape: [1], bytes: new Uint8Array(new Int32Array([-9]).buffer) },
      f: { dtype: 'BF16', shape: [1], bytes: u16(0x3f80) },
    });
    const file = await SafetensorsFile.open(path);
    expect(await file.readFloat32('a')).toEqual(new Float32Array([1, -2.5, 3, 1e-30]));
    expect(await file.readFloat32('b')).toEqual(new Float32Array([0.1, -7]));
    expect(await file.readRaw('c')).toEqual({ dtype: 'I64', data: new BigInt64Array([-3n, 2n ** 40n]) });
    expect(await file.readRaw('d')).toEqual({ dtype: 'BOOL', data: new Uint8Array([1, 0, 1]) });
    expect(await file.readRaw('e')).toEqual({ dtype: 'I32', data: new Int32Array([-9]) });
    expect(await file.readRaw('f')).toEqual({ dtype: 'BF16', data: new Uint16Array([0x3f80]) });
    await expectError(
      file.readFloat32('c'),
      'invalid_file',
      'mixed.safetensors: tensor c is I64, not a floating-point tensor',
    );
  });

  it('converts a tensor larger than one read chunk', async () => {
    const count = 40 * 1024 * 1024; // 80 MB of BF16: crosses the 64 MB chunk boundary
    const patterns = new Uint16Array(count);
    for (let i = 0; i < count; i++) patterns[i] = (i * 7919) & 0x7f7f;
    const path = writeSafetensors('big.safetensors', {
      head: { dtype: 'F32', shape: [1], bytes: f32(5) },
      x: { dtype: 'BF16', shape: [count], bytes: new Uint8Array(patterns.buffer) },
    });
    const bits = new Uint32Array((await (await SafetensorsFile.open(path)).readFloat32('x')).buffer);
    for (let i = 0; i < count; i += 4099) expect(bits[i]).toBe(patterns[i]! << 16);
    expect(bits[count - 1]).toBe(patterns[count - 1]! << 16);
    rmSync(path);
  }, 30_000); // writes and reads a tensor over 64 MiB: seconds on a busy 2-core machine
});

describe('SafetensorsFolder', () => {
  function folder(name: string): string {
    const path = join(dir, name);
    rmSync(path, { recursive: true, force: true });
    mkdirSync(path);
    return path;
  }
  function writeIndex(path: string, weightMap: Record<string, string>) {
    writeFileSync(
      join(path, 'model.safetensors.index.json'),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
  }

  it('reads a sharded checkpoint through its index', async () => {
    const path = folder('sharded');
    writeSafetensors('sharded/model-00001-of-00002.safetensors', {
      a: { dtype: 'F32', shape: [1], bytes: f32(1) },
    });
    writeSafetensors('sharded/model-00002-of-00002.safetensors', {
      b: { dtype: 'BF16', shape: [2], bytes: u16(0x4000, 0xbf80) },
    });
    writeIndex(path, { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' });
    const weights = await SafetensorsFolder.open(path);
    expect(weights.names().sort()).toEqual(['a', 'b']);
    expect(weights.files).toEqual([
      join(path, 'model.safetensors.index.json'),
      join(path, 'model-00001-of-00002.safetensors'),
      join(path, 'model-00002-of-00002.safetensors'),
    ]);
    expect(await weights.readFloat32('b')).toEqual(new Float32Array([2, -1]));
    expect(weights.entry('b').dtype).toBe('BF16');
  });

  it('prefers model.safetensors, as transformers does', async () => {
    const path = folder('single');
    writeSafetensors('single/model.safetensors', { a: { dtype: 'F32', shape: [1], bytes: f32(1) } });
    writeIndex(path, { z: 'elsewhere.safetensors' });
    expect((await SafetensorsFolder.open(path)).names()).toEqual(['a']);
  });

  it('reports a missing shard, a tensor absent from its shard, and a shard outside the folder', async () => {
    const path = folder('broken');
    writeSafetensors('broken/s1.safetensors', { a: { dtype: 'F32', shape: [1], bytes: f32(1) } });
    writeIndex(path, { a: 's1.safetensors', b: 's2.safetensors', c: 's2.safetensors' });
    await expectError(
      SafetensorsFolder.open(path),
      'not_found',
      'model.safetensors.index.json: shard s2.safetensors (holding 2 tensors) does not exist',
    );
    writeIndex(path, { a: 's1.safetensors', b: 's1.safetensors' });
    await expectError(
      SafetensorsFolder.open(path),
      'invalid_file',
      'model.safetensors.index.json: s1.safetensors does not contain tensors the index places there: b',
    );
    writeIndex(path, { a: '../sharded/model-00001-of-00002.safetensors' });
    await expectError(
      SafetensorsFolder.open(path),
      'invalid_file',
      'model.safetensors.index.json: shard "../sharded/model-00001-of-00002.safetensors" is not a file name in the same folder',
    );
    writeFileSync(join(path, 'model.safetensors.index.json'), '{"weight_map": [1]}');
    await expectError(
      SafetensorsFolder.open(path),
      'invalid_file',
      'model.safetensors.index.json: weight_map is missing or is not an object of file names',
    );
  });

  it('reports a folder without weights', async () => {
    const path = folder('empty');
    await expectError(
      SafetensorsFolder.open(path),
      'not_found',
      `${path}: no model.safetensors or model.safetensors.index.json`,
    );
  });
});

describe('listNames', () => {
  it('shows five names, then a count', () => {
    expect(listNames(['a', 'b'])).toBe('a, b');
    expect(listNames(['1', '2', '3', '4', '5', '6', '7'])).toBe('1, 2, 3, 4, 5 and 2 more');
  });
});
