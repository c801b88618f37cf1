/**
 * Prompts for each mode (docs/token-format.md#prompts; guidance: docs/emu3-facts.md#guidance). BOS is added
 * here: the tokenizer's encode adds none.
 */
import { EngineError } from '../api/index.js';
import type { Emu3Tokenizer } from '../tokenizer/index.js';
import {
  visionBlockPrefix,
  visionFrames,
  type CodeGrid,
  type SpecialIds,
  type VisualRange,
} from './format-block.js';
import { checkGrid, type VisionGrid } from './format-meta.js';

/**
 * Emu3-Chat's template (docs/token-format.md#prompts): note the literal ". " the reference puts after the
 * question.
 */
export const CHAT_TEMPLATE = 'You are a helpful assistant. USER: {image}{question}. ASSISTANT:';
/** Emu3-Stage1's captioning template (docs/token-format.md#prompts). */
export const CAPTION_TEMPLATE = '{image}{question}';

type Tokenizer = Pick<Emu3Tokenizer, 'encode' | 'visualCode' | 'idToToken'>;

/**
 * Encodes user text, refusing special and visual tokens spelled inside it (encode turns
 * `<|image token|>` into its id): they would break the block structure the decoding relies on.
 */
export function encodeUserText(
  tokenizer: Tokenizer,
  special: SpecialIds,
  text: string,
  what: string,
): number[] {
  const ids = tokenizer.encode(text);
  const structural = new Set(Object.values(special));
  for (const id of ids) {
    if (structural.has(id) || tokenizer.visualCode(id) !== undefined) {
      const name = tokenizer.idToToken(id) ?? `id ${id}`;
      throw new EngineError('bad_request', `the ${what} contains the special token ${name}; remove it`);
    }
  }
  return ids;
}

/**
 * [BOS] + text + `<|image start|>` meta `<|image token|>`. The negative prompt for guidance is
 * built by the same call with the negative text and the same grid (docs/emu3-facts.md#guidance). An empty
 * text is the unconditional prompt. A grid with `frames` and `fps` asks for a video.
 */
export function generationPrompt(
  tokenizer: Tokenizer,
  special: SpecialIds,
  text: string,
  grid: VisionGrid,
): number[] {
  checkGrid(grid);
  return [
    special.bos,
    ...encodeUserText(tokenizer, special, text, 'prompt'),
    ...visionBlockPrefix(tokenizer, special, grid),
  ];
}

/**
 * [BOS] + the template around a vision block (docs/token-format.md#prompts). `template` holds `{image}` and
 * `{question}` once each; the text before `{image}` and the text after it (with the question put in) are
 * encoded apart, as the reference's special-token split does. With CHAT_TEMPLATE and "What is this?" the tail
 * is "What is this?. ASSISTANT:".
 */
export function understandingPrompt(
  tokenizer: Tokenizer,
  special: SpecialIds,
  block: readonly number[],
  question: string,
  template = CHAT_TEMPLATE,
): number[] {
  const parts = template.split('{image}');
  if (parts.length !== 2 || template.split('{question}').length !== 2) {
    throw new EngineError('bad_request', 'an understanding template needs {image} and {question} once each');
  }
  if (block.length < 2 || block[0] !== special.boi || block[block.length - 1] !== special.eoi) {
    throw new EngineError('bad_request', 'the vision block must run from <|image start|> to <|image end|>');
  }
  encodeUserText(tokenizer, special, question, 'question');
  const fill = (part: string): string => part.split('{question}').join(question);
  return [special.bos, ...tokenizer.encode(fill(parts[0]!)), ...block, ...tokenizer.encode(fill(parts[1]!))];
}

/**
 * Video extension: [BOS] + text + prefix with the TOTAL frame count + the context frames, each complete
 * with its EOF. The model continues with the remaining frames, then EOI and EOS:
 * newTokenCount(grid, context.frames) new tokens, which parseVisionTokens reads with
 * `frames: grid.frames - context.frames`.
 */
export function extensionPrompt(
  tokenizer: Tokenizer,
  special: SpecialIds,
  visual: VisualRange,
  text: string,
  grid: VisionGrid,
  context: CodeGrid,
): number[] {
  const g = checkGrid(grid);
  if (g.fps === undefined) throw new EngineError('bad_request', 'extension needs a video grid with its fps');
  if (context.height !== g.height || context.width !== g.width) {
    throw new EngineError(
      'bad_request',
      `context frames are ${context.height}×${context.width}, the video is ${g.height}×${g.width}`,
    );
  }
  if (!Number.isInteger(context.frames) || context.frames < 1 || context.frames >= g.frames) {
    throw new EngineError(
      'bad_request',
      `${context.frames} context frames must be at least 1 and fewer than the video's ${g.frames}`,
    );
  }
  return [...generationPrompt(tokenizer, special, text, grid), ...visionFrames(context, special, visual)];
}
