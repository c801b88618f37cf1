/**
 * Test support (not used by the engine): trains a tiny byte-level BPE and writes it in both formats, the
 * original (emu3.tiktoken + emu3_vision_tokens.txt) and an HF-style tokenizer.json that should be
 * equivalent to it (NFC + Split(Qwen regex) + ByteLevel), or a GPT-2-regex variant.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { binaryToByteLevel, utf8Binary } from './bpe.js';
import { compilePattern, findAll, QWEN_PATTERN } from './pattern.js';
import { EMU3_SPECIAL_TOKENS } from './tiktoken.js';
import { visualTokenString } from './visual.js';

export const CORPUS = [
  'The quick brown fox jumps over the lazy dog. The dog sleeps; the fox runs away!',
  "It's a photo of a cat sitting on a mat, isn't it? We'll see what they've done.",
  'An astronaut riding a horse on the moon, 4k, highly detailed, cinematic lighting.',
  'Numbers: 64*64, 90*90, 2024-09-26 and 3.14159. Prices $12.50 or €7.',
  '日本語のテキストと中文文本。 Ünïcödé ü é ñ 🙂🙂 emoji.',
  '    indented code\n\tand tabs\n\n\nnewlines  \r\n windows lines',
  'hello hello hello world world wonderful wonder wander',
].join('\n');

export const CODEBOOK = 40;

/** Texts every test encodes: digits, NFC, whitespace runs, contractions, non-ASCII, specials. */
export const SAMPLES = [
  '',
  'a red cube on a table',
  '64*64',
  'year 2024: 1234567890 and 3.14159',
  'e\u0301 and \u212b are NFC-normalised',
  '  multiple   spaces\n\n\nand\ttabs \r\n end  ',
  "don't you'LL see it's THEY'RE",
  '日本語 ü 🙂 👍🏽 Café naïve',
  'hello<|extra_203|>world<|visual token 000007|><|image start|>3*4<|image token|>',
  '<|extra_20|><|extra_2|><|extra_204|> <|visual token 039|> <|visual token 000040|>',
  '\uFEFFzero\u200bwidth\u0085nel',
  CORPUS,
];

/** Trains `merges` BPE merges on the corpus' Qwen pre-tokens; returns every rank's bytes (binary string). */
export function trainRanks(corpus: string, merges: number): string[] {
  const ranks = Array.from({ length: 256 }, (_, b) => String.fromCharCode(b));
  const known = new Set(ranks);
  const words = new Map<string, number>();
  for (const piece of findAll(corpus, compilePattern(QWEN_PATTERN))) {
    const key = utf8Binary(piece);
    words.set(key, (words.get(key) ?? 0) + 1);
  }
  let splits = [...words].map(([word, count]) => ({ parts: [...word], count }));
  for (let m = 0; m < merges; m++) {
    const counts = new Map<string, number>();
    for (const { parts, count } of splits) {
      for (let i = 0; i + 1 < parts.length; i++) {
        const key = `${parts[i]}\u0000${parts[i + 1]}`;
        counts.set(key, (counts.get(key) ?? 0) + count);
      }
    }
    let best: [string, number] | undefined;
    for (const [key, count] of counts) {
      const joined = key.replace('\u0000', '');
      if (known.has(joined)) continue;
      if (best === undefined || count > best[1] || (count === best[1] && key < best[0])) best = [key, count];
    }
    if (best === undefined) break;
    const [a, b] = best[0].split('\u0000') as [string, string];
    ranks.push(a + b);
    known.add(a + b);
    splits = splits.map(({ parts, count }) => {
      const out: string[] = [];
      for (let i = 0; i < parts.length; i++) {
        if (parts[i] === a && parts[i + 1] === b) {
          out.push(a + b);
          i += 1;
        } else out.push(parts[i]!);
      }
      return { parts: out, count };
    });
  }
  return ranks;
}

export function visionTokenLines(codebook: number): string[] {
  const visual = Array.from({ length: codebook }, (_, c) => visualTokenString(c));
  return ['<|image token|>', '<|image start|>', '<|image end|>', ...visual];
}

