/**
 * The BAAI original tokenizer (docs/emu3-facts.md#the-text-tokenizer, #special-tokens): `emu3.tiktoken` ranks
 * plus the special tokens `<|endoftext|>`, `<|im_start|>`, `<|im_end|>`, `<|extra_0|>`..`<|extra_204|>` and
 * the lines of `emu3_vision_tokens.txt`, numbered after the last rank. Encoding: NFC, special tokens anywhere
 * in the text ("all" allowed), Qwen's PAT_STR pre-tokenizer, byte-level BPE by rank.
 *
 * Not js-tiktoken: it rebuilds a regex of every special token (33k for Emu3) on each encode (~50 ms for a
 * short prompt), merges in O(n²) with string keys (1.5 s for a 5000-byte piece) and silently drops pieces
 * it cannot encode. The tests use it as an independent reference on a small vocabulary instead.
 */
import { Buffer } from 'node:buffer';
import { EngineError } from '../api/index.js';
import {
  binaryToByteLevel,
  binaryToText,
  byteLevelToBinary,
  type MergeLookup,
  mergeSymbols,
  PieceCache,
  SpecialMatcher,
  utf8Binary,
} from './bpe.js';
import { checkId, excerpt, readTextFile } from './io.js';
import { compilePattern, findAll, QWEN_PATTERN } from './pattern.js';
import type { DecodeOptions, Emu3Tokenizer } from './types.js';
import { VisualTokens } from './visual.js';

/** The special tokens before the vision-token lines, in id order (tokenization_emu3.py). */
export const EMU3_SPECIAL_TOKENS: readonly string[] = [
  '<|endoftext|>',
  '<|im_start|>',
  '<|im_end|>',
  ...Array.from({ length: 205 }, (_, i) => `<|extra_${i}|>`),
];

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Mergeable ranks: rank → bytes (binary string) and back. */
export interface Ranks {
  bytes: string[];
  rankOf: Map<string, number>;
}

/** Parses `base64(bytes) rank` lines; ranks must be exactly 0..N-1, each byte string once. */
export function parseTiktoken(text: string, path: string): Ranks {
  const rankOf = new Map<string, number>();
  const bytes: string[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line.length === 0) continue;
    const fail = (problem: string): never => {
      throw new EngineError('invalid_file', `${path}: line ${n + 1}: ${problem}`);
    };
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 2) fail(`expected "<base64 bytes> <rank>", got ${excerpt(line)}`);
    const [token, rankText] = fields as [string, string];
    if (!BASE64.test(token) || token.length === 0) fail(`${excerpt(token)} is not base64`);
    if (!/^\d+$/.test(rankText)) fail(`rank ${excerpt(rankText)} is not a non-negative integer`);
    const rank = Number(rankText);
    const binary = Buffer.from(token, 'base64').toString('latin1');
    if (rankOf.has(binary)) fail(`the bytes ${excerpt(token)} already have rank ${rankOf.get(binary)}`);
    if (bytes[rank] !== undefined) fail(`rank ${rank} appears twice`);
    rankOf.set(binary, rank);
    bytes[rank] = binary;
  }
  if (rankOf.size === 0) throw new EngineError('invalid_file', `${path}: holds no ranks`);
  if (bytes.length !== rankOf.size) {
    const missing = bytes.findIndex((b) => b === undefined);
    throw new EngineError(
      'invalid_file',
      `${path}: ranks are not 0..${bytes.length - 1} (rank ${missing} is missing)`,
    );
  }
  return { bytes, rankOf };
}

/** The non-empty, stripped lines of emu3_vision_tokens.txt. */
export function parseVisionTokens(text: string, path: string): string[] {
  const tokens = text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (tokens.length === 0) throw new EngineError('invalid_file', `${path}: holds no tokens`);
  return tokens;
}

