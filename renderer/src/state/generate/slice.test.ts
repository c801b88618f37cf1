import { describe, expect, it } from 'vitest';
import {
  GenerateImageParams,
  MAX_GUIDANCE,
  MAX_PROMPT_CHARS,
  MAX_TEMPERATURE,
  type RecordSummary,
} from '../../../../engine/src/api/index.js';
import { createStudioStore } from '../store.js';
import { buildRequests, EMPTY_FORM, MAX_SEED, type GenerateForm } from './form.js';

const form = (over: Partial<GenerateForm>): GenerateForm => ({ ...EMPTY_FORM, ...over });
const fixedSeed = () => 42;

const record: RecordSummary = {
  format: 'emu3-studio-record',
  version: 1,
  mode: 'image',
  engineVersion: '0.1.0',
  createdAt: '2026-01-01T00:00:00.000Z',
  model: { id: 'a'.repeat(64), precision: 'fp32' },
  prompt: 'a red cube',
  negativePrompt: 'blurry',
  ratio: '4:3',
  area: 2304,
  grid: { height: 12, width: 12, frames: 1 },
  sampling: { guidance: 2.5, temperature: 0.9, topK: 100, topP: 0.95, greedy: false },
  maxNewTokens: 159,
  seed: 1234,
  provider: 'cpu',
  promptTokens: 20,
  outputTokens: 159,
};

describe('buildRequests', () => {
  it('turns the form into one request per image, leaving empty sampling fields to the model', () => {
    const result = buildRequests(form({ prompt: '  a cat  ', ratio: '16:9', count: '2' }), fixedSeed);
    expect(result).toEqual({
      ok: true,
      seeds: [42, 42],
      requests: [
        { prompt: 'a cat', ratio: '16:9', seed: 42 },
        { prompt: 'a cat', ratio: '16:9', seed: 42 },
      ],
    });
  });

  it('counts up from a locked seed, and sends every field the user set', () => {
    const result = buildRequests(
      form({
        prompt: 'a cat',
        negativePrompt: 'dogs',
        size: '48',
        guidance: '3',
        temperature: '0.8',
        topK: '50',
        topP: '0.9',
        seed: '7',
        seedLocked: true,
        count: '3',
      }),
      fixedSeed,
    );
    expect(result.ok && result.seeds).toEqual([7, 8, 9]);
    expect(result.ok && result.requests[0]).toEqual({
      prompt: 'a cat',
      negativePrompt: 'dogs',
      ratio: '1:1',
      area: 2304,
      sampling: { guidance: 3, temperature: 0.8, topK: 50, topP: 0.9 },
      seed: 7,
    });
  });

  it('names every bad field in one line each', () => {
    const result = buildRequests(
      form({
        prompt: ' ',
        size: '4',
        guidance: '0.5',
        temperature: '0',
        topK: '1.5',
        topP: '2',
        seed: '-1',
        seedLocked: true,
        count: '17',
        ratio: 'wide',
      }),
      fixedSeed,
    );
    expect(result).toEqual({
      ok: false,
      errors: {
        prompt: 'Write a prompt first.',
        ratio: 'A ratio is W:H, e.g. 16:9.',
        size: 'A whole number of pixels from 8 to 8192.',
        guidance: 'From 1 (off) to 50.',
        temperature: 'Above 0, at most 10.',
        topK: 'A whole number, 1 or more.',
        topP: 'Above 0, at most 1.',
        count: 'From 1 to 16.',
        seed: 'A whole number, 0 or more.',
      },
    });
    // An unlocked seed is not read at all; a locked one is required.
    expect(buildRequests(form({ prompt: 'x', seed: 'junk' }), fixedSeed).ok).toBe(true);
    expect(buildRequests(form({ prompt: 'x', seedLocked: true }), fixedSeed)).toMatchObject({
      ok: false,
      errors: { seed: 'A whole number, 0 or more.' },
    });
    const top = buildRequests(
      form({ prompt: 'x', seed: String(MAX_SEED), seedLocked: true, count: '2' }),
      fixedSeed,
    );
    expect(top.ok && top.seeds).toEqual([MAX_SEED, MAX_SEED]);
  });

  it('holds prompts, ratios and sampling to the limits the engine’s request schema takes', () => {
    const longest = 'x'.repeat(MAX_PROMPT_CHARS);
    const edge = buildRequests(
      form({
        prompt: longest,
        negativePrompt: longest,
        ratio: ' 16 : 9 ',
        guidance: String(MAX_GUIDANCE),
        temperature: String(MAX_TEMPERATURE),
        topP: '1',
      }),
      fixedSeed,
    );
    expect(edge.ok).toBe(true);
    // What the form lets through, the engine takes: the same limits, not a copy of them.
    if (edge.ok) expect(GenerateImageParams.safeParse(edge.requests[0]).success).toBe(true);
    expect(edge.ok && edge.requests[0]!.ratio).toBe('16:9');

    const over = buildRequests(
      form({
        prompt: `${longest}x`,
        negativePrompt: `${longest}x`,
        ratio: '16/9',
        guidance: String(MAX_GUIDANCE + 0.5),
        temperature: String(MAX_TEMPERATURE + 0.5),
        topP: '1.01',
      }),
      fixedSeed,
    );
    expect(over).toEqual({
      ok: false,
      errors: {
        prompt: `At most ${MAX_PROMPT_CHARS} characters.`,
        negativePrompt: `At most ${MAX_PROMPT_CHARS} characters.`,
        ratio: 'A ratio is W:H, e.g. 16:9.',
        guidance: `From 1 (off) to ${MAX_GUIDANCE}.`,
        temperature: `Above 0, at most ${MAX_TEMPERATURE}.`,
        topP: 'Above 0, at most 1.',
      },
    });
  });
});

