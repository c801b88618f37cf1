/**
 * An HF-converted tokenizer.json (docs/emu3-facts.md#the-text-tokenizer), implemented as the file says rather
 * than assumed to match the original: added tokens (non-normalized ones found in the raw text, normalized
 * ones after the normalizer), the normalizer, the pre-tokenizer, a BPE model with merges, the ByteLevel
 * decoder. `post_processor`, `truncation` and `padding` are not applied: encode() adds no special tokens.
 */
import { EngineError } from '../api/index.js';
import { binaryToText, type Merge, mergeSymbols, PieceCache, type Segment, SpecialMatcher } from './bpe.js';
import {
  type Decode,
  invalid,
  isObject,
  type Json,
  type JsonObject,
  type Normalize,
  parseDecoder,
  parseNormalizer,
  parsePreTokenizer,
  type PreTokenize,
  unsupported,
} from './hf-pipeline.js';
import { checkId, readTextFile } from './io.js';
import type { DecodeOptions, Emu3Tokenizer } from './types.js';
import { VisualTokens } from './visual.js';

function maxId(ids: Iterable<number>): number {
  let max = -1;
  for (const id of ids) if (id > max) max = id;
  return max;
}

interface AddedToken {
  id: number;
  content: string;
  special: boolean;
  normalized: boolean;
  lstrip: boolean;
  rstrip: boolean;
}

/** The `model` section: a BPE over byte-level strings. */
class BpeModel {
  readonly vocab = new Map<string, number>();
  readonly tokens = new Map<number, string>();
  private readonly merges = new Map<number, Merge>();
  private readonly stride: number;
  private readonly unk: number | undefined;
  private readonly fuseUnk: boolean;
  private readonly ignoreMerges: boolean;

  constructor(path: string, model: JsonObject) {
    const type = model.type ?? (Array.isArray(model.merges) ? 'BPE' : undefined);
    if (type !== 'BPE')
      unsupported(path, `model type ${JSON.stringify(type ?? null)} (only BPE is implemented)`);
    if (typeof model.dropout === 'number' && model.dropout > 0) unsupported(path, 'BPE dropout');
    if (model.byte_fallback === true) unsupported(path, 'BPE byte_fallback');
    for (const key of ['continuing_subword_prefix', 'end_of_word_suffix']) {
      const value = model[key];
      if (typeof value === 'string' && value.length > 0) unsupported(path, `BPE ${key}`);
    }
    if (!isObject(model.vocab)) invalid(path, 'model has no "vocab" object');
    for (const [token, id] of Object.entries(model.vocab)) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        invalid(path, `vocab entry ${JSON.stringify(token)} has id ${JSON.stringify(id)}`);
      }
      this.vocab.set(token, id);
      this.tokens.set(id, token);
    }
    this.stride = maxId(this.tokens.keys()) + 1;
    if (!Array.isArray(model.merges)) invalid(path, 'model has no "merges" list');
    model.merges.forEach((merge, rank) => {
      const pair = typeof merge === 'string' ? merge.split(' ') : merge;
      if (
        !Array.isArray(pair) ||
        pair.length !== 2 ||
        typeof pair[0] !== 'string' ||
        typeof pair[1] !== 'string'
      ) {
        invalid(path, `merge ${rank} is not "a b" or ["a", "b"]`);
      }
      const [a, b] = pair as [string, string];
      const left = this.vocab.get(a);
      const right = this.vocab.get(b);
      const id = this.vocab.get(a + b);
      if (left === undefined || right === undefined || id === undefined) {
        invalid(path, `merge ${rank} ${JSON.stringify(`${a} ${b}`)} uses a token missing from the vocab`);
      }
      const key = left * this.stride + right;
      this.merges.set(key, { rank, id }); // a repeated pair: the later rank wins, as in tokenizers
    });
    const unkToken = model.unk_token;
    this.unk = typeof unkToken === 'string' ? this.vocab.get(unkToken) : undefined;
    if (typeof unkToken === 'string' && this.unk === undefined)
      invalid(path, `unk_token ${unkToken} is not in the vocab`);
    this.fuseUnk = model.fuse_unk === true;
    this.ignoreMerges = model.ignore_merges === true;
  }

  private readonly lookup = (left: number, right: number): Merge | undefined =>
    this.merges.get(left * this.stride + right);

  /** tokenizers' BPE::tokenize for one pre-token; characters missing from the vocab become unk or vanish. */
  encodeWord(word: string): number[] {
    if (this.ignoreMerges) {
      const whole = this.vocab.get(word);
      if (whole !== undefined) return [whole];
    }
    const symbols: number[] = [];
    let lastWasUnk = false;
    for (const ch of word) {
      const id = this.vocab.get(ch);
      if (id !== undefined) {
        symbols.push(id);
        lastWasUnk = false;
      } else if (this.unk !== undefined) {
        if (!(this.fuseUnk && lastWasUnk)) symbols.push(this.unk);
        lastWasUnk = true;
      }
    }
    return mergeSymbols(symbols, this.lookup);
  }
}

