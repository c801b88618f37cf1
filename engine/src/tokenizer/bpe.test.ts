import { describe, expect, it } from 'vitest';
import {
  BYTE_TO_CHAR,
  binaryToByteLevel,
  byteLevelToBinary,
  type MergeLookup,
  mergeSymbols,
  SpecialMatcher,
  utf8Binary,
} from './bpe.js';

/** The textbook loop: scan for the lowest-rank pair (leftmost on ties), merge, repeat. */
function naiveMerge(symbols: number[], lookup: MergeLookup): number[] {
  const parts = symbols.slice();
  for (;;) {
    let best: [number, number, number] | undefined;
    for (let i = 0; i + 1 < parts.length; i++) {
      const m = lookup(parts[i]!, parts[i + 1]!);
      if (m !== undefined && (best === undefined || m.rank < best[1])) best = [i, m.rank, m.id];
    }
    if (best === undefined) return parts;
    parts.splice(best[0], 2, best[2]);
  }
}

describe('mergeSymbols', () => {
  it('matches the textbook loop on random merge tables', () => {
    let seed = 7;
    const random = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 8) % n;
    };
    for (let trial = 0; trial < 200; trial++) {
      const table = new Map<string, { rank: number; id: number }>();
      for (let k = 0; k < 30; k++) {
        table.set(`${random(8)},${random(8)}`, { rank: random(20), id: random(8) });
      }
      const lookup: MergeLookup = (l, r) => table.get(`${l},${r}`);
      const symbols = Array.from({ length: 1 + random(30) }, () => random(8));
      expect(mergeSymbols(symbols, lookup)).toEqual(naiveMerge(symbols, lookup));
    }
  });
});

describe('GPT-2 byte-level alphabet', () => {
  it('maps printable bytes to themselves and the rest above U+00FF', () => {
    expect(BYTE_TO_CHAR[0x41]).toBe('A');
    expect(BYTE_TO_CHAR[0x20]).toBe('Ġ');
    expect(BYTE_TO_CHAR[0x0a]).toBe('Ċ');
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    const binary = utf8Binary('日本 🙂');
    expect(byteLevelToBinary(binaryToByteLevel(binary))).toBe(binary);
    expect(byteLevelToBinary('日')).toBeUndefined();
  });
});

describe('SpecialMatcher', () => {
  it('finds the leftmost, then the longest token', () => {
    const m = new SpecialMatcher();
    m.add('ab', 1);
    m.add('abc', 2);
    m.add('bcd', 3);
    m.add('🙂!', 4);
    expect(m.split('xabcd🙂!')).toEqual([
      { text: 'x' },
      { id: 2, start: 1, end: 4 },
      { text: 'd' },
      { id: 4, start: 5, end: 8 },
    ]);
    expect(m.split('')).toEqual([]);
    expect(m.split('zab')).toEqual([{ text: 'z' }, { id: 1, start: 1, end: 3 }]);
  });
});
