/**
 * Pre-tokenizer regexes. The patterns in tokenizer files (and Qwen's PAT_STR) are written for Oniguruma /
 * Rust regex, where `\s` is Unicode White_Space and `(?i:...)` scopes case folding to a group. Node 20's
 * RegExp has neither (its `\s` also matches U+FEFF and misses U+0085), so patterns are translated into an
 * equivalent `u`-flag RegExp. Only the constructs such patterns use are translated; anything else is refused.
 */

/** Qwen's PAT_STR, used by Emu3's tiktoken tokenizer (docs/emu3-facts.md#the-text-tokenizer). */
export const QWEN_PATTERN =
  "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

/** The GPT-2 pattern of the `tokenizers` ByteLevel pre-tokenizer with `use_regex: true`. */
export const GPT2_PATTERN =
  "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

const WHITE_SPACE = '\\p{White_Space}';
const NOT_WHITE_SPACE = '\\P{White_Space}';
/** Characters that may (and, in a `u` RegExp, alone may) be escaped with a backslash. */
const SYNTAX = '^$\\.*+?()[]{}|/';

/** ASCII letters whose Unicode simple case folding class has a third member. */
const EXTRA_FOLDS: Readonly<Record<string, string>> = { s: '\u017f', k: '\u212a' };

/** Thrown with the unsupported construct; callers add the file name. */
export class PatternError extends Error {}

