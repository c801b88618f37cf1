import { describe, expect, it } from 'vitest';
import {
  compilePattern,
  findAll,
  GPT2_PATTERN,
  QWEN_PATTERN,
  splitPieces,
  translatePattern,
} from './pattern.js';

const qwen = compilePattern(QWEN_PATTERN);
const gpt2 = compilePattern(GPT2_PATTERN);

describe('Qwen PAT_STR in JavaScript', () => {
  it('splits digits one per piece', () => {
    expect(findAll('64*64', qwen)).toEqual(['6', '4', '*', '6', '4']);
    expect(findAll('year 2024', qwen)).toEqual(['year', ' ', '2', '0', '2', '4']);
  });

  it('keeps runs of spaces and newlines as Python does', () => {
    expect(findAll('a  b\n\n c   ', qwen)).toEqual(['a', ' ', ' b', '\n\n', ' c', '   ']);
    expect(findAll('x \r\n y', qwen)).toEqual(['x', ' \r\n', ' y']);
    expect(findAll('end.\n\nNext', qwen)).toEqual(['end', '.\n\n', 'Next']);
  });

  it('matches contractions case-insensitively, ſ included (Unicode simple case folding)', () => {
    expect(findAll("DON'T they'RE it's", qwen)).toEqual(['DON', "'T", ' they', "'RE", ' it', "'s"]);
    expect(findAll("x'\u017f", qwen)).toEqual(['x', "'\u017f"]);
    expect(findAll("x'Sam", qwen)).toEqual(['x', "'S", 'am']);
  });

  it('uses Unicode White_Space for \\s, not JavaScript\u2019s \\s', () => {
    // U+FEFF is \s in JavaScript but not White_Space; U+0085 is White_Space but not \s in JavaScript.
    expect(findAll('a\uFEFFb', qwen)).toEqual(['a', '\uFEFFb']);
    expect(findAll('a\u0085\u0085b', qwen)).toEqual(['a', '\u0085', '\u0085b']);
  });

  it('covers every character of non-ASCII text', () => {
    const text = 'Café — 日本語 ü 🙂👍🏽';
    expect(findAll(text, qwen).join('')).toBe(text);
  });
});

describe('GPT-2 pattern', () => {
  it('groups digit runs and attaches a leading space', () => {
    expect(findAll('64*64 and 2024', gpt2)).toEqual(['64', '*', '64', ' and', ' 2024']);
  });
});

describe('translatePattern', () => {
  it('translates the Oniguruma constructs tokenizer files use', () => {
    expect(translatePattern("(?i:'s|'t)")).toBe("(?:'[sS\u017f]|'[tT])");
    expect(translatePattern('[^\\s\\p{L}]\\S\\d')).toBe('[^\\p{White_Space}\\p{L}]\\P{White_Space}\\p{Nd}');
    expect(translatePattern("\\'\\-x")).toBe("'-x");
  });

  it('refuses what it cannot translate', () => {
    expect(() => translatePattern('(?>atomic)')).toThrow(/unsupported regex construct/);
    expect(() => translatePattern('a++')).toThrow(/possessive/);
    expect(() => translatePattern('\\h')).toThrow(/unsupported/);
    expect(() => translatePattern('(?i:[a-z])')).toThrow(/literal alternatives/);
  });
});

describe('splitPieces behaviors (the tokenizers documentation example)', () => {
  const text = 'the-final--countdown';
  it.each([
    ['Removed', ['the', 'final', 'countdown']],
    ['Isolated', ['the', '-', 'final', '-', '-', 'countdown']],
    ['MergedWithPrevious', ['the-', 'final-', '-', 'countdown']],
    ['MergedWithNext', ['the', '-final', '-', '-countdown']],
    ['Contiguous', ['the', '-', 'final', '--', 'countdown']],
  ] as const)('%s', (behavior, expected) => {
    expect(splitPieces(text, '-', behavior)).toEqual(expected);
    expect(splitPieces(text, /-/gu, behavior)).toEqual(expected);
  });

  it('inverts', () => {
    expect(splitPieces('ab12cd', /\p{L}+/gu, 'Removed', true)).toEqual(['ab', 'cd']);
  });
});
