import { Buffer } from 'node:buffer';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tiktoken } from 'js-tiktoken/lite';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { loadTokenizer, type Emu3Tokenizer } from './index.js';
import { QWEN_PATTERN, translatePattern } from './pattern.js';
import { EMU3_SPECIAL_TOKENS } from './tiktoken.js';
import {
  CODEBOOK,
  rejection,
  SAMPLES,
  type TinyFiles,
  visionTokenLines,
  writeTinyTokenizer,
} from './testkit.js';

let files: TinyFiles;
let tok: Emu3Tokenizer;
let reference: Tiktoken;

beforeAll(async () => {
  files = await writeTinyTokenizer();
  tok = await loadTokenizer({ kind: 'tiktoken', tiktoken: files.tiktoken, visionTokens: files.visionTokens });
  // js-tiktoken as an independent rank-BPE reference (its format: "! <rank> <base64>" lines).
  const specials = [...EMU3_SPECIAL_TOKENS, ...visionTokenLines(CODEBOOK)];
  reference = new Tiktoken({
    pat_str: translatePattern(QWEN_PATTERN),
    special_tokens: Object.fromEntries(specials.map((s, i) => [s, files.ranks + i])),
    bpe_ranks: files.rankBytes
      .map((b, r) => `! ${r} ${Buffer.from(b, 'latin1').toString('base64')}`)
      .join('\n'),
  });
});

describe('original format: ids', () => {
  it('numbers the special tokens after the last rank, in the documented order', () => {
    const n = files.ranks;
    expect(tok.tokenToId('<|endoftext|>')).toBe(n);
    expect(tok.tokenToId('<|extra_200|>')).toBe(n + 203);
    expect(tok.tokenToId('<|extra_203|>')).toBe(n + 206);
    expect(tok.tokenToId('<|image token|>')).toBe(n + 208);
    expect(tok.tokenToId('<|image end|>')).toBe(n + 210);
    expect(tok.vocabSize).toBe(n + 211 + CODEBOOK);
    expect(tok.idToToken(n + 209)).toBe('<|image start|>');
  });

  it('reads the visual tokens from the vision-tokens file', () => {
    expect(tok.codebookSize).toBe(CODEBOOK);
    expect(tok.visualTokenId(0)).toBe(files.ranks + 211);
    expect(tok.visualTokenId(CODEBOOK - 1)).toBe(tok.tokenToId('<|visual token 000039|>'));
    expect(tok.visualCode(tok.visualTokenId(17))).toBe(17);
    expect(tok.visualCode(files.ranks)).toBeUndefined();
    expect(() => tok.visualTokenId(CODEBOOK)).toThrow(RangeError);
    expect(() => tok.visualTokenId(-1)).toThrow(RangeError);
    expect(() => tok.visualTokenId(1.5)).toThrow(RangeError);
  });

  it('spells ordinary tokens in the GPT-2 byte-level alphabet', () => {
    const space = tok.tokenToId('Ġ');
    expect(space).toBeDefined();
    expect(tok.decode([space!])).toBe(' ');
    expect(tok.idToToken(space!)).toBe('Ġ');
  });
});

describe('original format: encode', () => {
  it('splits digits one per token', () => {
    const ids = tok.encode('64*64');
    expect(ids.map((id) => tok.decode([id]))).toEqual(['6', '4', '*', '6', '4']);
  });

  it('normalizes to NFC first', () => {
    expect(tok.encode('e\u0301')).toEqual(tok.encode('é'));
    expect(tok.encode('\u212b')).toEqual(tok.encode('\u00c5'));
  });

  it('turns special-token strings inside text into one id', () => {
    const ids = tok.encode('hi<|extra_203|>there<|visual token 000007|>');
    expect(ids).toContain(tok.tokenToId('<|extra_203|>'));
    expect(ids[ids.length - 1]).toBe(tok.visualTokenId(7));
    // Not special: a non-canonical spelling and a code outside the codebook stay text.
    expect(tok.encode('<|visual token 7|>')).not.toContain(tok.visualTokenId(7));
    expect(Math.max(...tok.encode('<|visual token 000040|>'))).toBeLessThan(files.ranks);
  });

  it('adds no BOS', () => {
    expect(tok.encode('')).toEqual([]);
    expect(tok.encode('a')[0]).not.toBe(tok.tokenToId('<|extra_203|>'));
  });

  it.each(SAMPLES.map((s) => [s]))('agrees with js-tiktoken on %j', (text) => {
    expect(tok.encode(text)).toEqual(reference.encode(text.normalize('NFC'), 'all'));
  });

  it.each(SAMPLES.map((s) => [s]))('decode(encode(x)) is NFC(x) for %j', (text) => {
    expect(tok.decode(tok.encode(text))).toBe(text.normalize('NFC'));
  });

  it('handles long pieces in near-linear time', () => {
    const long = `${'a'.repeat(20_000)} ${' '.repeat(20_000)}x${'🙂'.repeat(5_000)}`;
    const start = performance.now();
    const ids = tok.encode(long);
    expect(performance.now() - start).toBeLessThan(2_000);
    expect(tok.decode(ids)).toBe(long);
  });
});

