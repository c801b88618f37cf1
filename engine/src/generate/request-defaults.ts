/**
 * One place for a generation request's defaults: whatever a client (the studio, the CLI, an evaluation)
 * leaves out of the negative prompt, sampling, seed and area is filled in here, from the model package.
 */
import type { SamplingParams } from '../api/index.js';
import type { ModelConfig } from '../model/model-config.js';
import { DEFAULT_NEGATIVE_PROMPT, defaultGenerationSampling } from './defaults.js';
import { randomSeed } from './rng.js';

/** The parts of a request that may be left out (absent or undefined); sampling may be given field by field. */
export interface RequestChoices {
  negativePrompt?: string | undefined;
  sampling?: Partial<SamplingParams> | undefined;
  seed?: number | undefined;
  /** Image area in pixels. */
  area?: number | undefined;
}

/** The same parts, every one decided. */
export interface CompleteChoices {
  negativePrompt: string;
  sampling: SamplingParams;
  /** Chosen at random when the request gave none; the record keeps it, so the result can be made again. */
  seed: number;
  area: number;
}

/** A request with its choices decided; its other fields are kept as they were. */
export type CompleteRequest<T extends RequestChoices> = Omit<T, keyof RequestChoices> & CompleteChoices;

/** `given` over `defaults`, field by field (a field given as undefined keeps the default). */
export function withSampling(defaults: SamplingParams, given: Partial<SamplingParams> = {}): SamplingParams {
  return {
    guidance: given.guidance ?? defaults.guidance,
    temperature: given.temperature ?? defaults.temperature,
    topK: given.topK ?? defaults.topK,
    topP: given.topP ?? defaults.topP,
    greedy: given.greedy ?? defaults.greedy,
  };
}

/**
 * Fills in what `request` left out: the reference negative prompt, the model's generation sampling (under
 * any fields given), a random seed, and the model's image area.
 */
export function completeRequest<T extends RequestChoices>(
  manifest: Pick<ModelConfig, 'vision' | 'imageArea'>,
  request: T,
): CompleteRequest<T> {
  return {
    ...request,
    negativePrompt: request.negativePrompt ?? DEFAULT_NEGATIVE_PROMPT,
    sampling: withSampling(defaultGenerationSampling(manifest), request.sampling),
    seed: request.seed ?? randomSeed(),
    area: request.area ?? manifest.imageArea,
  };
}
