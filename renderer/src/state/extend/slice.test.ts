import { describe, expect, it } from 'vitest';
import {
  ExtendParams,
  MAX_LATENT_FRAMES,
  MAX_PROMPT_CHARS,
  MAX_VIDEO_FPS,
  type VideoSourceInfo,
} from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';
import { buildExtension, defaultForm, sourceFrames } from './slice.js';

const fit = (ratio: string) => ({
  ratio,
  crop: { x: 40, y: 0, width: 240, height: 240 },
  width: 128,
  height: 128,
});
const upload: VideoSourceInfo = {
  source: { kind: 'upload', uploadId: '0b3f6d2e-54a1-4c6e-9a8f-1d2e3f4a5b6c' },
  name: 'clip.mkv',
  width: 320,
  height: 240,
  fps: 8,
  frames: 20,
  durationSeconds: 2.5,
  lastFrame: 'data:image/png;base64,AAAA',
  fits: [fit('1:1'), fit('4:3')],
  temporalFactor: 4,
};
const item: VideoSourceInfo = {
  ...upload,
  source: { kind: 'item', itemId: 7 },
  name: 'a red cube',
  frames: 16,
  durationSeconds: 2,
  prompt: 'a red cube',
};

describe('extend dialog', () => {
  it('starts from two latent frames of context and two added, the first crop, and the source prompt', () => {
    expect(defaultForm(item)).toEqual({
      frames: '2',
      context: '2',
      ratio: '1:1',
      fps: '8',
      prompt: 'a red cube',
      seed: '',
    });
    expect(defaultForm({ ...item, frames: 5 }).context).toBe('1');
  });

  it('counts an upload’s frames at the chosen rate; a gallery video keeps its own', () => {
    expect(sourceFrames(upload, { ...defaultForm(upload), fps: '16' })).toBe(40);
    expect(sourceFrames(item, { ...defaultForm(item), fps: '16' })).toBe(16);
  });

  it('builds the request, sending the rate only for an upload', () => {
    expect(buildExtension(item, { ...defaultForm(item), frames: '3', context: '4', seed: '9' })).toEqual({
      ok: true,
      params: { source: item.source, frames: 3, context: 4, ratio: '1:1', prompt: 'a red cube', seed: 9 },
    });
    expect(buildExtension(upload, { ...defaultForm(upload), ratio: '4:3' })).toEqual({
      ok: true,
      params: { source: upload.source, frames: 2, context: 2, ratio: '4:3', fps: 8 },
    });
  });

  it('names every bad field in one line', () => {
    const result = buildExtension(item, {
      frames: '0',
      context: '5',
      ratio: '2:1',
      fps: 'x',
      prompt: '',
      seed: '-1',
    });
    expect(result).toEqual({
      ok: false,
      errors: {
        frames: 'A whole number from 1 to 64.',
        context: 'A whole number from 1 to 4: the source has 4 latent frames.',
        ratio: 'Choose one of the crops.',
        seed: 'Empty for a random seed, or a whole number, 0 or more.',
      },
    });
    expect(buildExtension(upload, { ...defaultForm(upload), fps: '0.5' })).toMatchObject({
      ok: false,
      errors: { context: 'The source is shorter than one latent frame (4 frames).' },
    });
  });

  it('holds length, rate and prompt to the limits the engine’s extension schema takes', () => {
    const edge = buildExtension(upload, {
      ...defaultForm(upload),
      frames: String(MAX_LATENT_FRAMES),
      fps: String(MAX_VIDEO_FPS),
      prompt: 'x'.repeat(MAX_PROMPT_CHARS),
    });
    expect(edge.ok).toBe(true);
    if (edge.ok) expect(ExtendParams.safeParse(edge.params).success).toBe(true);
    expect(
      buildExtension(upload, {
        ...defaultForm(upload),
        frames: String(MAX_LATENT_FRAMES + 1),
        fps: String(MAX_VIDEO_FPS + 1),
        prompt: 'x'.repeat(MAX_PROMPT_CHARS + 1),
      }),
    ).toMatchObject({
      ok: false,
      errors: {
        frames: `A whole number from 1 to ${MAX_LATENT_FRAMES}.`,
        fps: `Above 0, at most ${MAX_VIDEO_FPS}, two decimals at most.`,
        prompt: `At most ${MAX_PROMPT_CHARS} characters.`,
      },
    });
  });

  it('moves from uploading to ready, keeps edits, and clears a field’s error when it changes', () => {
    const store = createStudioStore();
    store.getState().extendUploading('clip.mkv', 10, 100);
    expect(store.getState().extendDialog).toEqual({
      status: 'uploading',
      name: 'clip.mkv',
      loaded: 10,
      total: 100,
    });
    store.getState().extendReady(upload);
    store.getState().extendQueuing(false, 'no model is active', { frames: 'A whole number from 1 to 64.' });
    store.getState().setExtendField('frames', '3');
    expect(store.getState().extendDialog).toMatchObject({
      status: 'ready',
      form: { frames: '3' },
      errors: {},
      error: null,
    });
    store
      .getState()
      .extendFailed('bad.mp4', 'bad.mp4: Invalid data found when processing input (ffmpeg exit 1)');
    expect(store.getState().extendDialog).toMatchObject({ status: 'failed' });
    store.getState().closeExtend();
    expect(store.getState().extendDialog).toBeNull();
  });
});
