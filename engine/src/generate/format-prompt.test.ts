/**
 * The prompts against the reference fixtures (models/reference/make_fixtures.py): the decoder sequences
 * 'generation' and 'understanding' and the guided-generation goldens were built by the reference script.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { goldens, haveGoldens, TINY } from '../model/reference-fixtures.js';
import { loadTokenizer, type Emu3Tokenizer } from '../tokenizer/index.js';
import {
  newTokenCount,
  visionBlock,
  visionBlockBody,
  visionBlockPrefix,
  visualRangeOf,
  type CodeGrid,
  type SpecialIds,
  type VisualRange,
} from './format-block.js';
import { CAPTION_TEMPLATE, extensionPrompt, generationPrompt, understandingPrompt } from './format-prompt.js';

const COLORS = ['red', 'green', 'blue', 'yellow', 'white', 'black'];
const SHAPES = ['cube', 'sphere', 'cone', 'ring'];

/** make_fixtures.py `scene_sequence`'s codes. */
function sceneCodes(color: number, shape: number, height: number, width: number, codebook: number): CodeGrid {
  const codes: number[] = [];
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) codes.push((color * 5 + shape * 11 + r * 3 + c * 7) % codebook);
  }
  return { frames: 1, height, width, codes };
}

describe.skipIf(!haveGoldens())('prompts on the tiny fixture', () => {
  let tokenizer: Emu3Tokenizer;
  let special: SpecialIds;
  let visual: VisualRange;
  const sequence = (name: string): number[] => goldens().decoder.sequences.find((s) => s.name === name)!.ids;

  beforeAll(async () => {
    tokenizer = await loadTokenizer({
      kind: 'tiktoken',
      tiktoken: join(TINY.originalDecoder, 'emu3.tiktoken'),
      visionTokens: join(TINY.originalDecoder, 'emu3_vision_tokens.txt'),
    });
    special = goldens().special;
    visual = visualRangeOf(tokenizer);
  });

  it('reads the visual range from the tokenizer, matching the fixture', () => {
    expect(visual).toEqual({ first: goldens().special.visual0, count: 40 });
  });

  it("rebuilds the reference 'generation' sequence: [BOS] a red cube, block(3×4), [EOS]", () => {
    const codes = sceneCodes(0, 0, 3, 4, visual.count);
    const caption = `a ${COLORS[0]} ${SHAPES[0]}`;
    const prompt = generationPrompt(tokenizer, special, caption, { height: 3, width: 4 });
    const body = visionBlockBody(codes, special, visual);
    expect([...prompt, ...body, special.eos]).toEqual(sequence('generation'));
    expect([
      special.bos,
      ...tokenizer.encode(caption),
      ...visionBlock(tokenizer, special, visual, codes),
      special.eos,
    ]).toEqual(sequence('generation'));
    expect(prompt.at(-1)).toBe(special.img);
    expect(body.length + 1).toBe(newTokenCount({ height: 3, width: 4 }));
  });

  it("rebuilds the reference 'understanding' sequence up to ASSISTANT:, then the answer", () => {
    const block = visionBlock(tokenizer, special, visual, sceneCodes(2, 1, 2, 5, visual.count));
    const prompt = understandingPrompt(tokenizer, special, block, 'What is this?');
    const expected = sequence('understanding');
    expect(prompt).toEqual(expected.slice(0, prompt.length));
    expect(prompt.slice(-tokenizer.encode('What is this?. ASSISTANT:').length)).toEqual(
      tokenizer.encode('What is this?. ASSISTANT:'),
    );
    expect(expected.slice(prompt.length)).toEqual([
      ...tokenizer.encode(` ${COLORS[2]} ${SHAPES[1]}.`.replace(/^ /, ' a ')),
      special.eos,
    ]);
  });

  it('matches the guided-generation goldens: prompt and negative prompt with the same grid', () => {
    const cases = goldens().generation;
    expect(cases.length).toBeGreaterThan(0);
    const texts: Record<string, string> = {
      'cube-3x4-cfg3': 'a red cube',
      'sphere-2x5-cfg2': 'a blue sphere',
    };
    for (const g of cases) {
      const grid = { height: g.h, width: g.w };
      expect(generationPrompt(tokenizer, special, texts[g.name]!, grid), g.name).toEqual(g.prompt_ids);
      expect(generationPrompt(tokenizer, special, 'lowres, bad anatomy, blurry.', grid), g.name).toEqual(
        g.negative_ids,
      );
      expect(g.output_ids).toHaveLength(newTokenCount(grid));
    }
  });

  it('builds the unconditional prompt from an empty text', () => {
    expect(generationPrompt(tokenizer, special, '', { height: 3, width: 4 })).toEqual([
      special.bos,
      ...visionBlockPrefix(tokenizer, special, { height: 3, width: 4 }),
    ]);
  });

  it('builds video prompts with the video meta text', () => {
    const grid = { height: 2, width: 3, frames: 4, fps: 8 };
    expect(generationPrompt(tokenizer, special, 'a ring', grid)).toEqual([
      special.bos,
      ...tokenizer.encode('a ring'),
      special.boi,
      ...tokenizer.encode('2*3*4@8'),
      special.img,
    ]);
  });

  it('builds the extension prompt: total frames in the meta, then the complete context frames', () => {
    const context: CodeGrid = {
      frames: 2,
      height: 2,
      width: 3,
      codes: Array.from({ length: 12 }, (_, i) => i),
    };
    const grid = { height: 2, width: 3, frames: 5, fps: 8 };
    const prompt = extensionPrompt(tokenizer, special, visual, 'a ring', grid, context);
    const v = (c: number): number => visual.first + c;
    expect(prompt).toEqual([
      ...generationPrompt(tokenizer, special, 'a ring', grid),
      ...[v(0), v(1), v(2), special.eol, v(3), v(4), v(5), special.eol, special.eof],
      ...[v(6), v(7), v(8), special.eol, v(9), v(10), v(11), special.eol, special.eof],
    ]);
    expect(newTokenCount(grid, context.frames)).toBe(3 * (2 * 4 + 1) + 2);
    expect(() => extensionPrompt(tokenizer, special, visual, 'x', { ...grid, frames: 2 }, context)).toThrow(
      /fewer than the video's 2/,
    );
    expect(() => extensionPrompt(tokenizer, special, visual, 'x', { ...grid, width: 4 }, context)).toThrow(
      /context frames are 2×3/,
    );
    expect(() => extensionPrompt(tokenizer, special, visual, 'x', { height: 2, width: 3 }, context)).toThrow(
      /video grid/,
    );
  });

  it('supports the Stage1 captioning template', () => {
    const block = visionBlock(tokenizer, special, visual, sceneCodes(1, 2, 2, 2, visual.count));
    expect(understandingPrompt(tokenizer, special, block, 'a', CAPTION_TEMPLATE)).toEqual([
      special.bos,
      ...block,
      ...tokenizer.encode('a'),
    ]);
    expect(() => understandingPrompt(tokenizer, special, block, 'a', 'no image {question}')).toThrow(
      /\{image\}/,
    );
    expect(() => understandingPrompt(tokenizer, special, block.slice(1), 'a')).toThrow(/image start/);
  });

  it('refuses special and visual tokens spelled inside user text', () => {
    const grid = { height: 3, width: 4 };
    for (const text of [
      'a <|image token|> cube',
      'a<|extra_204|>',
      '<|visual token 000007|>',
      'x<|image start|>',
    ]) {
      expect(() => generationPrompt(tokenizer, special, text, grid), text).toThrow(EngineError);
    }
    expect(() => generationPrompt(tokenizer, special, 'a <|image token|> cube', grid)).toThrow(
      /contains the special token <\|image token\|>/,
    );
    const block = visionBlock(tokenizer, special, visual, sceneCodes(0, 0, 2, 2, visual.count));
    expect(() => understandingPrompt(tokenizer, special, block, 'what <|image end|>')).toThrow(
      /question contains/,
    );
  });
});
