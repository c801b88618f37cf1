/**
 * The text tokenizer of an Emu3 checkpoint (docs/emu3-facts.md#the-text-tokenizer), whichever file format it
 * came from.
 */

/** Where the tokenizer comes from: the BAAI original files, or an HF-converted tokenizer.json. */
export type TokenizerFiles =
  | { kind: 'tiktoken'; tiktoken: string; visionTokens: string }
  | {
      kind: 'tokenizer.json';
      path: string;
      /** config.json `vocabulary_map` of an HF checkpoint: when given, the visual tokens come from it. */
      vocabularyMap?: Record<string, number>;
    };

export interface DecodeOptions {
  /** Drop special tokens (in the original format every id after the last rank; in tokenizer.json the
   * added tokens marked `special`). */
  skipSpecialTokens?: boolean;
}

export interface Emu3Tokenizer {
  /** One more than the largest id. */
  readonly vocabSize: number;
  /** NFC-normalizes, turns special-token strings inside the text into their ids; adds no BOS. */
  encode(text: string): number[];
  /** Throws EngineError('bad_request') on an id the tokenizer does not have. */
  decode(ids: readonly number[], options?: DecodeOptions): string;
  /** Special tokens by their string; ordinary tokens by their GPT-2 byte-level spelling ('Ġthe'). */
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
  /** How many `<|visual token NNNNNN|>` tokens the files hold (codes 0..codebookSize-1). */
  readonly codebookSize: number;
  /** The id of `<|visual token c|>`; throws RangeError when `code` is outside 0..codebookSize-1. */
  visualTokenId(code: number): number;
  /** The code of a visual token id, undefined for any other id. */
  visualCode(id: number): number | undefined;
}
