import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError, type RgbFrame } from '../api/index.js';
import { readRgb, writePng } from './images.js';
import { crc32, readPngRecord, tableCrc32, writePngWithRecord } from './png-record.js';

let dir: string;
const frame: RgbFrame = {
  width: 24,
  height: 16,
  data: new Uint8Array(24 * 16 * 3).map((_, i) => (i * 37) % 256),
};
// About 1 MB of JSON, shaped like a result record: parameters and token ids.
const record = {
  kind: 'image',
  prompt: 'a lighthouse at dusk, ünïcødé ✓',
  params: { cfg: 3, seed: 42, topK: 2048 },
  tokens: Array.from({ length: 180_000 }, (_, i) => (i * 7919) % 32768),
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'emu3-png-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectDamaged(path: string, pattern: RegExp): Promise<void> {
  const error = (await readPngRecord(path).catch((e: unknown) => e)) as EngineError;
  expect(error).toBeInstanceOf(EngineError);
  expect(error.code).toBe('invalid_file');
  expect(error.message).toMatch(pattern);
  expect(error.message.startsWith(`${path}: `)).toBe(true);
  expect(error.message).not.toContain('\n');
}

describe('PNG record', () => {
  it('round-trips a 1 MB record in a compressed chunk, atomically', async () => {
    const path = join(dir, 'record.png');
    await writePngWithRecord(path, frame, record);
    expect(JSON.stringify(record).length).toBeGreaterThan(1_000_000);
    expect(await readPngRecord(path)).toEqual(record);
    // Compressed: far smaller than the JSON.
    expect((await readFile(path)).length).toBeLessThan(JSON.stringify(record).length);
    expect(await readdir(dir)).toEqual(['record.png']);
  });

  it('still opens in sharp with the same pixels', async () => {
    const path = join(dir, 'record.png');
    const read = await readRgb(path);
    expect({ width: read.width, height: read.height }).toEqual({ width: 24, height: 16 });
    expect(Buffer.from(read.data).equals(Buffer.from(frame.data))).toBe(true);
    expect((await sharp(path).metadata()).format).toBe('png');
  });

  it('places one iTXt chunk with the keyword right before IEND', async () => {
    const bytes = await readFile(join(dir, 'record.png'));
    const types: string[] = [];
    for (let offset = 8; offset < bytes.length; offset += 12 + bytes.readUInt32BE(offset))
      types.push(bytes.toString('latin1', offset + 4, offset + 8));
    expect(types.slice(-2)).toEqual(['iTXt', 'IEND']);
    expect(types.filter((t) => t === 'iTXt')).toHaveLength(1);
    // Keyword, then compression flag 1 and method 0 (zlib).
    expect(bytes.indexOf('iTXtemu3-studio\0\x01\x00', 0, 'latin1')).toBeGreaterThan(bytes.indexOf('IDAT'));
  });

  it('returns null for a PNG without a record', async () => {
    const path = join(dir, 'plain.png');
    await writePng(path, frame);
    expect(await readPngRecord(path)).toBeNull();
  });

  it('fails with one line for a damaged CRC, a damaged record, a truncated file or not a PNG', async () => {
    const good = await readFile(join(dir, 'record.png'));
    const itxt = good.indexOf('iTXtemu3-studio', 0, 'latin1');

    const badCrc = join(dir, 'bad-crc.png');
    const flipped = Buffer.from(good);
    flipped[itxt + 40] = flipped[itxt + 40]! ^ 0xff; // inside the compressed text
    await writeFile(badCrc, flipped);
    await expectDamaged(badCrc, /damaged PNG \(CRC mismatch in the iTXt chunk at byte \d+\)$/);

    const truncated = join(dir, 'truncated.png');
    await writeFile(truncated, good.subarray(0, itxt + 100));
    await expectDamaged(truncated, /damaged PNG \(iTXt chunk runs past the end\)$/);

    const notPng = join(dir, 'not.png');
    await writeFile(notPng, 'hello');
    await expectDamaged(notPng, /not a PNG file$/);
  });

  it('fails with one line for a chunk with a valid CRC whose text does not inflate', async () => {
    const path = join(dir, 'bad-deflate.png');
    const png = await readFile(join(dir, 'plain.png'));
    const data = Buffer.concat([Buffer.from('emu3-studio\0\x01\x00\0\0', 'latin1'), Buffer.from('not zlib')]);
    const chunk = Buffer.alloc(12 + data.length);
    chunk.writeUInt32BE(data.length, 0);
    chunk.write('iTXt', 4, 'latin1');
    data.copy(chunk, 8);
    chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
    await writeFile(
      path,
      Buffer.concat([png.subarray(0, png.length - 12), chunk, png.subarray(png.length - 12)]),
    );
    await expectDamaged(path, /damaged emu3-studio iTXt chunk \(.+\)$/);
  });

  it('reports a missing file as not_found', async () => {
    await expect(readPngRecord(join(dir, 'missing.png'))).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('crc32', () => {
  it('matches the check value and the table fallback', () => {
    const check = Buffer.from('123456789');
    expect(crc32(check)).toBe(0xcbf43926);
    expect(tableCrc32(check)).toBe(0xcbf43926);
    const random = new Uint8Array(10_000).map((_, i) => (i * 2654435761) >>> 24);
    expect(tableCrc32(random)).toBe(crc32(random));
    expect(tableCrc32(new Uint8Array(0))).toBe(0);
  });
});
