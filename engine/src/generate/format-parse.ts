/**
 * Reading generated tokens back into VQ codes: strictly (a finished generation) or tolerantly (a preview
 * while tokens stream in). The ids start right after the prompt's `<|image token|>` (or, for an extension,
 * after the context frames): rows of (w visual ids, EOL), EOF per frame, then EOI, optionally EOS, then
 * only PAD.
 */
import { EngineError } from '../api/index.js';
import { visualCodeOf, type SpecialIds, type VisualRange } from './format-block.js';
import { MAX_FRAMES, MAX_GRID_SIDE } from './format-meta.js';

export interface ExpectedGrid {
  height: number;
  width: number;
  /** Frames the ids hold (for an extension: the remaining ones); default 1. */
  frames?: number;
}

/** Codes as the VQ decoder takes them: [frames][height][width], flat. */
export interface ParsedCodes {
  frames: number;
  height: number;
  width: number;
  codes: Int32Array;
}

export interface PartialGrid extends ParsedCodes {
  /** Rows whose `width` codes have all arrived, over all frames (frame f row r is row f·height + r). */
  rows: number;
  /** Frames whose EOF has arrived. */
  completeFrames: number;
  /** The whole block is there, through `<|image end|>`. */
  complete: boolean;
  /** Why reading stopped early, when the ids break the structure. */
  problem?: string;
}

interface Scan {
  codes: Int32Array;
  rows: number;
  completeFrames: number;
  complete: boolean;
  /** The first violation, or where the ids ended before the block did. */
  problem?: string;
  truncated: boolean;
}

function describe(id: number | undefined, special: SpecialIds, visual: VisualRange): string {
  if (id === undefined) return 'the end';
  const code = visualCodeOf(visual, id);
  if (code !== undefined) return `visual token ${id} (code ${code})`;
  const names: [keyof SpecialIds, string][] = [
    ['eol', 'EOL'],
    ['eof', 'EOF'],
    ['eoi', '<|image end|>'],
    ['eos', 'EOS'],
    ['bos', 'BOS'],
    ['pad', 'PAD'],
    ['img', '<|image token|>'],
    ['boi', '<|image start|>'],
  ];
  const name = names.find(([key]) => special[key] === id)?.[1];
  return name === undefined ? `token ${id}` : `${name} (${id})`;
}

function checkExpected(expected: ExpectedGrid): { height: number; width: number; frames: number } {
  const frames = expected.frames ?? 1;
  for (const [what, n, max] of [
    ['height', expected.height, MAX_GRID_SIDE],
    ['width', expected.width, MAX_GRID_SIDE],
    ['frames', frames, MAX_FRAMES],
  ] as const) {
    if (!Number.isInteger(n) || n < 1 || n > max) {
      throw new EngineError('bad_request', `expected grid ${what} ${n} is not an integer from 1 to ${max}`);
    }
  }
  return { height: expected.height, width: expected.width, frames };
}

function scan(
  ids: ArrayLike<number>,
  expected: ExpectedGrid,
  special: SpecialIds,
  visual: VisualRange,
): Scan {
  const { height, width, frames } = checkExpected(expected);
  const codes = new Int32Array(frames * height * width);
  const out: Scan = { codes, rows: 0, completeFrames: 0, complete: false, truncated: false };
  let i = 0;
  const fail = (where: string, wanted: string): Scan => {
    const found = describe(i < ids.length ? ids[i] : undefined, special, visual);
    out.truncated = i >= ids.length;
    out.problem = `vision tokens: position ${i} (${where}): expected ${wanted}, found ${found}`;
    return out;
  };
  for (let f = 0; f < frames; f++) {
    for (let r = 0; r < height; r++) {
      const base = (f * height + r) * width;
      for (let c = 0; c < width; c++, i++) {
        const code = i < ids.length ? visualCodeOf(visual, ids[i]!) : undefined;
        if (code === undefined) return fail(`frame ${f}, row ${r}, column ${c}`, 'a visual token');
        codes[base + c] = code;
      }
      out.rows++;
      if (ids[i] !== special.eol) return fail(`frame ${f}, end of row ${r}`, `EOL (${special.eol})`);
      i++;
    }
    if (ids[i] !== special.eof) return fail(`frame ${f}, after its ${height} rows`, `EOF (${special.eof})`);
    i++;
    out.completeFrames++;
  }
  if (ids[i] !== special.eoi) return fail(`after ${frames} frames`, `<|image end|> (${special.eoi})`);
  i++;
  out.complete = true;
  if (i < ids.length && ids[i] === special.eos) {
    for (i++; i < ids.length; i++) {
      if (ids[i] !== special.pad) return fail('after EOS', `only PAD (${special.pad})`);
    }
  } else if (i < ids.length) {
    return fail('after <|image end|>', `EOS (${special.eos}) or the end`);
  }
  return out;
}

/**
 * The codes of a finished block; EngineError('bad_request') naming the position (index into `ids`) and
 * place (frame, row, column) of the first violation, or where the ids ended too soon.
 */
export function parseVisionTokens(
  ids: ArrayLike<number>,
  expected: ExpectedGrid,
  special: SpecialIds,
  visual: VisualRange,
): ParsedCodes {
  const s = scan(ids, expected, special, visual);
  if (s.problem !== undefined) throw new EngineError('bad_request', s.problem);
  const { height, width } = expected;
  return { frames: expected.frames ?? 1, height, width, codes: s.codes };
}

/**
 * What the ids so far hold, for previews: `codes` has the complete rows (`rows`·width entries), a
 * missing tail is not an error, and a violation stops the reading with `problem` set instead of throwing.
 */
export function partialGrid(
  ids: ArrayLike<number>,
  expected: ExpectedGrid,
  special: SpecialIds,
  visual: VisualRange,
): PartialGrid {
  const s = scan(ids, expected, special, visual);
  const grid: PartialGrid = {
    frames: expected.frames ?? 1,
    height: expected.height,
    width: expected.width,
    codes: s.codes.subarray(0, s.rows * expected.width),
    rows: s.rows,
    completeFrames: s.completeFrames,
    complete: s.complete,
  };
  if (s.problem !== undefined && !s.truncated) grid.problem = s.problem;
  return grid;
}
