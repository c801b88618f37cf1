/**
 * Byte-level BPE pieces shared by both tokenizer formats: GPT-2's byte↔unicode mapping, the merge loop
 * (lowest rank first, leftmost on ties, as tiktoken and `tokenizers` both do) and a special-token splitter.
 * Byte strings are held as "binary" strings: one UTF-16 unit per byte (0..255).
 */
import { Buffer } from 'node:buffer';

/** GPT-2's bytes_to_unicode: printable bytes map to themselves, the others to U+0100 upward, in byte order. */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const chars: string[] = [];
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    const printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff);
    chars.push(String.fromCharCode(printable ? b : 256 + extra++));
  }
  return chars;
})();

export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((ch, b) => [ch, b]));

/** The UTF-8 bytes of `text` as a binary string. */
export function utf8Binary(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

/** A binary string decoded as UTF-8, invalid sequences replaced by U+FFFD (Python's errors="replace"). */
export function binaryToText(binary: string): string {
  return Buffer.from(binary, 'latin1').toString('utf8');
}

/** A binary string in GPT-2's byte-level alphabet. */
export function binaryToByteLevel(binary: string): string {
  let out = '';
  for (let i = 0; i < binary.length; i++) out += BYTE_TO_CHAR[binary.charCodeAt(i)];
  return out;
}

/** The inverse of binaryToByteLevel; undefined when a character is outside the alphabet. */
export function byteLevelToBinary(text: string): string | undefined {
  let out = '';
  for (const ch of text) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined) return undefined;
    out += String.fromCharCode(b);
  }
  return out;
}

/** What merging two adjacent symbols gives: its priority (lower first) and the merged symbol's id. */
export interface Merge {
  rank: number;
  id: number;
}
export type MergeLookup = (left: number, right: number) => Merge | undefined;

/** A binary min-heap of pending merges ordered by (rank, position). */
class MergeQueue {
  private readonly items: [rank: number, pos: number, left: number, right: number, id: number][] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: [number, number, number, number, number]): void {
    const a = this.items;
    a.push(item);
    for (let i = a.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (!less(a[i]!, a[parent]!)) break;
      [a[i], a[parent]] = [a[parent]!, a[i]!];
      i = parent;
    }
  }

  pop(): [number, number, number, number, number] {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function less(x: readonly number[], y: readonly number[]): boolean {
  return x[0]! < y[0]! || (x[0] === y[0] && x[1]! < y[1]!);
}

/**
 * Merges adjacent symbols, always the pair of lowest rank (leftmost among equals), until no pair merges.
 * O(n log n) in the number of symbols, so long pieces (a pasted blob, a run of spaces) stay cheap.
 */
export function mergeSymbols(symbols: readonly number[], lookup: MergeLookup): number[] {
  const n = symbols.length;
  if (n < 2) return symbols.slice();
  const ids = symbols.slice();
  const next = new Int32Array(n);
  const prev = new Int32Array(n);
  const alive = new Uint8Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    next[i] = i + 1 < n ? i + 1 : -1;
    prev[i] = i - 1;
  }
  const queue = new MergeQueue();
  const consider = (pos: number): void => {
    const right = next[pos]!;
    if (right < 0) return;
    const merge = lookup(ids[pos]!, ids[right]!);
    if (merge !== undefined) queue.push([merge.rank, pos, ids[pos]!, ids[right]!, merge.id]);
  };
  for (let i = 0; i + 1 < n; i++) consider(i);
  while (queue.size > 0) {
    const [, pos, left, rightId, id] = queue.pop();
    const right = next[pos]!;
    if (alive[pos] === 0 || right < 0 || ids[pos] !== left || ids[right] !== rightId) continue;
    ids[pos] = id;
    alive[right] = 0;
    const after = next[right]!;
    next[pos] = after;
    if (after >= 0) prev[after] = pos;
    if (prev[pos]! >= 0) consider(prev[pos]!);
    consider(pos);
  }
  const out: number[] = [];
  for (let i = 0; i >= 0; i = next[i]!) out.push(ids[i]!);
  return out;
}

/** A small memo of piece → ids; cleared when it grows past `limit` entries. */
export class PieceCache {
  private readonly map = new Map<string, readonly number[]>();
  constructor(private readonly limit = 20_000) {}

  get(piece: string, compute: (piece: string) => readonly number[]): readonly number[] {
    let ids = this.map.get(piece);
    if (ids === undefined) {
      ids = compute(piece);
      if (this.map.size >= this.limit) this.map.clear();
      this.map.set(piece, ids);
    }
    return ids;
  }
}

/** A piece of text between special tokens, or a special token's id. */
export type Segment = { text: string } | { id: number; start: number; end: number };

interface TrieNode {
  children: Map<string, TrieNode>;
  id?: number;
}

/** Finds special-token strings in text: leftmost first, the longest at a position (tokenizers' LeftmostLongest). */
export class SpecialMatcher {
  private readonly root: TrieNode = { children: new Map() };
  private size = 0;

  add(token: string, id: number): void {
    if (token.length === 0) return;
    let node = this.root;
    for (const ch of token) {
      let child = node.children.get(ch);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(ch, child);
      }
      node = child;
    }
    node.id = id;
    this.size += 1;
  }

  /** The longest token starting at `at`: [id, end] or undefined. */
  private matchAt(text: string, at: number): [number, number] | undefined {
    let node: TrieNode | undefined = this.root;
    let found: [number, number] | undefined;
    let i = at;
    while (node !== undefined && i < text.length) {
      const cp = text.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      node = node.children.get(ch);
      i += ch.length;
      if (node?.id !== undefined) found = [node.id, i];
    }
    return found;
  }

  /** Splits `text` into plain-text segments and special-token matches, in order; empty text is omitted. */
  split(text: string): Segment[] {
    if (this.size === 0) return text.length > 0 ? [{ text }] : [];
    const out: Segment[] = [];
    let plainStart = 0;
    for (let i = 0; i < text.length;) {
      const first = String.fromCodePoint(text.codePointAt(i)!);
      const match = this.root.children.has(first) ? this.matchAt(text, i) : undefined;
      if (match === undefined) {
        i += first.length;
        continue;
      }
      if (i > plainStart) out.push({ text: text.slice(plainStart, i) });
      out.push({ id: match[0], start: i, end: match[1] });
      i = match[1];
      plainStart = i;
    }
    if (plainStart < text.length) out.push({ text: text.slice(plainStart) });
    return out;
  }
}
