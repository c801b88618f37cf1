/**
 * The vision block (docs/token-format.md#the-image-block; video: #the-video-block-and-its-meta-text):
 *   <|image start|> meta <|image token|>  { h × ( w visual ids, EOL ), EOF } per frame  <|image end|>
 * For one frame this is exactly the reference's image block. Every id comes from the model package
 * (special ids, the visual token range) or the tokenizer; none is a constant here.
 */
import { EngineError } from '../api/index.js';
import type { PackageManifest } from '../model/package-manifest.js';
import type { Emu3Tokenizer } from '../tokenizer/index.js';
import { checkGrid, formatMeta, type VisionGrid } from './format-meta.js';

/** The package's special ids {pad, bos, eos, img, boi, eoi, eol, eof}. */
export type SpecialIds = PackageManifest['special'];
/** The package's visual tokens: code c has id `first + c`, for c in 0..count-1. */
export type VisualRange = PackageManifest['visualTokens'];

/** VQ codes of `frames` latent frames of `height`×`width`, frame-major then row-major (the VQ's [T', h, w]). */
export interface CodeGrid {
  frames: number;
  height: number;
  width: number;
  codes: ArrayLike<number>;
}

/** The visual range from the tokenizer, checking that its visual ids are contiguous. */
export function visualRangeOf(tokenizer: Emu3Tokenizer): VisualRange {
  const count = tokenizer.codebookSize;
  const first = tokenizer.visualTokenId(0);
  for (let code = 1; code < count; code++) {
    if (tokenizer.visualTokenId(code) !== first + code) {
      throw new EngineError(
        'unsupported',
        `the tokenizer's visual tokens are not contiguous at code ${code}`,
      );
    }
  }
  return { first, count };
}

/** The id of visual code `code`. */
export function visualId(visual: VisualRange, code: number): number {
  if (!Number.isInteger(code) || code < 0 || code >= visual.count) {
    throw new EngineError(
      'bad_request',
      `visual code ${code} is outside the codebook 0..${visual.count - 1}`,
    );
  }
  return visual.first + code;
}

/** The code of a visual id, undefined for any other id. */
export function visualCodeOf(visual: VisualRange, id: number): number | undefined {
  const code = id - visual.first;
  return Number.isInteger(code) && code >= 0 && code < visual.count ? code : undefined;
}

/** `<|image start|>` + tokens of the meta text + `<|image token|>`. */
export function visionBlockPrefix(
  tokenizer: Pick<Emu3Tokenizer, 'encode'>,
  special: SpecialIds,
  grid: VisionGrid,
): number[] {
  return [special.boi, ...tokenizer.encode(formatMeta(grid)), special.img];
}

function checkCodes(codes: CodeGrid): void {
  const { frames, height, width } = codes;
  checkGrid({ height, width });
  if (!Number.isInteger(frames) || frames < 0) {
    throw new EngineError('bad_request', `frame count ${frames} is not a non-negative integer`);
  }
  if (codes.codes.length !== frames * height * width) {
    throw new EngineError(
      'bad_request',
      `${codes.codes.length} codes do not fill ${frames} frames of ${height}×${width}`,
    );
  }
}

/**
 * The rows of frames [from, to): per frame, `height` rows of (`width` visual ids + EOL), then EOF.
 * Without the closing `<|image end|>`: the extension prompt ends with these.
 */
export function visionFrames(
  codes: CodeGrid,
  special: SpecialIds,
  visual: VisualRange,
  from = 0,
  to = codes.frames,
): number[] {
  checkCodes(codes);
  if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > codes.frames || from > to) {
    throw new EngineError('bad_request', `frames ${from}..${to} are outside 0..${codes.frames}`);
  }
  const { height, width } = codes;
  const out: number[] = [];
  for (let f = from; f < to; f++) {
    for (let r = 0; r < height; r++) {
      const base = (f * height + r) * width;
      for (let c = 0; c < width; c++) out.push(visualId(visual, codes.codes[base + c]!));
      out.push(special.eol);
    }
    out.push(special.eof);
  }
  return out;
}

/** Everything after `<|image token|>`: every frame's rows and EOF, then `<|image end|>`. */
export function visionBlockBody(codes: CodeGrid, special: SpecialIds, visual: VisualRange): number[] {
  if (codes.frames < 1) throw new EngineError('bad_request', 'a vision block needs at least one frame');
  return [...visionFrames(codes, special, visual), special.eoi];
}

/**
 * A whole block: prefix + body. Without `fps` the codes must be one frame (an image, meta "{h}*{w}");
 * with it they are a video of `codes.frames` latent frames.
 */
export function visionBlock(
  tokenizer: Pick<Emu3Tokenizer, 'encode'>,
  special: SpecialIds,
  visual: VisualRange,
  codes: CodeGrid,
  fps?: number,
): number[] {
  const grid: VisionGrid =
    fps === undefined
      ? { height: codes.height, width: codes.width, frames: codes.frames }
      : { height: codes.height, width: codes.width, frames: codes.frames, fps };
  return [...visionBlockPrefix(tokenizer, special, grid), ...visionBlockBody(codes, special, visual)];
}

/**
 * New tokens the model emits after the prompt's `<|image token|>`: per frame h·(w+1) + 1 (rows, EOF), then
 * EOI and EOS, i.e. frames·(h(w+1)+1) + 2; h(w+1) + 3 for an image (8193 for 90×90). With
 * `contextFrames` (an extension prompt already holds them) only the remaining frames count.
 */
export function newTokenCount(
  grid: { height: number; width: number; frames?: number },
  contextFrames = 0,
): number {
  const frames = grid.frames ?? 1;
  for (const [what, n] of [
    ['height', grid.height],
    ['width', grid.width],
    ['frames', frames],
  ] as const) {
    if (!Number.isInteger(n) || n < 1)
      throw new EngineError('bad_request', `grid ${what} ${n} is not a positive integer`);
  }
  if (!Number.isInteger(contextFrames) || contextFrames < 0 || contextFrames >= frames) {
    throw new EngineError(
      'bad_request',
      `${contextFrames} context frames of ${frames} leave nothing to generate`,
    );
  }
  return (frames - contextFrames) * (grid.height * (grid.width + 1) + 1) + 2;
}
