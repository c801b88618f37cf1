/**
 * Prefix-constrained decoding (docs/emu3-facts.md#prefix-constrained-decoding): the model may only emit a
 * well-formed vision block. Generalised from the reference's image rule to video: an EOF after each frame
 * (docs/token-format.md#the-video-block-and-its-meta-text).
 */
import { EngineError, InternalError } from '../../api/index.js';
import type { LogitsProcessor, ProcessorContext } from '../logits-processors.js';

export interface PrefixConstraintOptions {
  /** Token rows per frame (h). */
  height: number;
  /** Visual tokens per row (w), not counting the EOL. */
  width: number;
  /** Frames in the whole block: 1 for an image. */
  frames: number;
  /** Tokens of the block already in the prompt after `<|image token|>`: 0 to generate from scratch. */
  contextTokens?: number;
  special: { eol: number; eof: number; eoi: number; eos: number; pad: number };
  /**
   * The visual ids are `first .. first + count - 1` (docs/emu3-facts.md#special-tokens: 32,768 ids from
   * 151854).
   */
  visual: { first: number; count: number };
}

function checkInt(value: number, min: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new EngineError('bad_request', `${what} must be an integer >= ${min}, got ${value}`);
  }
}

/**
 * The block after `<|image token|>` is `frames` frames, each h rows of (w visual tokens + EOL) then EOF;
 * after the last frame comes EOI, then EOS, then only PAD. Position p = 1, 2, … counts block tokens; at each
 * p exactly one special is allowed, or else every visual id. For frames = 1 this is the reference's
 * `Emu3PrefixConstrainedLogitsHelper`: EOL at p % (w+1) == 0, EOF at (w+1)h+1, EOI at +2, EOS at +3, PAD after.
 *
 * One deliberate difference: the reference tests `p % (w+1) == 0` before everything, also past the grid,
 * so for w = 1 or 2 it demands EOL where EOI or EOS belongs and the block never ends. Here the EOL rule only
 * applies inside a frame. For w >= 3 the two agree at every position up to EOS.
 */
export class PrefixConstraint implements LogitsProcessor {
  readonly name: string;
  /** New tokens the constraint produces, EOS included (h(w+1)+3 for an image from scratch). */
  readonly totalTokens: number;
  private readonly rowLength: number; // w + 1
  private readonly frameLength: number; // h(w+1) + 1
  private readonly visionLength: number; // frames · frameLength: the last frame's EOF is here
  private readonly contextTokens: number;
  private readonly special: PrefixConstraintOptions['special'];
  private readonly visual: PrefixConstraintOptions['visual'];

  constructor(options: PrefixConstraintOptions) {
    const { height, width, frames, contextTokens = 0, special, visual } = options;
    checkInt(height, 1, 'height');
    checkInt(width, 1, 'width');
    checkInt(frames, 1, 'frames');
    checkInt(visual.first, 0, 'first visual id');
    checkInt(visual.count, 1, 'visual id count');
    for (const [key, id] of Object.entries(special)) {
      checkInt(id, 0, `${key} id`);
      if (id >= visual.first && id < visual.first + visual.count) {
        throw new EngineError('bad_request', `${key} id ${id} lies among the visual ids`);
      }
    }
    this.rowLength = width + 1;
    this.frameLength = height * this.rowLength + 1;
    this.visionLength = frames * this.frameLength;
    checkInt(contextTokens, 0, 'contextTokens');
    if (contextTokens > this.visionLength) {
      throw new EngineError(
        'bad_request',
        `contextTokens must be at most the ${this.visionLength} tokens of ${frames} frame(s) of ${height}×${width}, got ${contextTokens}`,
      );
    }
    this.contextTokens = contextTokens;
    this.totalTokens = this.visionLength + 2 - contextTokens;
    this.special = { ...special };
    this.visual = { ...visual };
    this.name = `prefix-constraint(${frames}×${height}×${width})`;
  }

  /**
   * The one special id allowed at block position `p` (1-based), or null where the visual ids are.
   * Exposed for the loop and tests; `apply` uses it for the token being chosen.
   */
  specialAt(p: number): number | null {
    if (p > this.visionLength + 2) return this.special.pad; // the block is over: finished rows pad
    if (p === this.visionLength + 2) return this.special.eos;
    if (p === this.visionLength + 1) return this.special.eoi;
    const inFrame = ((p - 1) % this.frameLength) + 1;
    if (inFrame === this.frameLength) return this.special.eof;
    return inFrame % this.rowLength === 0 ? this.special.eol : null;
  }

  apply(scores: Float32Array, context: ProcessorContext): void {
    const { first, count } = this.visual;
    if (first + count > scores.length) {
      throw new InternalError(
        `${this.name}: visual ids reach ${first + count - 1}, scores have ${scores.length}`,
      );
    }
    // Masked by filling around what survives, never by listing allowed ids: this runs 8,000+ times per image.
    const only = this.specialAt(this.contextTokens + context.generated.length + 1);
    if (only === null) {
      scores.fill(-Infinity, 0, first);
      scores.fill(-Infinity, first + count);
      return;
    }
    if (only >= scores.length) {
      throw new InternalError(`${this.name}: special id ${only} is outside the ${scores.length} scores`);
    }
    const kept = scores[only]!;
    scores.fill(-Infinity);
    scores[only] = kept;
  }
}
