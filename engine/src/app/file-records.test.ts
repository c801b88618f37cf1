/**
 * `library.readRecord` through the engine service (no model needed): real PNGs written by
 * writePngWithRecord, uploaded as the web host's `/api/upload` keeps them, and real damaged files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { summarizeRecord, type RgbFrame } from '../api/index.js';
import { makeTestRecord } from '../library/fixtures.js';
import { writePngWithRecord } from '../media/png-record.js';
import { useTestEngine } from './engine.testkit.js';

const frame: RgbFrame = { width: 8, height: 8, data: new Uint8Array(8 * 8 * 3).fill(90) };

describe('library.readRecord', () => {
  const kit = useTestEngine('emu3-file-records-', { model: 'none' });
  /** Uploads a file as the web host does, and asks for its record. */
  const read = async (path: string, name: string) => {
    const { sha256 } = await kit.engine.upload(path, name);
    return kit.engine.handle('library.readRecord', { upload: sha256 });
  };
  const refusal = (path: string, name: string) =>
    read(path, name).then(
      () => null,
      (e: unknown) => e,
    );

  it('reads and validates the record of a PNG the studio wrote, without its tokens', async () => {
    const record = { ...makeTestRecord(42, { prompt: 'a red circle' }), ratio: '4:3', area: 128 * 128 };
    const path = join(kit.dir, 'stored.png');
    await writePngWithRecord(path, frame, record);
    const answer = await read(path, 'emu3-1-42.png');
    expect(answer).toEqual({ name: 'emu3-1-42.png', record: summarizeRecord(record) });
    expect(answer.record).not.toHaveProperty('tokens');
    expect(answer.record).toMatchObject({ seed: 42, ratio: '4:3', sampling: { topK: 2048, topP: 0.9 } });
  });

  it('keeps a video record’s length and rate', async () => {
    const record = {
      ...makeTestRecord(5, { mode: 'video', prompt: 'a ring moving left' }),
      grid: { height: 8, width: 8, frames: 3, fps: 4 },
    };
    const path = join(kit.dir, 'video-record.png');
    await writePngWithRecord(path, frame, record);
    expect((await read(path, 'poster.png')).record).toMatchObject({
      mode: 'video',
      grid: { frames: 3, fps: 4 },
    });
  });

  it('refuses, in one line naming the file, a PNG without a record, a damaged PNG and a JPEG', async () => {
    const plain = join(kit.dir, 'plain.png');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#336699' } })
      .png()
      .toFile(plain);
    // A real PNG with a record, one byte of its record chunk flipped: the CRC no longer matches.
    const good = join(kit.dir, 'good.png');
    await writePngWithRecord(good, frame, makeTestRecord(1));
    const bytes = readFileSync(good);
    const at = bytes.indexOf('iTXt') + 20;
    bytes[at] = bytes[at]! ^ 0xff;
    const damaged = join(kit.dir, 'damaged.png');
    writeFileSync(damaged, bytes);
    const jpeg = join(kit.dir, 'photo.jpg');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#993366' } })
      .jpeg()
      .toFile(jpeg);

    const cases: [string, string, RegExp][] = [
      [plain, 'plain.png', /^plain\.png: this PNG holds no Emu3 Studio settings/],
      [damaged, 'damaged.png', /^damaged\.png: damaged PNG \(CRC mismatch in the iTXt chunk at byte \d+\)$/],
      [jpeg, 'photo.jpg', /^photo\.jpg: not a PNG file$/],
    ];
    for (const [path, name, message] of cases) {
      const error = (await refusal(path, name)) as Error & { code: string };
      expect(error, name).toMatchObject({ name: 'EngineError', code: 'invalid_file' });
      expect(error.message).toMatch(message);
      expect(error.message).not.toContain(kit.dir);
    }
  });

  it('refuses a record that does not match the schema, and an answer’s record', async () => {
    const odd = join(kit.dir, 'odd.png');
    await writePngWithRecord(odd, frame, { ...makeTestRecord(2), seed: -1, version: 2 });
    const error = (await refusal(odd, 'odd.png')) as Error;
    expect(error.message).toMatch(
      /^odd\.png: its emu3-studio record is not one this studio reads \(record\.version: /,
    );
    expect(error.message).toContain('record.seed');

    const answer = join(kit.dir, 'answer.png');
    await writePngWithRecord(answer, frame, makeTestRecord(3, { mode: 'understand' }));
    expect(await refusal(answer, 'answer.png')).toMatchObject({ code: 'unsupported' });
  });

  it('validates its params: an upload is a sha256 the library holds', async () => {
    const { engine } = kit;
    await expect(engine.handle('library.readRecord', { upload: 'x' })).rejects.toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/^library\.readRecord: params\.upload: expected a sha256/),
    });
    await expect(engine.handle('library.readRecord', { upload: '0'.repeat(64) })).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
