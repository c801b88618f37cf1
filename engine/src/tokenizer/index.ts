/**
 * The Emu3 text tokenizer, from the BAAI original files (emu3.tiktoken + emu3_vision_tokens.txt) or an
 * HF-converted tokenizer.json. See docs/emu3-facts.md#the-text-tokenizer.
 */
import { loadHfTokenizer } from './hf.js';
import { loadTiktokenTokenizer } from './tiktoken.js';
import type { Emu3Tokenizer, TokenizerFiles } from './types.js';

export type { DecodeOptions, Emu3Tokenizer, TokenizerFiles } from './types.js';
export { EMU3_SPECIAL_TOKENS } from './tiktoken.js';
export { parseVisualToken, visualTokenString } from './visual.js';

/** Loads a tokenizer; EngineError('invalid_file' | 'not_found' | 'unsupported') names the file and problem. */
export async function loadTokenizer(files: TokenizerFiles): Promise<Emu3Tokenizer> {
  return files.kind === 'tiktoken'
    ? loadTiktokenTokenizer(files.tiktoken, files.visionTokens)
    : loadHfTokenizer(files.path, files.vocabularyMap);
}