export interface TinyFiles {
  dir: string;
  tiktoken: string;
  visionTokens: string;
  /** Split(Qwen regex) + ByteLevel(use_regex: false), NFC: equivalent to the original. */
  qwenJson: string;
  /** A bare ByteLevel(use_regex: true) pre-tokenizer (the GPT-2 regex), NFC; merges as "a b" strings. */
  gpt2Json: string;
  /** Number of ranks: the first special id. */
  ranks: number;
  rankBytes: string[];
}

function tokenizerJson(
  rankBytes: string[],
  codebook: number,
  preTokenizer: object,
  mergeStrings: boolean,
): object {
  const byteLevel = rankBytes.map(binaryToByteLevel);
  // As transformers' converter does: a rank's merge is the two parts rank-BPE leaves when only lower ranks
  // may merge (written naively here, independent of the code under test).
  const rankOf = new Map(rankBytes.map((bytes, rank) => [bytes, rank]));
  const merges: [string, string][] = [];
  rankBytes.forEach((bytes, rank) => {
    if (bytes.length < 2) return;
    let parts = [...bytes];
    for (;;) {
      let best: [number, number] | undefined;
      for (let i = 0; i + 1 < parts.length; i++) {
        const r = rankOf.get(parts[i]! + parts[i + 1]!);
        if (r !== undefined && r < rank && (best === undefined || r < best[1])) best = [i, r];
      }
      if (best === undefined) break;
      const i = best[0];
      parts = [...parts.slice(0, i), parts[i]! + parts[i + 1]!, ...parts.slice(i + 2)];
    }
    if (parts.length !== 2) throw new Error(`rank ${rank} does not split in two`);
    merges.push([byteLevel[rankOf.get(parts[0]!)!]!, byteLevel[rankOf.get(parts[1]!)!]!]);
  });
  const specials = [...EMU3_SPECIAL_TOKENS, ...visionTokenLines(codebook)];
  const added = specials.map((content, i) => ({
    id: rankBytes.length + i,
    content: content === '<|extra_0|>' ? '<image>' : content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  }));
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'NFC' },
    pre_tokenizer: preTokenizer,
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: null,
      end_of_word_suffix: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries(byteLevel.map((token, rank) => [token, rank])),
      merges: mergeStrings ? merges.map((pair) => pair.join(' ')) : merges,
    },
  };
}

/** Writes the tiny tokenizer into a fresh temp dir. */
export async function writeTinyTokenizer(merges = 300, codebook = CODEBOOK): Promise<TinyFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'emu3-tokenizer-'));
  const rankBytes = trainRanks(CORPUS, merges);
  const files: TinyFiles = {
    dir,
    tiktoken: join(dir, 'emu3.tiktoken'),
    visionTokens: join(dir, 'emu3_vision_tokens.txt'),
    qwenJson: join(dir, 'qwen', 'tokenizer.json'),
    gpt2Json: join(dir, 'gpt2', 'tokenizer.json'),
    ranks: rankBytes.length,
    rankBytes,
  };
  const lines = rankBytes.map((bytes, rank) => `${Buffer.from(bytes, 'latin1').toString('base64')} ${rank}`);
  await writeFile(files.tiktoken, `${lines.join('\n')}\n`);
  await writeFile(files.visionTokens, `${visionTokenLines(codebook).join('\n')}\n`);
  const qwen = {
    type: 'Sequence',
    pretokenizers: [
      { type: 'Split', pattern: { Regex: QWEN_PATTERN }, behavior: 'Isolated', invert: false },
      { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    ],
  };
  const gpt2 = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  await writeJson(files.qwenJson, tokenizerJson(rankBytes, codebook, qwen, false));
  await writeJson(files.gpt2Json, tokenizerJson(rankBytes, codebook, gpt2, true));
  return files;
}

export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, JSON.stringify(value, null, 1));
}

/** The error `load` rejects with, or undefined when it resolves. */
export async function rejection(load: () => Promise<unknown>): Promise<unknown> {
  return load().then(
    () => undefined,
    (error: unknown) => error,
  );
}
