import { describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { EMU3_GEN, goldens, haveGoldens } from '../model/reference-fixtures.js';
import { newTokenCount, visionBlockBody, type CodeGrid } from './format-block.js';
import { parseVisionTokens, partialGrid } from './format-parse.js';

// The real Emu3 ids (docs/emu3-facts.md#special-tokens).
const special = EMU3_GEN.special;
const visual = { first: 151854, count: 32768 };
const [EOL, EOF, EOI, EOS, PAD] = [151846, 151847, 151853, 151850, 151643];
const v = (code: number): number => 151854 + code;

function grid(frames: number, height: number, width: number): CodeGrid & { codes: Int32Array } {
  const codes = Int32Array.from({ length: frames * height * width }, (_, i) => (i * 7919) % 32768);
  return { frames, height, width, codes };
}

/** What the model emits for `codes`: the block body and EOS. */
const generated = (codes: CodeGrid): number[] => [...visionBlockBody(codes, special, visual), EOS];

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe('bad_request');
    return (error as EngineError).message;
  }
  throw new Error('no error');
}

describe('parseVisionTokens', () => {
  it('round-trips images and videos with h ≠ w', () => {
    for (const codes of [grid(1, 3, 5), grid(1, 5, 3), grid(1, 1, 1), grid(4, 2, 7), grid(3, 6, 2)]) {
      const ids = generated(codes);
      expect(ids).toHaveLength(newTokenCount(codes));
      expect(parseVisionTokens(ids, codes, special, visual)).toEqual(codes);
      // Without the final EOS, and with PAD after it (a finished row of a batch).
      expect(parseVisionTokens(ids.slice(0, -1), codes, special, visual)).toEqual(codes);
      expect(parseVisionTokens([...ids, PAD, PAD], codes, special, visual)).toEqual(codes);
    }
  });

  it.skipIf(!haveGoldens())('reads the reference goldens of guided generation', () => {
    const g = goldens();
    const fixtureVisual = { first: g.special.visual0, count: 40 };
    for (const c of g.generation) {
      const parsed = parseVisionTokens(c.output_ids, { height: c.h, width: c.w }, g.special, fixtureVisual);
      expect(parsed.codes).toHaveLength(c.h * c.w);
      expect([...visionBlockBody(parsed, g.special, fixtureVisual), g.special.eos]).toEqual(c.output_ids);
    }
  });

  it('names the position and place of the first violation', () => {
    const ids = generated(grid(2, 2, 3)); // per frame: 2 rows of 4, EOF: 9 tokens
    const at = (i: number, id: number): number[] => ids.map((x, j) => (j === i ? id : x));
    expect(
      errorOf(() => parseVisionTokens(at(3, v(1)), { height: 2, width: 3, frames: 2 }, special, visual)),
    ).toBe(
      'vision tokens: position 3 (frame 0, end of row 0): expected EOL (151846), found visual token 151855 (code 1)',
    );
    expect(
      errorOf(() => parseVisionTokens(at(5, EOL), { height: 2, width: 3, frames: 2 }, special, visual)),
    ).toBe(
      'vision tokens: position 5 (frame 0, row 1, column 1): expected a visual token, found EOL (151846)',
    );
    expect(
      errorOf(() => parseVisionTokens(at(8, EOI), { height: 2, width: 3, frames: 2 }, special, visual)),
    ).toBe(
      'vision tokens: position 8 (frame 0, after its 2 rows): expected EOF (151847), found <|image end|> (151853)',
    );
    expect(
      errorOf(() => parseVisionTokens(at(18, EOS), { height: 2, width: 3, frames: 2 }, special, visual)),
    ).toBe(
      'vision tokens: position 18 (after 2 frames): expected <|image end|> (151853), found EOS (151850)',
    );
    expect(
      errorOf(() => parseVisionTokens(at(19, 42), { height: 2, width: 3, frames: 2 }, special, visual)),
    ).toBe(
      'vision tokens: position 19 (after <|image end|>): expected EOS (151850) or the end, found token 42',
    );
    expect(
      errorOf(() => parseVisionTokens([...ids, EOS], { height: 2, width: 3, frames: 2 }, special, visual)),
    ).toBe('vision tokens: position 20 (after EOS): expected only PAD (151643), found EOS (151850)');
    expect(
      errorOf(() => parseVisionTokens(ids.slice(0, 6), { height: 2, width: 3, frames: 2 }, special, visual)),
    ).toBe('vision tokens: position 6 (frame 0, row 1, column 2): expected a visual token, found the end');
    // A grid of the wrong width fails at the first row's end.
    expect(
      errorOf(() => parseVisionTokens(ids, { height: 2, width: 4, frames: 2 }, special, visual)),
    ).toMatch(/^vision tokens: position 3 \(frame 0, row 0, column 3\): expected a visual token, found EOL/);
    expect(errorOf(() => parseVisionTokens(ids, { height: 2, width: 0 }, special, visual))).toMatch(
      /width 0/,
    );
  });
});

describe('partialGrid', () => {
  const codes = grid(2, 3, 4); // 3 rows of 5 + EOF = 16 tokens a frame
  const ids = generated(codes);
  const expected = { height: 3, width: 4, frames: 2 };

  it('returns the complete rows so far', () => {
    expect(partialGrid([], expected, special, visual)).toMatchObject({
      rows: 0,
      completeFrames: 0,
      complete: false,
    });
    const three = partialGrid(ids.slice(0, 3), expected, special, visual);
    expect(three.rows).toBe(0);
    expect(three.codes).toHaveLength(0);
    const row = partialGrid(ids.slice(0, 4), expected, special, visual); // codes in, EOL not yet
    expect(row.rows).toBe(1);
    expect(Array.from(row.codes)).toEqual(Array.from(codes.codes.subarray(0, 4)));
    const frame = partialGrid(ids.slice(0, 16), expected, special, visual);
    expect(frame).toMatchObject({ rows: 3, completeFrames: 1, complete: false });
    expect(frame.problem).toBeUndefined();
    const more = partialGrid(ids.slice(0, 27), expected, special, visual);
    expect(more).toMatchObject({ rows: 5, completeFrames: 1, frames: 2, height: 3, width: 4 });
    expect(Array.from(more.codes)).toEqual(Array.from(codes.codes.subarray(0, 20)));
  });

  it('is complete once <|image end|> arrives', () => {
    const done = partialGrid(ids.slice(0, -1), expected, special, visual);
    expect(done).toMatchObject({ rows: 6, completeFrames: 2, complete: true });
    expect(done.codes).toEqual(codes.codes);
    expect(partialGrid(ids, expected, special, visual).problem).toBeUndefined();
  });

  it('stops at a violation and says why instead of throwing', () => {
    const broken = [...ids.slice(0, 9), EOF, ...ids.slice(10)]; // row 1 ends with EOF
    const p = partialGrid(broken, expected, special, visual);
    expect(p).toMatchObject({ rows: 2, completeFrames: 0, complete: false });
    expect(p.problem).toBe(
      'vision tokens: position 9 (frame 0, end of row 1): expected EOL (151846), found EOF (151847)',
    );
  });
});