describe('generate slice', () => {
  it('fills only the fields the user left empty with the model defaults', () => {
    const store = createStudioStore();
    store.getState().setField('topK', '10');
    store.getState().modelDefaultsLoaded({
      imageArea: 576,
      generationDefaults: { guidance: 3, temperature: 1, topK: 2048, topP: 1, greedy: false },
    });
    expect(store.getState().form).toMatchObject({
      size: '24',
      guidance: '3',
      temperature: '1',
      topK: '10',
      topP: '1',
    });
  });

  it('takes every setting from a record, seed locked, and clears errors', () => {
    const store = createStudioStore();
    store.getState().setFormErrors({ prompt: 'Write a prompt first.' });
    store.getState().applyRecord(record, 12);
    expect(store.getState().form).toEqual({
      prompt: 'a red cube',
      negativePrompt: 'blurry',
      ratio: '4:3',
      size: '48',
      guidance: '2.5',
      temperature: '0.9',
      topK: '100',
      topP: '0.95',
      seed: '1234',
      seedLocked: true,
      count: '1',
      mode: 'image',
      frames: '4',
      fps: '8',
      origin: { itemId: 12, seed: 1234, prompt: 'a red cube' },
    });
    expect(store.getState().formErrors).toEqual({});
  });

  it('joins what it makes from an item to its lineage while the prompt is the item’s own', () => {
    const store = createStudioStore();
    store
      .getState()
      .applyRecord({ ...record, mode: 'video', grid: { height: 6, width: 6, frames: 3, fps: 12 } }, 12);
    const { form } = store.getState();
    expect([form.mode, form.frames, form.fps]).toEqual(['video', '3', '12']);
    const same = buildRequests({ ...form, count: '2' }, fixedSeed);
    expect(same.ok && same.requests.map((r) => r.parent)).toEqual([
      { itemId: 12, relation: 'regeneration' },
      { itemId: 12, relation: 'variation' },
    ]);
    const other = buildRequests({ ...form, prompt: 'a blue cube' }, fixedSeed);
    expect(other.ok && other.requests[0]!.parent).toBeUndefined();
  });

  it('clears a field’s error when it is edited, and shows the seed used when unlocked', () => {
    const store = createStudioStore();
    store.getState().setFormErrors({ prompt: 'Write a prompt first.', count: 'From 1 to 16.' });
    store.getState().setField('prompt', 'a cat');
    expect(store.getState().formErrors).toEqual({ count: 'From 1 to 16.' });
    store.getState().seedsUsed([99, 100]);
    expect(store.getState().form.seed).toBe('99');
    store.getState().setSeedLocked(true);
    store.getState().seedsUsed([5]);
    expect(store.getState().form.seed).toBe('99');
  });
});
