/**
 * Generation defaults that come from the model package, not from constants (docs/emu3-facts.md#guidance,
 * #sampling-defaults).
 */
import type { SamplingParams } from '../api/index.js';
import type { ModelConfig } from '../model/model-config.js';

/** The reference's negative prompt for image generation with guidance. */
export const DEFAULT_NEGATIVE_PROMPT =
  'lowres, bad anatomy, bad hands, text, error, missing fingers, extra digit, fewer digits, cropped, worst quality, low quality, normal quality, jpeg artifacts, signature, watermark, username, blurry.';

export const DEFAULT_GUIDANCE = 3;

/**
 * Sampling for generation: the reference samples with top-k 2048 out of a 32,768-code codebook, i.e. the
 * top 1/16 of the codes; a model with another codebook keeps that fraction.
 */
export function defaultGenerationSampling(manifest: Pick<ModelConfig, 'vision'>): SamplingParams {
  return {
    guidance: DEFAULT_GUIDANCE,
    temperature: 1,
    topK: Math.max(1, Math.round(manifest.vision.codebookSize / 16)),
    topP: 1,
    greedy: false,
  };
}

/** Understanding answers greedily, without guidance (docs/emu3-facts.md#sampling-defaults). */
export function defaultUnderstandingSampling(): SamplingParams {
  return { guidance: 1, temperature: 1, topK: 1, topP: 1, greedy: true };
}

/** The reference's answer limit for understanding. */
export const DEFAULT_ANSWER_TOKENS = 1024;
