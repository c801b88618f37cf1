import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, type GenerateForm } from './form.js';
import { buildJobs, describeLength, parseFps } from './video-form.js';

const form = (over: Partial<GenerateForm>): GenerateForm => ({ ...EMPTY_FORM, prompt: 'a ring', ...over });

describe('video form', () => {
  it('makes image jobs in image mode and video jobs, with length and rate, in video mode', () => {
    expect(buildJobs(form({}), () => 1)).toEqual({
      ok: true,
      seeds: [1],
      jobs: [{ method: 'jobs.generateImage', params: { prompt: 'a ring', ratio: '1:1', seed: 1 } }],
    });
    expect(buildJobs(form({ mode: 'video', frames: '3', fps: '12.5' }), () => 1)).toEqual({
      ok: true,
      seeds: [1],
      jobs: [
        {
          method: 'jobs.generateVideo',
          params: { prompt: 'a ring', ratio: '1:1', seed: 1, frames: 3, fps: 12.5 },
        },
      ],
    });
  });

  it('names a bad length or rate, with the other fields’ mistakes', () => {
    expect(buildJobs(form({ mode: 'video', prompt: '', frames: '0', fps: '8.125' }), () => 1)).toEqual({
      ok: false,
      errors: {
        prompt: 'Write a prompt first.',
        frames: 'A whole number of latent frames from 1 to 64.',
        fps: 'Frames per second above 0, at most 120, two decimals at most.',
      },
    });
    // Image mode ignores the video fields.
    expect(buildJobs(form({ frames: 'x' }), () => 1).ok).toBe(true);
  });

  it('reads rates and shows a length as frames and seconds', () => {
    expect([parseFps('8'), parseFps('29.97'), parseFps('0'), parseFps('121'), parseFps('')]).toEqual([
      8,
      29.97,
      null,
      null,
      null,
    ]);
    expect(describeLength('4', '8', 4)).toBe('16 frames · 2.0 s at 8 fps');
    expect(describeLength('10', '2', 4)).toBe('40 frames · 20 s at 2 fps');
    // The model's own temporal factor: one that packs 8 frames a latent frame makes twice as long a video.
    expect(describeLength('4', '8', 8)).toBe('32 frames · 4.0 s at 8 fps');
    expect(describeLength('', '8', 4)).toBeNull();
  });
});