function parseAddedTokens(path: string, node: Json | undefined): AddedToken[] {
  if (node === undefined || node === null) return [];
  if (!Array.isArray(node)) invalid(path, '"added_tokens" is not a list');
  return node.map((t, i) => {
    if (!isObject(t) || typeof t.id !== 'number' || typeof t.content !== 'string') {
      invalid(path, `added_tokens[${i}] has no numeric "id" and string "content"`);
    }
    if (t.single_word === true) unsupported(path, `added token ${t.content} with single_word`);
    return {
      id: t.id,
      content: t.content,
      special: t.special === true,
      normalized: t.normalized === true,
      lstrip: t.lstrip === true,
      rstrip: t.rstrip === true,
    };
  });
}

class HfTokenizer implements Emu3Tokenizer {
  readonly vocabSize: number;
  private readonly added = new Map<string, AddedToken>();
  private readonly addedById = new Map<number, AddedToken>();
  private readonly rawMatcher = new SpecialMatcher();
  private readonly normalizedMatcher = new SpecialMatcher();
  private readonly cache = new PieceCache();
  private readonly visual: VisualTokens;

  constructor(
    path: string,
    addedTokens: AddedToken[],
    private readonly model: BpeModel,
    private readonly normalize: Normalize | undefined,
    private readonly preTokenize: PreTokenize,
    private readonly decodeBytes: Decode,
    vocabularyMap: Record<string, number> | undefined,
  ) {
    for (const token of addedTokens) {
      this.added.set(token.content, token);
      this.addedById.set(token.id, token);
      if (!token.normalized) this.rawMatcher.add(token.content, token.id);
      else
        this.normalizedMatcher.add(
          normalize === undefined ? token.content : normalize(token.content),
          token.id,
        );
    }
    this.vocabSize = Math.max(maxId(model.tokens.keys()), maxId(this.addedById.keys())) + 1;
    const all = new Map([...model.vocab, ...addedTokens.map((t): [string, number] => [t.content, t.id])]);
    const fromFile = new VisualTokens(all, path);
    if (vocabularyMap === undefined) {
      this.visual = fromFile;
      return;
    }
    this.visual = new VisualTokens(Object.entries(vocabularyMap), 'config.json vocabulary_map');
    for (const [token, id] of this.visual.entries()) {
      const here = all.get(token);
      if (here !== undefined && here !== id) {
        throw new EngineError(
          'invalid_file',
          `${path}: ${token} is id ${here}, but config.json vocabulary_map says ${id}`,
        );
      }
    }
  }

  get codebookSize(): number {
    return this.visual.size;
  }

  /** Splits on added tokens, honouring lstrip/rstrip (they swallow the whitespace beside the token). */
  private splitAdded(text: string, matcher: SpecialMatcher): Segment[] {
    const segments = matcher.split(text);
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      if (!('id' in seg)) continue;
      const token = this.addedById.get(seg.id)!;
      const before = segments[i - 1];
      const after = segments[i + 1];
      if (token.lstrip && before !== undefined && 'text' in before) before.text = before.text.trimEnd();
      if (token.rstrip && after !== undefined && 'text' in after) after.text = after.text.trimStart();
    }
    return segments.filter((seg) => !('text' in seg) || seg.text.length > 0);
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const raw of this.splitAdded(text, this.rawMatcher)) {
      if ('id' in raw) {
        out.push(raw.id);
        continue;
      }
      const normalized = this.normalize === undefined ? raw.text : this.normalize(raw.text);
      for (const seg of this.splitAdded(normalized, this.normalizedMatcher)) {
        if ('id' in seg) {
          out.push(seg.id);
          continue;
        }
        for (const piece of this.preTokenize([seg.text])) {
          if (piece.length === 0) continue;
          for (const id of this.cache.get(piece, (p) => this.model.encodeWord(p))) out.push(id);
        }
      }
    }
    return out;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    const tokens: string[] = [];
    for (const id of ids) {
      const added = this.addedById.get(id);
      const token = added?.content ?? this.model.tokens.get(id);
      checkId(id, this.vocabSize, token !== undefined);
      if (options.skipSpecialTokens === true && added?.special === true) continue;
      tokens.push(token!);
    }
    return binaryToText(this.decodeBytes(tokens));
  }

  tokenToId(token: string): number | undefined {
    return this.added.get(token)?.id ?? this.model.vocab.get(token);
  }

  idToToken(id: number): string | undefined {
    return this.addedById.get(id)?.content ?? this.model.tokens.get(id);
  }

  visualTokenId(code: number): number {
    return this.visual.idOf(code);
  }

  visualCode(id: number): number | undefined {
    return this.visual.codeOf(id);
  }
}

/** Loads an HF tokenizer.json; `vocabularyMap` (config.json) takes precedence for the visual tokens. */
export async function loadHfTokenizer(
  path: string,
  vocabularyMap?: Record<string, number>,
): Promise<Emu3Tokenizer> {
  const text = await readTextFile(path);
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (error) {
    return invalid(path, `is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(root)) return invalid(path, 'is not a JSON object');
  if (!isObject(root.model)) return invalid(path, 'has no "model" object');
  const model = new BpeModel(path, root.model);
  return new HfTokenizer(
    path,
    parseAddedTokens(path, root.added_tokens),
    model,
    parseNormalizer(path, root.normalizer),
    parsePreTokenizer(path, root.pre_tokenizer),
    parseDecoder(path, root.decoder),
    vocabularyMap,
  );
}
