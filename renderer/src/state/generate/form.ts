/**
 * The Generate form as the user types it (strings, so a half-typed number is not lost) and the requests it
 * becomes. Empty sampling fields are left out of the request: the engine uses the model's defaults.
 */
import {
  DEFAULT_VIDEO_FPS,
  MAX_GUIDANCE,
  MAX_PROMPT_CHARS,
  MAX_TEMPERATURE,
  RATIO_PATTERN,
  SamplingParams,
  type GenerateImageParams,
  type RecordSummary,
} from '../../../../engine/src/api/index.js';

export interface GenerateForm {
  prompt: string;
  negativePrompt: string;
  ratio: string;
  /** The side in pixels of a square with the image's area. */
  size: string;
  guidance: string;
  temperature: string;
  topK: string;
  topP: string;
  seed: string;
  /** Locked: the seed is used as it is (then +1, +2… for more images); unlocked: every image gets a random one. */
  seedLocked: boolean;
  count: string;
  /** An image, or a video of `frames` latent frames at `fps`. */
  mode: 'image' | 'video';
  frames: string;
  fps: string;
  /**
   * The gallery item whose settings were taken ("Use these settings"): while the prompt is still its own,
   * what is generated joins its lineage, as a regeneration (same seed) or a variation (another seed).
   */
  origin: { itemId: number; seed: number; prompt: string } | null;
}

export type GenerateField = Exclude<keyof GenerateForm, 'seedLocked' | 'mode' | 'origin'>;
export type FieldErrors = Partial<Record<GenerateField, string>>;

export const RATIOS = ['1:1', '4:3', '3:4', '3:2', '2:3', '16:9', '9:16', '21:9'] as const;
export const MAX_IMAGES = 16;
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

export const EMPTY_FORM: GenerateForm = {
  prompt: '',
  negativePrompt: '',
  ratio: '1:1',
  size: '',
  guidance: '',
  temperature: '',
  topK: '',
  topP: '',
  seed: '',
  seedLocked: false,
  count: '1',
  mode: 'image',
  frames: '4',
  fps: String(DEFAULT_VIDEO_FPS),
  origin: null,
};

export type BuildResult =
  { ok: true; requests: GenerateImageParams[]; seeds: number[] } | { ok: false; errors: FieldErrors };

/** Checks the form; each bad field gets one line saying what it takes. */
export function buildRequests(form: GenerateForm, randomSeed: () => number): BuildResult {
  const errors: FieldErrors = {};
  const number = (field: GenerateField, check: (n: number) => boolean, rule: string, optional = true) => {
    const text = form[field].trim();
    if (text === '') {
      if (!optional) errors[field] = rule;
      return undefined;
    }
    const n = Number(text);
    if (!Number.isFinite(n) || !check(n)) {
      errors[field] = rule;
      return undefined;
    }
    return n;
  };
  const int = (lo: number, hi: number) => (n: number) => Number.isInteger(n) && n >= lo && n <= hi;
  /** A sampling value in the range the engine's request schema takes. */
  const sampled = (key: keyof SamplingParams) => (n: number) =>
    SamplingParams.shape[key].safeParse(n).success;

  const prompt = form.prompt.trim();
  if (prompt === '') errors.prompt = 'Write a prompt first.';
  else if (prompt.length > MAX_PROMPT_CHARS) errors.prompt = `At most ${MAX_PROMPT_CHARS} characters.`;
  if (form.negativePrompt.length > MAX_PROMPT_CHARS)
    errors.negativePrompt = `At most ${MAX_PROMPT_CHARS} characters.`;
  if (!RATIO_PATTERN.test(form.ratio)) errors.ratio = 'A ratio is W:H, e.g. 16:9.';
  const size = number('size', int(8, 8192), 'A whole number of pixels from 8 to 8192.');
  const guidance = number('guidance', sampled('guidance'), `From 1 (off) to ${MAX_GUIDANCE}.`);
  const temperature = number('temperature', sampled('temperature'), `Above 0, at most ${MAX_TEMPERATURE}.`);
  const topK = number('topK', sampled('topK'), 'A whole number, 1 or more.');
  const topP = number('topP', sampled('topP'), 'Above 0, at most 1.');
  const count = number('count', int(1, MAX_IMAGES), `From 1 to ${MAX_IMAGES}.`, false);
  const seed = form.seedLocked
    ? number('seed', int(0, MAX_SEED), 'A whole number, 0 or more.', false)
    : undefined;
  if (Object.keys(errors).length > 0) return { ok: false, errors };

  const sampling: Partial<SamplingParams> = {
    ...(guidance !== undefined ? { guidance } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
    ...(topK !== undefined ? { topK } : {}),
    ...(topP !== undefined ? { topP } : {}),
  };
  const negative = form.negativePrompt.trim();
  const seeds = Array.from({ length: count! }, (_, i) =>
    seed !== undefined ? Math.min(seed + i, MAX_SEED) : randomSeed(),
  );
  const origin = form.origin?.prompt === prompt ? form.origin : null;
  const requests = seeds.map((s): GenerateImageParams => ({
    prompt,
    ...(negative !== '' ? { negativePrompt: negative } : {}),
    ratio: form.ratio.replace(/\s+/g, ''),
    ...(size !== undefined ? { area: size * size } : {}),
    ...(Object.keys(sampling).length > 0 ? { sampling } : {}),
    seed: s,
    ...(origin
      ? { parent: { itemId: origin.itemId, relation: s === origin.seed ? 'regeneration' : 'variation' } }
      : {}),
  }));
  return { ok: true, requests, seeds };
}

/** A seed for an unlocked form: uniform below 2^32, the range seeds are usually shared in. */
export function randomSeed(): number {
  const values = new Uint32Array(1);
  crypto.getRandomValues(values);
  return values[0]!;
}

/** The form that makes this record again: every parameter, the seed locked; `itemId` is its item. */
export function formFromRecord(record: RecordSummary, itemId?: number): GenerateForm {
  const { sampling, grid } = record;
  const video = record.mode === 'video' || record.mode === 'extend';
  return {
    prompt: record.prompt,
    negativePrompt: record.negativePrompt,
    ratio: record.ratio ?? '1:1',
    size: record.area !== undefined ? String(Math.round(Math.sqrt(record.area))) : '',
    guidance: String(sampling.guidance),
    temperature: String(sampling.temperature),
    topK: String(sampling.topK),
    topP: String(sampling.topP),
    seed: String(record.seed),
    seedLocked: true,
    count: '1',
    mode: video ? 'video' : 'image',
    frames: video && grid ? String(grid.frames) : EMPTY_FORM.frames,
    fps: video && grid?.fps ? String(grid.fps) : EMPTY_FORM.fps,
    origin: itemId === undefined ? null : { itemId, seed: record.seed, prompt: record.prompt },
  };
}
