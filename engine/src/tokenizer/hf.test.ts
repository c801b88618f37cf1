import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../api/index.js';
import { loadTokenizer, type Emu3Tokenizer } from './index.js';
import { CODEBOOK, rejection, SAMPLES, type TinyFiles, writeJson, writeTinyTokenizer } from './testkit.js';

type Json = Record<string, unknown>;

let files: TinyFiles;
let original: Emu3Tokenizer;
let qwen: Emu3Tokenizer;
let gpt2: Emu3Tokenizer;
let qwenJson: Json;

beforeAll(async () => {
  files = await writeTinyTokenizer();
  original = await loadTokenizer({
    kind: 'tiktoken',
    tiktoken: files.tiktoken,
    visionTokens: files.visionTokens,
  });
  qwen = await loadTokenizer({ kind: 'tokenizer.json', path: files.qwenJson });
  gpt2 = await loadTokenizer({ kind: 'tokenizer.json', path: files.gpt2Json });
  qwenJson = JSON.parse(await readFile(files.qwenJson, 'utf8')) as Json;
});

/** Writes a variant of a tokenizer.json (the Qwen-style one unless `base` says) and loads it. */
async function variant(
  name: string,
  edit: (json: Json) => void,
  vocabularyMap?: Record<string, number>,
  base?: string,
) {
  const json =
    base === undefined ? structuredClone(qwenJson) : (JSON.parse(await readFile(base, 'utf8')) as Json);
  edit(json);
  const path = join(files.dir, name, 'tokenizer.json');
  await writeJson(path, json);
  return { path, load: () => loadTokenizer({ kind: 'tokenizer.json', path, vocabularyMap }) };
}

async function expectOneLine(load: () => Promise<unknown>, file: string, pattern: RegExp, code: string) {
  const error = await rejection(load);
  expect(error).toBeInstanceOf(EngineError);
  expect((error as EngineError).code).toBe(code);
  expect((error as Error).message).not.toContain('\n');
  expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
  expect((error as Error).message).toMatch(pattern);
}

describe('tokenizer.json with Split(Qwen regex) + ByteLevel + NFC', () => {
  it.each(SAMPLES.map((s) => [s]))('gives the original format\u2019s ids for %j', (text) => {
    expect(qwen.encode(text)).toEqual(original.encode(text));
    expect(qwen.decode(qwen.encode(text))).toBe(text.normalize('NFC'));
  });

  it('takes special ids from added_tokens (with <|extra_0|> renamed <image>)', () => {
    expect(qwen.vocabSize).toBe(original.vocabSize);
    expect(qwen.tokenToId('<image>')).toBe(files.ranks + 3);
    expect(qwen.tokenToId('<|extra_0|>')).toBeUndefined();
    for (const s of [
      '<|endoftext|>',
      '<|extra_203|>',
      '<|image token|>',
      '<|image start|>',
      '<|image end|>',
    ]) {
      expect(qwen.tokenToId(s)).toBe(original.tokenToId(s));
    }
    expect(qwen.idToToken(files.ranks + 206)).toBe('<|extra_203|>');
    expect(qwen.idToToken(7)).toBe(original.idToToken(7));
  });

  it('has the same visual mapping as the original files', () => {
    expect(qwen.codebookSize).toBe(CODEBOOK);
    for (let c = 0; c < CODEBOOK; c++) expect(qwen.visualTokenId(c)).toBe(original.visualTokenId(c));
    expect(qwen.visualCode(qwen.visualTokenId(39))).toBe(39);
    expect(() => qwen.visualTokenId(CODEBOOK)).toThrow(RangeError);
  });

  it('skips the added tokens marked special', () => {
    const ids = qwen.encode('<|extra_203|>a cat<|image start|>2*2<|visual token 000003|>');
    expect(qwen.decode(ids, { skipSpecialTokens: true })).toBe('a cat2*2');
  });
});

