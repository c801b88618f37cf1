import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { EMU3_GEN, TINY } from '../model/reference-fixtures.js';
import { loadTokenizer, type Emu3Tokenizer } from '../tokenizer/index.js';
import {
  newTokenCount,
  visionBlock,
  visionBlockBody,
  visionBlockPrefix,
  visionFrames,
  visualCodeOf,
  visualId,
  type CodeGrid,
} from './format-block.js';
import { generationSize } from './format-size.js';

// The real Emu3 ids (docs/emu3-facts.md#special-tokens).
const special = EMU3_GEN.special;
const visual = { first: 151854, count: 32768 };
const [EOL, EOF, EOI] = [151846, 151847, 151853];
const v = (code: number): number => 151854 + code;

describe('token counts', () => {
  it('is h(w+1)+3 for an image: the size rule table', () => {
    const table: [string, number][] = [
      ['1:1', 8193],
      ['16:9', 8231],
      ['9:16', 8283],
      ['4:3', 8193],
      ['3:4', 8219],
      ['21:9', 8145],
    ];
    for (const [ratio, count] of table)
      expect(newTokenCount(generationSize(ratio, 518400, 8)), ratio).toBe(count);
    expect(newTokenCount(generationSize('1:1', 262144, 8))).toBe(4163);
    expect(newTokenCount({ height: 5, width: 5 })).toBe(33); // transformers' test: 54 - 21
  });

  it('is frames·(h(w+1)+1)+2 for a video, less the context frames of an extension', () => {
    expect(newTokenCount({ height: 2, width: 3, frames: 1 })).toBe(2 * 4 + 3);
    expect(newTokenCount({ height: 2, width: 3, frames: 4 })).toBe(4 * 9 + 2);
    expect(newTokenCount({ height: 2, width: 3, frames: 4 }, 3)).toBe(9 + 2);
    expect(() => newTokenCount({ height: 2, width: 3, frames: 4 }, 4)).toThrow(/nothing to generate/);
    expect(() => newTokenCount({ height: 0, width: 3 })).toThrow(/grid height 0/);
  });
});

describe('vision block', () => {
  let tokenizer: Emu3Tokenizer;
  beforeAll(async () => {
    tokenizer = await loadTokenizer({
      kind: 'tiktoken',
      tiktoken: join(TINY.originalDecoder, 'emu3.tiktoken'),
      visionTokens: join(TINY.originalDecoder, 'emu3_vision_tokens.txt'),
    });
  });

  it('is the reference image block for one frame: EOL after every row, then EOF, EOI', () => {
    const codes: CodeGrid = { frames: 1, height: 2, width: 3, codes: [0, 1, 2, 32765, 32766, 32767] };
    expect(visionBlockBody(codes, special, visual)).toEqual([
      ...[v(0), v(1), v(2), EOL],
      ...[v(32765), v(32766), v(32767), EOL],
      EOF,
      EOI,
    ]);
    expect(visionBlock(tokenizer, special, visual, codes)).toEqual([
      ...visionBlockPrefix(tokenizer, special, { height: 2, width: 3 }),
      ...visionBlockBody(codes, special, visual),
    ]);
    expect(visionBlockPrefix(tokenizer, special, { height: 2, width: 3 })).toEqual([
      151852,
      ...tokenizer.encode('2*3'),
      151851,
    ]);
  });

  it('gives a video one EOF per latent frame and one EOI at the end', () => {
    const codes: CodeGrid = { frames: 3, height: 1, width: 2, codes: Int32Array.from([5, 6, 7, 8, 9, 10]) };
    expect(visionBlockBody(codes, special, visual)).toEqual([
      ...[v(5), v(6), EOL, EOF],
      ...[v(7), v(8), EOL, EOF],
      ...[v(9), v(10), EOL, EOF],
      EOI,
    ]);
    expect(visionFrames(codes, special, visual, 1, 2)).toEqual([v(7), v(8), EOL, EOF]);
    expect(visionBlock(tokenizer, special, visual, codes, 8).slice(0, 9)).toEqual([
      151852,
      ...tokenizer.encode('1*2*3@8'),
      151851,
    ]);
    expect(() => visionBlock(tokenizer, special, visual, codes)).toThrow(/needs its fps/);
  });

  it('counts the same number of tokens as newTokenCount, less the final EOS', () => {
    const codes: CodeGrid = { frames: 2, height: 3, width: 5, codes: new Int32Array(30) };
    expect(visionBlockBody(codes, special, visual)).toHaveLength(newTokenCount(codes) - 1);
  });

  it('maps codes through the package range and rejects codes outside it', () => {
    expect(visualId(visual, 0)).toBe(151854);
    expect(visualId(visual, 32767)).toBe(184621);
    expect(visualCodeOf(visual, 184621)).toBe(32767);
    expect(visualCodeOf(visual, 184622)).toBeUndefined();
    expect(visualCodeOf(visual, 151853)).toBeUndefined();
    expect(() => visualId(visual, 32768)).toThrow(/outside the codebook 0..32767/);
    expect(() => visualId(visual, -1)).toThrow(EngineError);
    const bad: CodeGrid = { frames: 1, height: 1, width: 2, codes: [1, 1.5] };
    expect(() => visionBlockBody(bad, special, visual)).toThrow(/visual code 1.5/);
    const short: CodeGrid = { frames: 1, height: 2, width: 2, codes: [1, 2, 3] };
    expect(() => visionBlockBody(short, special, visual)).toThrow(/3 codes do not fill 1 frames of 2×2/);
    expect(() => visionFrames(short, special, visual, 0, 2)).toThrow(EngineError);
  });
});
