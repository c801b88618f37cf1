/** Ask through the engine service, in-process, on the tiny fixture model: items, uploads, videos, cancel. */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AskSubject, EventData, RgbFrame } from '../api/index.js';
import { writePng } from '../media/images.js';
import { writeMp4 } from '../media/video.js';
import { nextEvent, useTestEngine } from './engine.testkit.js';

/** A frame of one colour with a lighter square, so the vision tokenizer has something to see. */
function frame(width: number, height: number, shift = 0): RgbFrame {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const inside = x >= 8 + shift && x < 24 + shift && y >= 8 && y < 24;
      data.set(inside ? [240, 220, 40] : [30, 60, 160], (y * width + x) * 3);
    }
  return { width, height, data };
}

describe('ask', () => {
  const kit = useTestEngine('emu3-ask-');
  let itemId: number;

  beforeAll(async () => {
    const finished = nextEvent(kit.engine, 'job.finished');
    await kit.engine.handle('jobs.generateImage', {
      prompt: 'a cube',
      ratio: '1:1',
      area: 32 * 32,
      seed: 1,
    });
    itemId = (await finished).itemId;
  }, 60_000);

  async function ask(subject: AskSubject, question: string, maxTokens = 6) {
    const { engine } = kit;
    const deltas: string[] = [];
    const stop = engine.onEvent((event) => {
      if (event.event === 'ask.delta') deltas.push(event.data.text);
    });
    const finished = nextEvent(engine, 'ask.finished');
    const failed = nextEvent(engine, 'ask.failed');
    const { askId } = await engine.handle('ask.question', { subject, question, maxTokens });
    const result = await Promise.race([finished, failed]);
    stop();
    return { askId, result, deltas };
  }

  it('answers about a gallery item, streaming, and keeps the exchange with the item', async () => {
    const { engine } = kit;
    const subject = { kind: 'item', itemId } as const;
    const empty = await engine.handle('ask.open', { subject });
    expect(empty).toMatchObject({ mediaKind: 'image', title: 'a cube', messages: [], running: null });

    const { askId, result, deltas } = await ask(subject, 'What is this?');
    expect(result).toMatchObject({ askId, question: { role: 'user', text: 'What is this?' } });
    const { answer } = result as EventData<'ask.finished'>;
    expect(answer.role).toBe('assistant');
    expect(deltas.join('').trim()).toBe(answer.text);
    expect(answer.tokens).toBeGreaterThan(0);

    const conversation = await engine.handle('ask.open', { subject });
    expect(conversation.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(conversation.messages[1]!.text).toBe(answer.text);
  });

  it('keeps conversations across a restart of the engine', async () => {
    const engine = await kit.restart();
    const conversation = await engine.handle('ask.open', { subject: { kind: 'item', itemId } });
    expect(conversation.messages).toHaveLength(2);
    // The model active last time is active again only when the host asks for it (emu3 serve does).
    await engine.activateDefaultModel();
    expect((await engine.handle('system.status', {})).activeModelId).not.toBeNull();
  });

  it('answers about an uploaded image and an uploaded video', async () => {
    const { engine } = kit;
    const png = join(kit.dir, 'square.png');
    await writePng(png, frame(32, 32));
    const image = await engine.upload(png, '/some/folder/square.png');
    expect(image).toMatchObject({ mediaKind: 'image', name: 'square.png', media: { ext: 'png' } });
    const again = await engine.upload(png, 'renamed.png');
    expect(again.sha256).toBe(image.sha256);
    expect((await engine.handle('ask.uploads', {})).map((u) => u.name)).toEqual(['renamed.png']);
    const { result } = await ask({ kind: 'upload', sha256: image.sha256 }, 'What colour?');
    expect(result).toHaveProperty('answer');

    const mp4 = join(kit.dir, 'moving.mp4');
    await writeMp4(
      mp4,
      [0, 2, 4, 6, 8, 10, 12, 14].map((shift) => frame(32, 32, shift)),
      { fps: 8 },
    );
    const video = await engine.upload(mp4, 'moving.mp4');
    expect(video).toMatchObject({ mediaKind: 'video', media: { ext: 'mp4' } });
    const subject = { kind: 'upload', sha256: video.sha256 } as const;
    const asked = await ask(subject, 'Where does it move?');
    expect(asked.result).toHaveProperty('answer');
    expect((await engine.handle('ask.open', { subject })).messages).toHaveLength(2);
  }, 60_000);

  it('refuses a file that is no image or video', async () => {
    const { engine } = kit;
    const text = join(kit.dir, 'notes.png');
    await import('node:fs/promises').then((fs) => fs.writeFile(text, 'not a picture'));
    await expect(engine.upload(text, 'notes.png')).rejects.toThrow(/not a PNG, JPEG, WebP, GIF, MP4/);
  });

  it('cancels an answer and stores nothing; names a missing subject', async () => {
    const { engine } = kit;
    const subject = { kind: 'item', itemId } as const;
    const firstDelta = nextEvent(engine, 'ask.delta');
    const cancelled = nextEvent(engine, 'ask.cancelled');
    const { askId } = await engine.handle('ask.question', { subject, question: 'Go on', maxTokens: 60 });
    await firstDelta;
    await expect(engine.handle('ask.cancel', { askId })).resolves.toEqual({ askId, status: 'cancelled' });
    await expect(cancelled).resolves.toEqual({ askId, subject });
    expect((await engine.handle('ask.open', { subject })).messages).toHaveLength(2);

    await expect(
      engine.handle('ask.question', { subject: { kind: 'item', itemId: 999 }, question: 'Hm?' }),
    ).rejects.toThrow('library item 999: no such item');
    await expect(engine.handle('ask.question', { subject, question: '   ' })).rejects.toThrow(
      'ask.question: params.question: write a question first',
    );
  });

  // Last: it adds an exchange to the item, which the tests above count.
  it('waits for the image job on the model, then answers, ahead of the images queued behind it', async () => {
    const { engine } = kit;
    const subject = { kind: 'item', itemId } as const;
    const order: string[] = [];
    const stop = engine.onEvent(({ event, data }) => {
      if (event === 'job.started' || event === 'job.finished') order.push(`${event} ${data.jobId}`);
      if (event === 'ask.started' || event === 'ask.finished') order.push(`${event} ${data.askId}`);
    });
    const request = { prompt: 'a cube', ratio: '1:1', area: 32 * 32 };
    const first = await engine.handle('jobs.generateImage', { ...request, seed: 2 });
    await nextEvent(engine, 'job.started', (data) => data.jobId === first.jobId);
    const second = await engine.handle('jobs.generateImage', { ...request, seed: 3 });
    const answered = nextEvent(engine, 'ask.finished');
    const { askId } = await engine.handle('ask.question', { subject, question: 'And now?', maxTokens: 4 });
    const waiting = await engine.handle('ask.open', { subject });
    expect(waiting.running).toMatchObject({ askId, status: 'queued', text: '' });
    await answered;
    await nextEvent(engine, 'job.finished', (data) => data.jobId === second.jobId);
    stop();
    expect(order).toEqual([
      `job.started ${first.jobId}`,
      `job.finished ${first.jobId}`,
      `ask.started ${askId}`,
      `ask.finished ${askId}`,
      `job.started ${second.jobId}`,
      `job.finished ${second.jobId}`,
    ]);
    expect((await engine.handle('ask.open', { subject })).running).toBeNull();
  }, 60_000);
});