describe('tokenizer.json with a bare ByteLevel(use_regex) pre-tokenizer (the GPT-2 regex)', () => {
  it('does what the file says: digit runs are one pre-token, unlike the original', async () => {
    // Give both files a "64" token: only the GPT-2 pre-tokenizer lets BPE reach it.
    const addSixtyFour = (json: Json): void => {
      const model = json.model as { vocab: Record<string, number>; merges: unknown[] };
      model.vocab['64'] = original.vocabSize;
      model.merges.push(typeof model.merges[0] === 'string' ? '6 4' : ['6', '4']);
    };
    const withGpt2 = await (await variant('gpt2-64', addSixtyFour, undefined, files.gpt2Json)).load();
    const withQwen = await (await variant('qwen-64', addSixtyFour)).load();
    const pieces = (tok: Emu3Tokenizer, text: string): string[] =>
      tok.encode(text).map((id) => tok.decode([id]));
    expect(pieces(withGpt2, '64*64')).toEqual(['64', '*', '64']);
    expect(pieces(withQwen, '64*64')).toEqual(['6', '4', '*', '6', '4']);
    expect(gpt2.encode('64*64')).toEqual(original.encode('64*64'));
  });

  it.each(SAMPLES.map((s) => [s]))('round-trips %j', (text) => {
    expect(gpt2.decode(gpt2.encode(text))).toBe(text.normalize('NFC'));
  });
});

describe('config.json vocabulary_map', () => {
  it('supplies the visual tokens and must agree with the file', async () => {
    const map: Record<string, number> = {};
    for (let c = 0; c < CODEBOOK; c++)
      map[`<|visual token ${String(c).padStart(6, '0')}|>`] = qwen.visualTokenId(c);
    map['<image>'] = files.ranks + 3;
    const same = await variant('vm-same', () => {}, map);
    const tok = await same.load();
    expect(tok.visualTokenId(5)).toBe(qwen.visualTokenId(5));

    const swapped: Record<string, number> = {
      ...map,
      '<|visual token 000005|>': qwen.visualTokenId(6),
      '<|visual token 000006|>': qwen.visualTokenId(5),
    };
    const bad = await variant('vm-bad', () => {}, swapped);
    await expectOneLine(
      bad.load,
      bad.path,
      /<\|visual token 000005\|> is id \d+, but config.json/,
      'invalid_file',
    );
  });
});

describe('added-token options', () => {
  it('lstrip/rstrip swallow the whitespace beside the token', async () => {
    const { load } = await variant('strip', (json) => {
      const added = json.added_tokens as Json[];
      const bos = added.find((t) => t.content === '<|extra_203|>')!;
      bos.lstrip = true;
      bos.rstrip = true;
    });
    const tok = await load();
    expect(tok.encode('a  <|extra_203|>   b')).toEqual([
      ...tok.encode('a'),
      tok.tokenToId('<|extra_203|>'),
      ...tok.encode('b'),
    ]);
  });
});

describe('bad tokenizer.json files', () => {
  it('names an unsupported model type', async () => {
    const { path, load } = await variant('wordpiece', (json) => {
      (json.model as Json).type = 'WordPiece';
    });
    await expectOneLine(load, path, /unsupported model type "WordPiece"/, 'unsupported');
  });

  it('names an unsupported pre-tokenizer, normalizer and decoder', async () => {
    const pre = await variant('metaspace', (json) => {
      json.pre_tokenizer = { type: 'Metaspace', replacement: '▁' };
    });
    await expectOneLine(pre.load, pre.path, /unsupported pre_tokenizer Metaspace/, 'unsupported');
    const norm = await variant('lowercase', (json) => {
      json.normalizer = { type: 'Sequence', normalizers: [{ type: 'NFC' }, { type: 'Lowercase' }] };
    });
    await expectOneLine(norm.load, norm.path, /unsupported normalizer Lowercase/, 'unsupported');
    const dec = await variant('wpdecoder', (json) => {
      json.decoder = { type: 'WordPiece' };
    });
    await expectOneLine(dec.load, dec.path, /unsupported decoder WordPiece/, 'unsupported');
  });

  it('names a Split regex it cannot translate', async () => {
    const { path, load } = await variant('possessive', (json) => {
      json.pre_tokenizer = {
        type: 'Split',
        pattern: { Regex: '\\p{L}++' },
        behavior: 'Isolated',
        invert: false,
      };
    });
    await expectOneLine(load, path, /unsupported Split regex: .*possessive/, 'unsupported');
  });

  it('names invalid JSON and a merge outside the vocab', async () => {
    const broken = join(files.dir, 'broken.json');
    await writeFile(broken, '{"model": {');
    await expectOneLine(
      () => loadTokenizer({ kind: 'tokenizer.json', path: broken }),
      broken,
      /is not valid JSON/,
      'invalid_file',
    );
    const merge = await variant('merge', (json) => {
      (json.model as { merges: unknown[] }).merges.push('Ġ zzzz');
    });
    await expectOneLine(
      merge.load,
      merge.path,
      /merge \d+ "Ġ zzzz" uses a token missing from the vocab/,
      'invalid_file',
    );
  });
});