class TiktokenTokenizer implements Emu3Tokenizer {
  readonly vocabSize: number;
  private readonly specialIds = new Map<string, number>();
  private readonly specials = new SpecialMatcher();
  private readonly pattern = compilePattern(QWEN_PATTERN);
  private readonly cache = new PieceCache();
  private readonly visual: VisualTokens;
  private readonly lookup: MergeLookup;

  constructor(
    private readonly ranks: Ranks,
    private readonly specialTokens: readonly string[],
    private readonly paths: { tiktoken: string; visionTokens: string },
  ) {
    const first = ranks.bytes.length;
    specialTokens.forEach((token, i) => {
      if (this.specialIds.has(token)) {
        throw new EngineError('invalid_file', `${paths.visionTokens}: ${token} is listed twice`);
      }
      this.specialIds.set(token, first + i);
      this.specials.add(token, first + i);
    });
    this.vocabSize = first + specialTokens.length;
    this.visual = new VisualTokens(this.specialIds, paths.visionTokens);
    const { bytes, rankOf } = ranks;
    this.lookup = (left, right) => {
      const rank = rankOf.get(bytes[left]! + bytes[right]!);
      return rank === undefined ? undefined : { rank, id: rank };
    };
  }

  get codebookSize(): number {
    return this.visual.size;
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const segment of this.specials.split(text.normalize('NFC'))) {
      if ('id' in segment) {
        out.push(segment.id);
        continue;
      }
      for (const piece of findAll(segment.text, this.pattern)) {
        for (const id of this.cache.get(piece, (p) => this.encodePiece(p))) out.push(id);
      }
    }
    return out;
  }

  private encodePiece(piece: string): number[] {
    const binary = utf8Binary(piece);
    const whole = this.ranks.rankOf.get(binary);
    if (whole !== undefined) return [whole];
    const symbols: number[] = [];
    for (let i = 0; i < binary.length; i++) {
      const rank = this.ranks.rankOf.get(binary[i]!);
      if (rank === undefined) {
        const hex = binary.charCodeAt(i).toString(16).padStart(2, '0');
        throw new EngineError('invalid_file', `${this.paths.tiktoken}: has no rank for the byte 0x${hex}`);
      }
      symbols.push(rank);
    }
    return mergeSymbols(symbols, this.lookup);
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const first = this.ranks.bytes.length;
    let binary = '';
    for (const id of ids) {
      checkId(id, this.vocabSize, true);
      if (id < first) binary += this.ranks.bytes[id];
      else if (options.skipSpecialTokens !== true) binary += utf8Binary(this.specialTokens[id - first]!);
    }
    return binaryToText(binary);
  }

  tokenToId(token: string): number | undefined {
    const special = this.specialIds.get(token);
    if (special !== undefined) return special;
    const binary = byteLevelToBinary(token);
    return binary === undefined ? undefined : this.ranks.rankOf.get(binary);
  }

  idToToken(id: number): string | undefined {
    const first = this.ranks.bytes.length;
    if (!Number.isInteger(id) || id < 0) return undefined;
    if (id < first) return binaryToByteLevel(this.ranks.bytes[id]!);
    return this.specialTokens[id - first];
  }

  visualTokenId(code: number): number {
    return this.visual.idOf(code);
  }

  visualCode(id: number): number | undefined {
    return this.visual.codeOf(id);
  }
}

/** Loads the original format: `emu3.tiktoken` and `emu3_vision_tokens.txt`. */
export async function loadTiktokenTokenizer(tiktoken: string, visionTokens: string): Promise<Emu3Tokenizer> {
  const [ranksText, visionText] = await Promise.all([readTextFile(tiktoken), readTextFile(visionTokens)]);
  const ranks = parseTiktoken(ranksText, tiktoken);
  const specials = [...EMU3_SPECIAL_TOKENS, ...parseVisionTokens(visionText, visionTokens)];
  return new TiktokenTokenizer(ranks, specials, { tiktoken, visionTokens });
}
