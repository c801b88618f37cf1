/**
 * The normalizer, pre-tokenizer and decoder sections of a `tokenizers` tokenizer.json, as far as byte-level
 * BPE files (GPT-2, Qwen2, the Emu3 conversion) use them. Anything else is refused with one line naming the
 * file and the component.
 */
import { EngineError } from '../api/index.js';
import { binaryToByteLevel, CHAR_TO_BYTE, utf8Binary } from './bpe.js';
import {
  compilePattern,
  GPT2_PATTERN,
  PatternError,
  SPLIT_BEHAVIORS,
  type SplitBehavior,
  splitPieces,
} from './pattern.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Throws the one-line error for a component this loader does not implement. */
export function unsupported(path: string, what: string): never {
  throw new EngineError('unsupported', `${path}: unsupported ${what}`);
}

export function invalid(path: string, what: string): never {
  throw new EngineError('invalid_file', `${path}: ${what}`);
}

function typeOf(path: string, section: string, node: Json | undefined): string {
  if (!isObject(node) || typeof node.type !== 'string') invalid(path, `${section} has no "type"`);
  return node.type;
}

function flag(node: JsonObject, key: string, fallback: boolean): boolean {
  const value = node[key];
  return typeof value === 'boolean' ? value : fallback;
}

// ---------------------------------------------------------------------------------------------------------
// Normalizer

export type Normalize = (text: string) => string;

const UNICODE_FORMS = ['NFC', 'NFD', 'NFKC', 'NFKD'] as const;

export function parseNormalizer(path: string, node: Json | undefined): Normalize | undefined {
  if (node === null || node === undefined) return undefined;
  const type = typeOf(path, 'normalizer', node);
  const form = UNICODE_FORMS.find((f) => f === type);
  if (form !== undefined) return (text) => text.normalize(form);
  if (type === 'Sequence' && isObject(node) && Array.isArray(node.normalizers)) {
    const steps = node.normalizers.map((n) => parseNormalizer(path, n)).filter((n) => n !== undefined);
    return (text) => steps.reduce((t, step) => step(t), text);
  }
  return unsupported(path, `normalizer ${type}`);
}

// ---------------------------------------------------------------------------------------------------------
// Pre-tokenizer: maps the pieces so far to finer pieces, like `tokenizers`' PreTokenizedString.split.

export type PreTokenize = (pieces: string[]) => string[];

/** A compiled pattern, or the file + construct error. */
function compile(path: string, pattern: string, what: string): RegExp {
  try {
    return compilePattern(pattern);
  } catch (error) {
    if (error instanceof PatternError) unsupported(path, `${what}: ${error.message}`);
    throw error;
  }
}

function byteLevel(path: string, node: JsonObject): PreTokenize {
  const addPrefixSpace = flag(node, 'add_prefix_space', true);
  const useRegex = flag(node, 'use_regex', true);
  const regex = useRegex ? compile(path, GPT2_PATTERN, 'ByteLevel regex') : undefined;
  return (pieces) => {
    const out: string[] = [];
    for (let piece of pieces) {
      if (addPrefixSpace && !piece.startsWith(' ')) piece = ` ${piece}`;
      const parts = regex === undefined ? [piece] : splitPieces(piece, regex, 'Isolated');
      for (const part of parts) out.push(binaryToByteLevel(utf8Binary(part)));
    }
    return out;
  };
}

function split(path: string, node: JsonObject): PreTokenize {
  const pattern = node.pattern;
  let matcher: RegExp | string;
  if (isObject(pattern) && typeof pattern.Regex === 'string') {
    matcher = compile(path, pattern.Regex, 'Split regex');
  } else if (isObject(pattern) && typeof pattern.String === 'string') {
    matcher = pattern.String;
  } else {
    return invalid(path, 'pre_tokenizer Split has no pattern {"Regex"} or {"String"}');
  }
  const behavior = SPLIT_BEHAVIORS.find((b) => b === node.behavior);
  if (behavior === undefined)
    return unsupported(path, `pre_tokenizer Split behavior ${JSON.stringify(node.behavior)}`);
  const invert = flag(node, 'invert', false);
  return (pieces) => pieces.flatMap((piece) => splitPieces(piece, matcher, behavior, invert));
}

function digits(node: JsonObject): PreTokenize {
  const behavior: SplitBehavior = flag(node, 'individual_digits', false) ? 'Isolated' : 'Contiguous';
  const numeric = /\p{N}/gu;
  return (pieces) => pieces.flatMap((piece) => splitPieces(piece, numeric, behavior));
}

export function parsePreTokenizer(path: string, node: Json | undefined): PreTokenize {
  if (node === null || node === undefined) return (pieces) => pieces;
  const type = typeOf(path, 'pre_tokenizer', node);
  const obj = node as JsonObject;
  switch (type) {
    case 'ByteLevel':
      return byteLevel(path, obj);
    case 'Split':
      return split(path, obj);
    case 'Digits':
      return digits(obj);
    case 'Sequence': {
      if (!Array.isArray(obj.pretokenizers))
        return invalid(path, 'pre_tokenizer Sequence has no "pretokenizers"');
      const steps = obj.pretokenizers.map((p) => parsePreTokenizer(path, p));
      return (pieces) => steps.reduce((acc, step) => step(acc), pieces);
    }
    default:
      return unsupported(path, `pre_tokenizer ${type}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Decoder

/** Joins tokens into bytes (a binary string). */
export type Decode = (tokens: readonly string[]) => string;

/** tokenizers' ByteLevel decoder: byte-level characters back to bytes; a token with other characters
 * (an added token such as `<|image start|>`) contributes its own UTF-8 bytes. */
function byteLevelDecode(tokens: readonly string[]): string {
  let out = '';
  for (const token of tokens) {
    let bytes = '';
    for (const ch of token) {
      const b = CHAR_TO_BYTE.get(ch);
      if (b === undefined) {
        bytes = utf8Binary(token);
        break;
      }
      bytes += String.fromCharCode(b);
    }
    out += bytes;
  }
  return out;
}

export function parseDecoder(path: string, node: Json | undefined): Decode {
  if (node === null || node === undefined) return unsupported(path, 'decoder null (expected ByteLevel)');
  const type = typeOf(path, 'decoder', node);
  if (type === 'ByteLevel') return byteLevelDecode;
  const obj = node as JsonObject;
  if (type === 'Sequence' && Array.isArray(obj.decoders) && obj.decoders.length > 0) {
    for (const d of obj.decoders) if (typeOf(path, 'decoder', d) !== 'ByteLevel') parseDecoder(path, d);
    return byteLevelDecode;
  }
  return unsupported(path, `decoder ${type}`);
}
