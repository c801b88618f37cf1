import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { TINY } from '../model/reference-fixtures.js';
import { loadTokenizer, type Emu3Tokenizer } from '../tokenizer/index.js';
import { checkGrid, formatMeta, parseMeta, type VisionGrid } from './format-meta.js';

describe('meta text', () => {
  it('is "{h}*{w}" for images and "{h}*{w}*{frames}@{fps}" for videos', () => {
    expect(formatMeta({ height: 90, width: 90 })).toBe('90*90');
    expect(formatMeta({ height: 68, width: 120, frames: 1 })).toBe('68*120');
    expect(formatMeta({ height: 30, width: 40, frames: 8, fps: 8 })).toBe('30*40*8@8');
    expect(formatMeta({ height: 3, width: 5, frames: 1, fps: 29.97 })).toBe('3*5*1@29.97');
    expect(formatMeta({ height: 3, width: 5, frames: 2, fps: 0.5 })).toBe('3*5*2@0.5');
  });

  it('parses back what it formats (h ≠ w, images and videos)', () => {
    const grids: VisionGrid[] = [
      { height: 3, width: 4 },
      { height: 68, width: 120 },
      { height: 120, width: 68 },
      { height: 2, width: 5, frames: 3, fps: 8 },
      { height: 59, width: 137, frames: 16, fps: 23.98 },
      { height: 1, width: 1, frames: 1, fps: 12.5 },
    ];
    for (const grid of grids) expect(parseMeta(formatMeta(grid))).toEqual(grid);
  });

  it('accepts only the canonical spelling', () => {
    for (const text of [
      '3x4',
      '03*4',
      '3*4*2',
      '3*4@8',
      '3*4*2@08',
      '3*4*2@8.0',
      '3*4*2@8.50',
      '3*4*0@8',
      '3*4*2@0',
      ' 3*4',
      '3*4*2@8.125',
      '0*4',
      '3*4*2@1e3',
    ]) {
      expect(() => parseMeta(text), text).toThrow(EngineError);
    }
  });

  it('validates grids in one line', () => {
    expect(() => checkGrid({ height: 0, width: 4 })).toThrow(/grid height 0/);
    expect(() => checkGrid({ height: 3, width: 4.5 })).toThrow(/grid width 4.5/);
    expect(() => checkGrid({ height: 3, width: 5000 })).toThrow(/from 1 to 4096/);
    expect(() => checkGrid({ height: 3, width: 4, frames: 2 })).toThrow(/needs its fps/);
    expect(() => checkGrid({ height: 3, width: 4, fps: 8 })).toThrow(/needs its frame count/);
    expect(() => checkGrid({ height: 3, width: 4, frames: 2, fps: 0 })).toThrow(/fps 0/);
    expect(() => checkGrid({ height: 3, width: 4, frames: 2, fps: 1 / 3 })).toThrow(/two decimals/);
    expect(() => checkGrid({ height: 3, width: 4, frames: 2, fps: Number.NaN })).toThrow(/fps NaN/);
  });

  describe('tokenized', () => {
    let tokenizer: Emu3Tokenizer;
    beforeAll(async () => {
      tokenizer = await loadTokenizer({
        kind: 'tiktoken',
        tiktoken: join(TINY.originalDecoder, 'emu3.tiktoken'),
        visionTokens: join(TINY.originalDecoder, 'emu3_vision_tokens.txt'),
      });
    });

    it('is one token per character: digits split, "*", "@" and "." stand alone', () => {
      for (const text of ['90*90', '68*120', '30*40*8@8', '59*137*16@23.98']) {
        const ids = tokenizer.encode(text);
        expect(ids, text).toHaveLength(text.length);
        expect(tokenizer.decode(ids)).toBe(text);
        expect(parseMeta(tokenizer.decode(ids))).toEqual(parseMeta(text));
      }
    });
  });
});
