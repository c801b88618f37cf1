/**
 * Generation requests and the record every result carries: enough to regenerate any image or video token
 * for token and to replay any vote exactly (docs/generation.md#reproducibility).
 */
import { z } from 'zod';

/** The longest prompt, negative prompt or question a request may carry. */
export const MAX_PROMPT_CHARS = 8000;
/** An image's aspect ratio as a request gives it: `"W:H"`, spaces allowed around the numbers. */
export const RATIO_PATTERN = /^\s*\d+\s*:\s*\d+\s*$/;
/** The strongest classifier-free guidance a request may ask for (1, the least, turns it off). */
export const MAX_GUIDANCE = 50;
/** The hottest sampling temperature a request may ask for. */
export const MAX_TEMPERATURE = 10;

export const GenerationMode = z.enum(['image', 'video', 'extend', 'understand']);
export type GenerationMode = z.infer<typeof GenerationMode>;

export const SamplingParams = z.object({
  /** Classifier-free guidance scale; 1 turns guidance off. */
  guidance: z.number().min(1).max(MAX_GUIDANCE),
  temperature: z.number().positive().max(MAX_TEMPERATURE),
  topK: z.number().int().positive(),
  topP: z.number().gt(0).max(1),
  /** Greedy decoding (understanding's default) ignores temperature, top-k and top-p. */
  greedy: z.boolean(),
});
export type SamplingParams = z.infer<typeof SamplingParams>;

export const VisionGrid = z.object({
  /** In tokens (pixels / spatial factor). */
  height: z.number().int().positive(),
  width: z.number().int().positive(),
  /** Latent frames: 1 for an image. */
  frames: z.number().int().positive(),
  /** Frames per second of a decoded video. */
  fps: z.number().positive().optional(),
});
export type VisionGrid = z.infer<typeof VisionGrid>;

export const RECORD_FORMAT = 'emu3-studio-record';

export const GenerationRecord = z.object({
  format: z.literal(RECORD_FORMAT),
  version: z.literal(1),
  mode: GenerationMode,
  engineVersion: z.string(),
  createdAt: z.string(),
  model: z.object({ id: z.string(), precision: z.string() }),
  prompt: z.string(),
  negativePrompt: z.string(),
  /** `"W:H"` as the user gave it, and the image area it was sized for. */
  ratio: z.string().optional(),
  area: z.number().int().positive().optional(),
  grid: VisionGrid.optional(),
  sampling: SamplingParams,
  maxNewTokens: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  provider: z.string(),
  tokens: z.object({
    prompt: z.array(z.number().int()),
    negative: z.array(z.number().int()).optional(),
    output: z.array(z.number().int()),
  }),
  /**
   * The completion's log-probability under the model (docs/token-format.md#the-scored-completion):
   * the sum over `tokens.output` of log_softmax of the conditional row's raw logits at each token, captured
   * while sampling an image, video or extension. Absent for understanding and in records made before it was
   * captured.
   */
  completionLogProb: z.number().optional(),
  /** For extension and understanding: the input media and what was taken from it. */
  source: z
    .object({
      path: z.string(),
      sha256: z.string(),
      /** Frames of the source used as context (extension) or as the question's subject. */
      frames: z.number().int().nonnegative(),
    })
    .optional(),
});
export type GenerationRecord = z.infer<typeof GenerationRecord>;

/** A result's record without its token ids (which the library keeps), with their counts. */
export const RecordSummary = GenerationRecord.omit({ tokens: true }).extend({
  promptTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type RecordSummary = z.infer<typeof RecordSummary>;

/** The summary of a full record. */
export function summarizeRecord(record: GenerationRecord): RecordSummary {
  const { tokens, ...rest } = record;
  return { ...rest, promptTokens: tokens.prompt.length, outputTokens: tokens.output.length };
}