/** `[cC]` for an ASCII letter (plus its non-ASCII case fold), the escaped character otherwise. */
function caseless(ch: string): string {
  const lower = ch.toLowerCase();
  if (!/^[a-z]$/.test(lower)) {
    if (/^[\w'" -]$/.test(ch)) return ch;
    throw new PatternError(`character ${JSON.stringify(ch)} inside (?i:...)`);
  }
  return `[${lower}${lower.toUpperCase()}${EXTRA_FOLDS[lower] ?? ''}]`;
}

/** Translates `(?i:...)` whose body is literal alternatives; `start` points at `(`. Returns [js, end]. */
function translateCaseless(pattern: string, start: number): [string, number] {
  const close = pattern.indexOf(')', start);
  if (close < 0) throw new PatternError('unterminated (?i: group');
  const body = pattern.slice(start + 4, close);
  if (/[\\()[\]{}*+?.^$]/.test(body))
    throw new PatternError('(?i:...) with anything but literal alternatives');
  const alternatives = body.split('|').map((alt) => [...alt].map(caseless).join(''));
  return [`(?:${alternatives.join('|')})`, close + 1];
}

/**
 * Translates an Oniguruma / Rust-regex pattern into JavaScript RegExp source for the `u` flag.
 * Throws PatternError on constructs it does not translate.
 */
export function translatePattern(pattern: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < pattern.length;) {
    const ch = pattern[i] as string;
    if (ch === '\\') {
      const next = pattern[i + 1];
      if (next === undefined) throw new PatternError('trailing backslash');
      if (next === 's') out += WHITE_SPACE;
      else if (next === 'S') out += NOT_WHITE_SPACE;
      else if (next === 'd') out += '\\p{Nd}';
      else if (next === 'D') out += '\\P{Nd}';
      else if (next === 'p' || next === 'P') {
        const end = pattern.indexOf('}', i);
        if (pattern[i + 2] !== '{' || end < 0) throw new PatternError(`\\${next} without {...}`);
        out += pattern.slice(i, end + 1);
        i = end + 1;
        continue;
      } else if ('rntfv'.includes(next) || SYNTAX.includes(next)) out += `\\${next}`;
      else if (next === '-') out += inClass ? '\\-' : '-';
      else if (/[^\w]/.test(next)) out += next;
      else if (next === 'x' || next === 'u') {
        const m = /^\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[xu]\{[0-9a-fA-F]{1,6}\})/.exec(pattern.slice(i));
        if (m === null) throw new PatternError(`malformed \\${next} escape`);
        out += m[0].replace(/^\\x\{/, '\\u{');
        i += m[0].length;
        continue;
      } else unsupported(`\\${next}`);
      i += 2;
      continue;
    }
    if (inClass) {
      if (ch === '[') unsupported('nested character class');
      if (ch === ']') inClass = false;
      out += ch;
      i += 1;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      if (pattern[i + 1] === '^') {
        out += '^';
        i += 1;
      }
      if (pattern[i + 1] === ']') unsupported('a class starting with ]');
      i += 1;
      continue;
    }
    if (ch === '(' && pattern[i + 1] === '?') {
      if (pattern.startsWith('(?i:', i)) {
        const [js, end] = translateCaseless(pattern, i);
        out += js;
        i = end;
        continue;
      }
      const kind = /^\(\?(?::|=|!|<=|<!)/.exec(pattern.slice(i));
      if (kind === null) unsupported(`group ${pattern.slice(i, i + 4)}`);
      out += kind[0];
      i += kind[0].length;
      continue;
    }
    if ((ch === '+' || ch === '}') && pattern[i + 1] === '+') unsupported('possessive quantifier');
    if ((ch === '*' || ch === '?') && pattern[i + 1] === '+') unsupported('possessive quantifier');
    out += ch;
    i += 1;
  }
  if (inClass) throw new PatternError('unterminated character class');
  return out;
}

function unsupported(what: string): never {
  throw new PatternError(`unsupported regex construct ${what}`);
}

/** Compiles a translated pattern with the `gu` flags; PatternError if JavaScript rejects it. */
export function compilePattern(pattern: string): RegExp {
  const source = translatePattern(pattern);
  try {
    return new RegExp(source, 'gu');
  } catch (error) {
    throw new PatternError(`regex does not compile (${(error as Error).message})`);
  }
}

/** How a Split pre-tokenizer treats the matches (the `tokenizers` SplitDelimiterBehavior). */
export type SplitBehavior = 'Removed' | 'Isolated' | 'MergedWithPrevious' | 'MergedWithNext' | 'Contiguous';
export const SPLIT_BEHAVIORS: readonly SplitBehavior[] = [
  'Removed',
  'Isolated',
  'MergedWithPrevious',
  'MergedWithNext',
  'Contiguous',
];

type Span = [start: number, end: number, isMatch: boolean];

/** Matches (and the gaps between them) covering `text`, as `tokenizers`' find_matches. */
function findMatches(text: string, regex: RegExp | string, invert: boolean): Span[] {
  const spans: Span[] = [];
  let prev = 0;
  const push = (start: number, end: number): void => {
    if (prev !== start) spans.push([prev, start, invert]);
    spans.push([start, end, !invert]);
    prev = end;
  };
  if (typeof regex === 'string') {
    if (regex.length > 0) {
      for (let at = text.indexOf(regex); at >= 0; at = text.indexOf(regex, at + regex.length)) {
        push(at, at + regex.length);
      }
    }
  } else {
    for (const m of text.matchAll(regex)) if (m[0].length > 0) push(m.index, m.index + m[0].length);
  }
  if (prev !== text.length) spans.push([prev, text.length, invert]);
  return spans;
}

/** Splits `text` as the `tokenizers` Split pre-tokenizer does; empty pieces are dropped. */
export function splitPieces(
  text: string,
  regex: RegExp | string,
  behavior: SplitBehavior,
  invert = false,
): string[] {
  const spans = findMatches(text, regex, invert);
  let out: Span[];
  if (behavior === 'Isolated') out = spans;
  else if (behavior === 'Removed') out = spans.filter((s) => !s[2]);
  else if (behavior === 'MergedWithNext') out = mergeMatches(spans.slice().reverse(), true).reverse();
  else out = mergeMatches(spans, behavior === 'Contiguous' ? 'contiguous' : false);
  return out.map(([s, e]) => text.slice(s, e)).filter((piece) => piece.length > 0);
}

/** The folds of tokenizers' MergedWithPrevious (`reversed` false), MergedWithNext (true) and Contiguous. */
function mergeMatches(spans: Span[], mode: boolean | 'contiguous'): Span[] {
  const acc: Span[] = [];
  let previousMatch = false;
  for (const [start, end, isMatch] of spans) {
    const last = acc[acc.length - 1];
    const join = mode === 'contiguous' ? isMatch === previousMatch : isMatch && !previousMatch;
    if (join && last !== undefined) {
      if (mode === true) last[0] = start;
      else last[1] = end;
    } else acc.push([start, end, false]);
    previousMatch = isMatch;
  }
  return acc;
}

/** Every match of `regex` in `text`, in order (tiktoken's findall; unmatched characters are dropped). */
export function findAll(text: string, regex: RegExp): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(regex)) if (m[0].length > 0) out.push(m[0]);
  return out;
}
