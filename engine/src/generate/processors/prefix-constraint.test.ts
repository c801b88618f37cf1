import { describe, expect, it } from 'vitest';
import { EngineError, InternalError } from '../../api/index.js';
import { Rng } from '../rng.js';
import { selectToken } from '../sampling.js';
import { PrefixConstraint, type PrefixConstraintOptions } from './prefix-constraint.js';

// A toy vocabulary: 0 pad, 1 eol, 2 eof, 3 eoi, 4 eos, 5..9 text, 10..15 visual, 16..19 more text.
const SPECIAL = { pad: 0, eol: 1, eof: 2, eoi: 3, eos: 4 };
const VISUAL = { first: 10, count: 6 };
const VISUAL_IDS = [10, 11, 12, 13, 14, 15];
const V = 20;

function constraint(height: number, width: number, frames: number, contextTokens = 0): PrefixConstraint {
  return new PrefixConstraint({ height, width, frames, contextTokens, special: SPECIAL, visual: VISUAL });
}

/** The ids left finite after applying `c` with `done` tokens generated; checks kept scores are unchanged. */
function allowed(c: PrefixConstraint, done: number): number[] {
  const scores = Float32Array.from({ length: V }, (_, i) => i / 7 - 1);
  c.apply(scores, { generated: new Array<number>(done).fill(VISUAL.first) });
  const ids: number[] = [];
  scores.forEach((s, i) => {
    if (s === -Infinity) return;
    expect(s).toBe(Math.fround(i / 7 - 1));
    ids.push(i);
  });
  return ids;
}

/**
 * The block written out from the format (docs/token-format.md), not from modular arithmetic: what each
 * position allows.
 */
function expectedBlock(height: number, width: number, frames: number): number[][] {
  const block: number[][] = [];
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) block.push(VISUAL_IDS);
      block.push([SPECIAL.eol]);
    }
    block.push([SPECIAL.eof]);
  }
  block.push([SPECIAL.eoi], [SPECIAL.eos]);
  return block;
}

/** emu3/mllm/utils_emu3.py's rule, transcribed literally (offset ≥ 1; frames = 1). */
function referenceRule(offset: number, height: number, width: number): number[] {
  if (offset % (width + 1) === 0) return [SPECIAL.eol];
  if (offset === (width + 1) * height + 1) return [SPECIAL.eof];
  if (offset === (width + 1) * height + 2) return [SPECIAL.eoi];
  if (offset === (width + 1) * height + 3) return [SPECIAL.eos];
  if (offset > (width + 1) * height + 3) return [SPECIAL.pad];
  return VISUAL_IDS;
}

const GRIDS: [number, number][] = [
  [2, 3],
  [3, 2],
  [1, 4],
  [4, 1],
  [3, 5],
];

describe('PrefixConstraint', () => {
  for (const [h, w] of GRIDS) {
    for (const frames of [1, 2]) {
      const block = expectedBlock(h, w, frames);
      const frameLength = h * (w + 1) + 1;
      for (const context of [0, 1, frameLength - 1, frameLength]) {
        it(`allows the block's token at every position: ${frames} frame(s) of ${h}×${w}, ${context} given`, () => {
          const c = constraint(h, w, frames, context);
          expect(c.totalTokens).toBe(frames * (h * (w + 1) + 1) + 2 - context);
          expect(c.totalTokens).toBe(block.length - context);
          if (frames === 1 && context === 0) expect(c.totalTokens).toBe(h * (w + 1) + 3);
          for (let done = 0; done < c.totalTokens; done++) {
            expect(allowed(c, done), `new token ${done + 1}`).toEqual(block[context + done]);
          }
          for (let done = c.totalTokens; done < c.totalTokens + 5; done++) {
            expect(allowed(c, done), `finished, step ${done + 1}`).toEqual([SPECIAL.pad]);
          }
        });
      }
    }
  }

  it("matches the reference's rule at every position up to EOS when w >= 3", () => {
    for (const [h, w] of [
      [2, 3],
      [1, 4],
      [3, 5],
      [5, 3],
    ] as const) {
      const c = constraint(h, w, 1);
      for (let done = 0; done < c.totalTokens; done++) {
        expect(allowed(c, done), `${h}×${w} offset ${done + 1}`).toEqual(referenceRule(done + 1, h, w));
      }
    }
  });

  it("ends the block for w = 2, where the reference's EOL-first test would ask for EOL instead of EOS", () => {
    const c = constraint(3, 2, 1); // EOS at offset 3·3 + 3 = 12, a multiple of w + 1 = 3
    expect(referenceRule(12, 3, 2)).toEqual([SPECIAL.eol]);
    expect(allowed(c, 11)).toEqual([SPECIAL.eos]);
    expect(c.specialAt(12)).toBe(SPECIAL.eos);
  });

  it('drives a sampled run into a well-formed two-frame block', () => {
    const c = constraint(2, 3, 2);
    const rng = new Rng(11);
    const generated: number[] = [];
    for (let step = 0; step < c.totalTokens; step++) {
      const scores = Float32Array.from({ length: V }, () => rng.nextFloat() * 4);
      c.apply(scores, { generated });
      generated.push(selectToken(scores, rng));
    }
    const kinds = generated.map((t) => (t >= 10 && t < 16 ? 'v' : t === 1 ? '|' : t === 2 ? 'F' : String(t)));
    expect(kinds.join('')).toBe('vvv|vvv|Fvvv|vvv|F34');
  });

  it('rejects bad shapes and ids with one-line messages', () => {
    const options = (patch: Partial<PrefixConstraintOptions>): PrefixConstraintOptions => ({
      height: 2,
      width: 3,
      frames: 1,
      special: SPECIAL,
      visual: VISUAL,
      ...patch,
    });
    const cases: [Partial<PrefixConstraintOptions>, string][] = [
      [{ height: 0 }, 'height must be an integer >= 1, got 0'],
      [{ width: 2.5 }, 'width must be an integer >= 1, got 2.5'],
      [{ frames: -1 }, 'frames must be an integer >= 1, got -1'],
      [{ contextTokens: -2 }, 'contextTokens must be an integer >= 0, got -2'],
      [{ contextTokens: 10 }, 'contextTokens must be at most the 9 tokens of 1 frame(s) of 2×3, got 10'],
      [{ visual: { first: 10, count: 0 } }, 'visual id count must be an integer >= 1, got 0'],
      [{ special: { ...SPECIAL, eos: 12 } }, 'eos id 12 lies among the visual ids'],
    ];
    for (const [patch, message] of cases) {
      expect(() => new PrefixConstraint(options(patch))).toThrow(message);
      expect(() => new PrefixConstraint(options(patch))).toThrow(
        expect.objectContaining({ name: 'EngineError', code: 'bad_request' }),
      );
    }
    expect(() => new PrefixConstraint(options({ height: 0 }))).toThrow(EngineError);
  });

  it('treats scores too short for its ids as a bug', () => {
    expect(() => constraint(2, 3, 1).apply(new Float32Array(12), { generated: [] })).toThrow(InternalError);
  });
});
