import { afterEach, describe, expect, it } from 'vitest';
import type {
  AskConversation,
  AskSubject,
  AskUpload,
  VideoSourceInfo,
} from '../../../engine/src/api/index.js';
import { pickedUploads, type PickedUploads } from '../host/desktop.js';
import { EngineCallError, type EngineClient } from '../host/engine-client.js';
import type { Studio } from '../host/studio.js';
import { createStudioStore } from '../state/store.js';
import { openPickedMedia } from './open-media.js';

const SHA = 'c'.repeat(64);
const UPLOAD_ID = '0b3f6d2e-54a1-4c6e-9a8f-1d2e3f4a5b6c';
const picture: AskUpload = {
  sha256: SHA,
  media: { sha256: SHA, ext: 'png' },
  mediaKind: 'image',
  name: 'cat.png',
  bytes: 3,
  addedAt: '',
};
const clip: VideoSourceInfo = {
  source: { kind: 'upload', uploadId: UPLOAD_ID },
  name: 'clip.mkv',
  width: 320,
  height: 240,
  fps: 8,
  frames: 20,
  durationSeconds: 2.5,
  lastFrame: 'data:image/png;base64,AAAA',
  fits: [{ ratio: '1:1', crop: { x: 40, y: 0, width: 240, height: 240 }, width: 128, height: 128 }],
  temporalFactor: 4,
};

/** A studio whose engine records its calls and opens every Ask subject with an empty conversation. */
function studioWithEngine() {
  const calls: { method: string; params: unknown }[] = [];
  const client = {
    call: (method: string, params: unknown) => {
      calls.push({ method, params });
      if (method !== 'ask.open') return Promise.resolve({});
      const conversation: AskConversation = {
        subject: (params as { subject: AskSubject }).subject,
        media: picture.media,
        mediaKind: 'image',
        title: picture.name,
        messages: [],
        running: null,
      };
      return Promise.resolve(conversation);
    },
  } as unknown as EngineClient;
  const store = createStudioStore();
  store.getState().showScreen('gallery');
  const studio: Studio = { client, store };
  return { studio, calls, state: () => store.getState() };
}

/** Uploads that resolve when `release` is called, so what shows meanwhile can be checked. */
function heldUploads(answer: { ask?: () => AskUpload; video?: () => VideoSourceInfo }) {
  const asked: string[] = [];
  let release = () => {};
  const held = new Promise<void>((resolve) => (release = resolve));
  const uploads: PickedUploads = {
    ask: async (path) => (asked.push(path), await held, answer.ask!()),
    video: async (path) => (asked.push(path), await held, answer.video!()),
  };
  return { uploads, asked, release: () => release() };
}

describe('the desktop menu’s Open image/video…', () => {
  it('opens a picked video in the Extend dialog: reading it first, then its crop', async () => {
    const { studio, state } = studioWithEngine();
    const { uploads, asked, release } = heldUploads({ video: () => clip });
    const done = openPickedMedia(studio, '/home/me/films/clip.mkv', uploads);
    expect(state().extendDialog).toEqual({ status: 'loading', name: 'clip.mkv' });
    release();
    await done;
    expect(asked).toEqual(['/home/me/films/clip.mkv']);
    expect(state().extendDialog).toMatchObject({ status: 'ready', info: clip });
    expect(state().screen).toBe('gallery');
  });

  it('opens a picked picture on the Ask screen', async () => {
    const { studio, calls, state } = studioWithEngine();
    const { uploads, release } = heldUploads({ ask: () => picture });
    const done = openPickedMedia(studio, 'C:\\Users\\me\\cat.png', uploads);
    expect(state().screen).toBe('ask');
    expect(state().uploading).toBe('cat.png');
    release();
    await done;
    expect(state().uploading).toBeNull();
    expect(state().uploads?.[0]?.sha256).toBe(SHA);
    expect(calls).toEqual([{ method: 'ask.open', params: { subject: { kind: 'upload', sha256: SHA } } }]);
    await expect.poll(() => state().askView.status).toBe('ready');
  });

  it('says in one line why a picked file could not be read, and keeps nothing', async () => {
    const { studio, calls, state } = studioWithEngine();
    const refusal = (message: string) =>
      Promise.reject(new EngineCallError({ name: 'EngineError', code: 'invalid_file', message }));
    const failing: PickedUploads = {
      ask: () => refusal('notes.png: not an image the engine can read'),
      video: () => refusal('notes.mkv: not a video ffmpeg can read'),
    };
    await openPickedMedia(studio, '/tmp/notes.mkv', failing);
    expect(state().extendDialog).toEqual({
      status: 'failed',
      name: 'notes.mkv',
      message: 'notes.mkv: not a video ffmpeg can read',
    });
    await openPickedMedia(studio, '/tmp/notes.png', failing);
    expect(state().toasts.map((t) => t.message)).toEqual([
      'Upload: notes.png: not an image the engine can read',
    ]);
    expect(state().uploads).toBeNull();
    expect(calls).toEqual([]);
  });

  it('lets the engine drop a video whose dialog was closed while it was read', async () => {
    const { studio, calls, state } = studioWithEngine();
    const { uploads, release } = heldUploads({ video: () => clip });
    const done = openPickedMedia(studio, '/tmp/clip.mkv', uploads);
    state().closeExtend();
    release();
    await done;
    expect(state().extendDialog).toBeNull();
    expect(calls).toEqual([{ method: 'uploads.discard', params: { uploadId: UPLOAD_ID } }]);
  });
});

describe('pickedUploads', () => {
  afterEach(() => {
    delete (globalThis as { studioDesktop?: unknown }).studioDesktop;
  });

  it('is null in a browser', () => {
    expect(pickedUploads()).toBeNull();
  });

  it('sends the picked path to main and turns an error answered as a value back into an engine error', async () => {
    const requests: unknown[] = [];
    (globalThis as { studioDesktop?: unknown }).studioDesktop = {
      uploadAsk: async (request: unknown) => (requests.push(request), { ok: true, value: picture }),
      uploadVideo: async (request: unknown) => (
        requests.push(request),
        { ok: false, error: { name: 'EngineError', code: 'too_large', message: 'big.mp4: over 512 MiB' } }
      ),
    };
    const uploads = pickedUploads()!;
    expect(await uploads.ask('/a/cat.png')).toEqual(picture);
    const refused = await uploads.video('/a/big.mp4').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(EngineCallError);
    expect((refused as EngineCallError).message).toBe('big.mp4: over 512 MiB');
    expect((refused as EngineCallError).code).toBe('too_large');
    expect(requests).toEqual([
      { kind: 'picked', path: '/a/cat.png' },
      { kind: 'picked', path: '/a/big.mp4' },
    ]);
  });
});
