/**
 * Emu3's token formats (docs/token-format.md): the size rule, the image/video block and its meta text,
 * the prompts of each mode, token counts, and reading generated tokens back into codes.
 */
export { generationSize, MAX_RATIO_SIDE, parseRatio, roundHalfEven } from './format-size.js';
export {
  checkGrid,
  formatMeta,
  isVideo,
  MAX_FPS,
  MAX_FRAMES,
  MAX_GRID_SIDE,
  parseMeta,
  type CheckedGrid,
  type VisionGrid,
} from './format-meta.js';
export {
  newTokenCount,
  visionBlock,
  visionBlockBody,
  visionBlockPrefix,
  visionFrames,
  visualCodeOf,
  visualId,
  visualRangeOf,
  type CodeGrid,
  type SpecialIds,
  type VisualRange,
} from './format-block.js';
export {
  CAPTION_TEMPLATE,
  CHAT_TEMPLATE,
  encodeUserText,
  extensionPrompt,
  generationPrompt,
  understandingPrompt,
} from './format-prompt.js';
export {
  parseVisionTokens,
  partialGrid,
  type ExpectedGrid,
  type ParsedCodes,
  type PartialGrid,
} from './format-parse.js';
