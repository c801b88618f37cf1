/** A request's defaults, filled in from Emu3-Gen's own config: each default, explicit values, the seed. */
import { describe, expect, it } from 'vitest';
import { EMU3_GEN } from '../model/reference-fixtures.js';
import { DEFAULT_NEGATIVE_PROMPT } from './defaults.js';
import { completeRequest, withSampling } from './request-defaults.js';

/** Emu3-Gen samples with top-k 2048 of its 32,768 codes at guidance 3, and generates 720 × 720 pictures. */
const GEN_SAMPLING = { guidance: 3, temperature: 1, topK: 2048, topP: 1, greedy: false };

describe('completeRequest', () => {
  it('fills in every default the request leaves out', () => {
    const request = completeRequest(EMU3_GEN, {});
    expect(request.negativePrompt).toBe(DEFAULT_NEGATIVE_PROMPT);
    expect(request.sampling).toEqual(GEN_SAMPLING);
    expect(request.area).toBe(518400);
    expect(Number.isSafeInteger(request.seed) && request.seed >= 0).toBe(true);
  });

  it('takes fields given as undefined (an unset flag or optional field) as left out', () => {
    const request = completeRequest(EMU3_GEN, {
      negativePrompt: undefined,
      sampling: { guidance: undefined, topK: undefined },
      seed: undefined,
      area: undefined,
    });
    expect(request.negativePrompt).toBe(DEFAULT_NEGATIVE_PROMPT);
    expect(request.sampling).toEqual(GEN_SAMPLING);
    expect(request.area).toBe(518400);
    expect(Number.isSafeInteger(request.seed)).toBe(true);
  });

  it('keeps every explicit value, the empty negative prompt and seed 0 included', () => {
    const given = {
      prompt: 'a blue sphere',
      ratio: '16:9',
      negativePrompt: '',
      sampling: { guidance: 1, temperature: 0.7, topK: 5, topP: 0.9, greedy: true },
      seed: 0,
      area: 4096,
    };
    expect(completeRequest(EMU3_GEN, given)).toEqual(given);
  });

  it('fills the sampling fields left out around the ones given', () => {
    const request = completeRequest(EMU3_GEN, { sampling: { greedy: true, temperature: 0.5 } });
    expect(request.sampling).toEqual({ ...GEN_SAMPLING, greedy: true, temperature: 0.5 });
  });

  it('chooses a fresh seed for each request without one, and keeps a given one', () => {
    const seeds = new Set(Array.from({ length: 8 }, () => completeRequest(EMU3_GEN, {}).seed));
    expect(seeds.size).toBe(8);
    expect(completeRequest(EMU3_GEN, { seed: 12345 }).seed).toBe(12345);
    expect(completeRequest(EMU3_GEN, { seed: Number.MAX_SAFE_INTEGER }).seed).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('keeps the request’s other fields as they are', () => {
    const parent = { itemId: 'item-1', relation: 'variation' as const };
    const request = completeRequest(EMU3_GEN, {
      prompt: 'p',
      ratio: '4:3',
      frames: 2,
      fps: 8,
      parent,
      seed: 7,
    });
    expect(request).toMatchObject({ prompt: 'p', ratio: '4:3', frames: 2, fps: 8, parent, seed: 7 });
  });

  it('scales top-k with the codebook: the top 1/16 of the codes', () => {
    const small = { ...EMU3_GEN, vision: { ...EMU3_GEN.vision, codebookSize: 64 } };
    expect(completeRequest(small, {}).sampling.topK).toBe(4);
  });
});

describe('withSampling', () => {
  it('lays the given fields over the defaults, field by field', () => {
    const defaults = { guidance: 1, temperature: 1, topK: 1, topP: 1, greedy: true };
    expect(withSampling(defaults)).toEqual(defaults);
    expect(withSampling(defaults, { topP: 0.5, greedy: false })).toEqual({
      ...defaults,
      topP: 0.5,
      greedy: false,
    });
  });
});