describe('original format: decode', () => {
  it('drops every special id with skipSpecialTokens', () => {
    const ids = tok.encode('<|extra_203|>a cat<|image start|>2*2<|image token|><|visual token 000001|>');
    expect(tok.decode(ids)).toBe(
      '<|extra_203|>a cat<|image start|>2*2<|image token|><|visual token 000001|>',
    );
    expect(tok.decode(ids, { skipSpecialTokens: true })).toBe('a cat2*2');
  });

  it('replaces invalid UTF-8 like Python errors="replace"', () => {
    const lead = tok.tokenToId('ð')!; // the byte 0xF0 alone: a truncated 4-byte sequence
    expect(tok.decode([lead])).toBe('\uFFFD');
    expect(tok.decode([lead, ...tok.encode('ok')])).toBe('\uFFFDok');
  });

  it('refuses ids outside the vocabulary', () => {
    expect(() => tok.decode([tok.vocabSize])).toThrow(EngineError);
    expect(() => tok.decode([-1])).toThrow(/token id -1 is not in the tokenizer/);
  });
});

describe('original format: bad files', () => {
  async function loadWith(tiktoken: string, vision = visionTokenLines(CODEBOOK).join('\n')) {
    const dir = files.dir;
    const a = join(dir, `bad-${Math.random().toString(36).slice(2)}.tiktoken`);
    const b = join(dir, `bad-${Math.random().toString(36).slice(2)}.txt`);
    await writeFile(a, tiktoken);
    await writeFile(b, vision);
    return { load: () => loadTokenizer({ kind: 'tiktoken', tiktoken: a, visionTokens: b }), a, b };
  }
  const good = (): string[] =>
    files.rankBytes.map((x, r) => `${Buffer.from(x, 'latin1').toString('base64')} ${r}`);

  async function expectOneLine(
    load: () => Promise<unknown>,
    file: string,
    pattern: RegExp,
    code = 'invalid_file',
  ) {
    const error = await rejection(load);
    expect(error).toBeInstanceOf(EngineError);
    expect((error as EngineError).code).toBe(code);
    expect((error as Error).message).not.toContain('\n');
    expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
    expect((error as Error).message).toMatch(pattern);
  }

  it('names a truncated line', async () => {
    const lines = good();
    lines[5] = lines[5]!.split(' ')[0]!;
    const { load, a } = await loadWith(lines.join('\n'));
    await expectOneLine(load, a, /line 6: expected "<base64 bytes> <rank>"/);
  });

  it('names garbled base64 and a bad rank', async () => {
    const lines = good();
    lines[2] = '!!*garbage 2';
    const first = await loadWith(lines.join('\n'));
    await expectOneLine(first.load, first.a, /line 3: "!!\*garbage" is not base64/);
    const again = good();
    again[3] = again[3]!.replace(/ \d+$/, ' 3x');
    const second = await loadWith(again.join('\n'));
    await expectOneLine(second.load, second.a, /line 4: rank "3x"/);
  });

  it('names a missing or repeated rank', async () => {
    const lines = good();
    lines.splice(7, 1);
    const gap = await loadWith(lines.join('\n'));
    await expectOneLine(gap.load, gap.a, /rank 7 is missing/);
    const dup = good();
    dup[9] = dup[9]!.replace(/ \d+$/, ' 8');
    const twice = await loadWith(dup.join('\n'));
    await expectOneLine(twice.load, twice.a, /line 10: rank 8 appears twice/);
  });

  it('names a vision-tokens file with a gap in the codes', async () => {
    const vision = visionTokenLines(CODEBOOK).filter((l) => l !== '<|visual token 000013|>');
    const { load, b } = await loadWith(good().join('\n'), vision.join('\n'));
    await expectOneLine(load, b, /<\|visual token 000013\|> is missing/);
  });

  it('names a missing file', async () => {
    const missing = join(files.dir, 'nope.tiktoken');
    await expectOneLine(
      () => loadTokenizer({ kind: 'tiktoken', tiktoken: missing, visionTokens: files.visionTokens }),
      missing,
      /no such file/,
      'not_found',
    );
  });
});
