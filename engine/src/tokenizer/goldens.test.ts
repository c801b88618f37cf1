/**
 * Parity with the reference implementation on the tiny fixture model (models/reference/FIXTURES.md): ids
 * from `tokenizers` on tiny/hf/tokenizer.json, checked there against tiktoken on emu3.tiktoken.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadTokenizer, type Emu3Tokenizer } from './index.js';
import { SPECIAL_TOKEN_STRINGS } from '../model/checkpoint-config.js';

const FIXTURES = fileURLToPath(new URL('../../../models/reference/fixtures/', import.meta.url));
const MANIFEST = `${FIXTURES}goldens/manifest.json`;

interface Manifest {
  special: Record<'pad' | 'bos' | 'eos' | 'img' | 'boi' | 'eoi' | 'eol' | 'eof' | 'visual0', number>;
  tokenizer: { cases: { text: string; ids: number[] }[] };
}

const manifest: Manifest | undefined = existsSync(MANIFEST)
  ? (JSON.parse(readFileSync(MANIFEST, 'utf8')) as Manifest)
  : undefined;

// The strings of the ids config.json names, plus the first visual token.
const SPECIAL_STRINGS = { ...SPECIAL_TOKEN_STRINGS, visual0: '<|visual token 000000|>' } as const;

describe.skipIf(manifest === undefined)('tiny fixture goldens', () => {
  const cases = manifest?.tokenizer.cases ?? [];
  const special = manifest?.special;
  const formats: Record<string, Emu3Tokenizer> = {};

  beforeAll(async () => {
    const decoder = `${FIXTURES}tiny/original/decoder/`;
    formats.original = await loadTokenizer({
      kind: 'tiktoken',
      tiktoken: `${decoder}emu3.tiktoken`,
      visionTokens: `${decoder}emu3_vision_tokens.txt`,
    });
    for (const layout of ['hf', 'hf-memory']) {
      const config = JSON.parse(readFileSync(`${FIXTURES}tiny/${layout}/config.json`, 'utf8')) as {
        vocabulary_map: Record<string, number>;
      };
      formats[layout] = await loadTokenizer({
        kind: 'tokenizer.json',
        path: `${FIXTURES}tiny/${layout}/tokenizer.json`,
        vocabularyMap: config.vocabulary_map,
      });
      formats[`${layout} (no vocabulary_map)`] = await loadTokenizer({
        kind: 'tokenizer.json',
        path: `${FIXTURES}tiny/${layout}/tokenizer.json`,
      });
    }
  });

  const names = ['original', 'hf', 'hf-memory', 'hf (no vocabulary_map)', 'hf-memory (no vocabulary_map)'];
  describe.each(names)('%s', (name) => {
    it.each(cases.map((c) => [c.text, c.ids] as const))('encodes %j like the reference', (text, ids) => {
      expect(formats[name]!.encode(text)).toEqual(ids);
    });

    it.each(cases.map((c) => [c.text] as const))('decode(encode(x)) is NFC(x) for %j', (text) => {
      const tok = formats[name]!;
      expect(tok.decode(tok.encode(text))).toBe(text.normalize('NFC'));
    });

    it('has the special ids of the manifest', () => {
      const tok = formats[name]!;
      for (const [key, token] of Object.entries(SPECIAL_STRINGS)) {
        expect([key, tok.tokenToId(token)]).toEqual([key, special![key as keyof typeof SPECIAL_STRINGS]]);
      }
      expect(tok.visualTokenId(0)).toBe(special!.visual0);
    });
  });

  it('agrees on the visual mapping and the vocabulary between formats', () => {
    const original = formats.original!;
    expect(original.codebookSize).toBe(40);
    for (const name of names.slice(1)) {
      const tok = formats[name]!;
      expect(tok.codebookSize).toBe(original.codebookSize);
      expect(tok.vocabSize).toBe(original.vocabSize);
      for (let c = 0; c < original.codebookSize; c++) {
        expect(tok.visualTokenId(c)).toBe(original.visualTokenId(c));
        expect(tok.visualCode(original.visualTokenId(c))).toBe(c);
      }
      for (let id = 0; id < special!.pad; id++) expect(tok.idToToken(id)).toBe(original.idToToken(id));
    }
  });
});
