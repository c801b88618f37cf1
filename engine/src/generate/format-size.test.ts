import { describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { generationSize, parseRatio, roundHalfEven } from './format-size.js';

describe('roundHalfEven', () => {
  it('rounds ties to the even neighbour like Python 3 round()', () => {
    expect(
      [0.5, 1.5, 2.5, 3.5, 67.5, 68.5, 2.4999999999999996, 2.5000000000000004].map(roundHalfEven),
    ).toEqual([0, 2, 2, 4, 68, 68, 2, 3]);
    expect([0, 1, 1.49, 1.51, 119.99].map(roundHalfEven)).toEqual([0, 1, 1, 2, 120]);
  });
});

describe('generationSize', () => {
  it('reproduces the reference table at area 518400 (docs/token-format.md#the-size-rule)', () => {
    const table: [string, number, number][] = [
      ['1:1', 90, 90],
      ['16:9', 68, 120],
      ['9:16', 120, 68],
      ['4:3', 78, 104],
      ['3:4', 104, 78],
      ['21:9', 59, 137],
    ];
    for (const [ratio, height, width] of table) {
      expect(generationSize(ratio, 518400, 8), ratio).toEqual({ height, width });
    }
  });

  it('gives 64×64 for 1:1 at area 262144 and 5×5 at 1600 (the transformers test)', () => {
    expect(generationSize('1:1', 262144, 8)).toEqual({ height: 64, width: 64 });
    expect(generationSize('1:1', 1600, 8)).toEqual({ height: 5, width: 5 });
  });

  it('rounds exact half-way sides to even, not up', () => {
    // 1:1 at 540²: 540/8 = 67.5 → 68; at 548²: 68.5 → 68 (Math.round would give 69).
    expect(generationSize('1:1', 540 * 540, 8)).toEqual({ height: 68, width: 68 });
    expect(generationSize('1:1', 548 * 548, 8)).toEqual({ height: 68, width: 68 });
    // 1:1 at 12²: 1.5 → 2; at 20²: 2.5 → 2.
    expect(generationSize('1:1', 144, 8)).toEqual({ height: 2, width: 2 });
    expect(generationSize('1:1', 400, 8)).toEqual({ height: 2, width: 2 });
    // 2:1 at 800: target 20, height 20/8 = 2.5 → 2, width 40/8 = 5.
    expect(generationSize('2:1', 800, 8)).toEqual({ height: 2, width: 5 });
    // 1:3 at 4800: target 40, height 120/8 = 15, width 40/8 = 5; factor 16: 7.5 → 8 and 2.5 → 2.
    expect(generationSize('1:3', 4800, 8)).toEqual({ height: 15, width: 5 });
    expect(generationSize('1:3', 4800, 16)).toEqual({ height: 8, width: 2 });
  });

  it('accepts spaces and leading zeros the way Python int() does', () => {
    expect(parseRatio(' 16 : 9 ')).toEqual({ width: 16, height: 9 });
    expect(generationSize('016:09', 518400, 8)).toEqual({ height: 68, width: 120 });
  });

  it('rejects bad ratios, areas and factors with one-line errors', () => {
    for (const ratio of [
      '0:1',
      '1:0',
      'a:b',
      '16/9',
      '16:9:1',
      '-1:1',
      '1.5:1',
      '',
      '10001:1',
      '99999999999999999999:1',
    ]) {
      expect(() => generationSize(ratio, 518400, 8), ratio).toThrow(EngineError);
    }
    expect(() => generationSize('1:1', 0, 8)).toThrow(/image area 0/);
    expect(() => generationSize('1:1', 1.5, 8)).toThrow(/image area/);
    expect(() => generationSize('1:1', 518400, 0)).toThrow(/spatial factor/);
    // 1:1 at 4²: 0.5 → 0, an empty grid.
    expect(() => generationSize('1:1', 16, 8)).toThrow(/0×0 token grid/);
    expect(() => generationSize('10000:1', 51840, 8)).toThrow(/0×2846 token grid; a side is empty/);
    expect(() => generationSize('10000:1', 518400, 8)).toThrow(/1×9000 token grid; the limit is 4096/);
    expect(generationSize('1000:1', 518400, 8)).toEqual({ height: 3, width: 2846 });
    try {
      generationSize('a:b', 518400, 8);
    } catch (error) {
      expect((error as EngineError).code).toBe('bad_request');
      expect((error as EngineError).message).not.toContain('\n');
    }
  });
});
